"""E-mail backends of our own."""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ConsoleBackend(DjangoConsoleBackend):
    """The demo's e-mail, printed where the person running it looks: who, subject, the text
    (with its sign-in and claim links), and each attachment by name and size. Django's own
    console backend prints the whole MIME message, so a contract's PDFs would fill the
    console with base64."""

    def write_message(self, message):
        lines = [
            "-" * 72,
            f"E-mail to {', '.join(message.to)}: {message.subject}",
            "",
            message.body.rstrip(),
        ]
        for attachment in message.attachments:
            if isinstance(attachment, tuple):
                name, content, _mimetype = attachment
                lines.append(f"[attached: {name}, {len(content or b''):,} bytes]")
        lines += ["-" * 72, ""]
        self.stream.write("\n".join(lines) + "\n")
