import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from backend.notifications.models import Notification

logger = logging.getLogger(__name__)


def email_send_once(
    *,
    key: str,
    to: str,
    language: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes, str]] = (),
    headers: dict[str, str] | None = None,
) -> bool:
    """Render ``<template>_subject.txt`` / ``<template>.txt`` in ``language`` and send it,
    with ``attachments`` (name, content, MIME type) and extra ``headers``, unless a message
    with this ``key`` was already sent. Returns whether it was sent now.
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    # Claim the key (INSERT ... ON CONFLICT DO NOTHING), then read whoever holds it: two
    # round trips, race-free, where get_or_create takes a transaction and a savepoint.
    Notification.objects.bulk_create(
        [Notification(key=key, recipient=to, subject=subject[:300], language=language)],
        ignore_conflicts=True,
    )
    note = Notification.objects.get(key=key)
    if note.sent_at is not None:
        return False
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    try:
        message.send()
    except Exception as exc:
        logger.warning("E-mail %s to %s failed: %s", key, to, exc)
        Notification.objects.filter(pk=note.pk).update(error=str(exc)[:2000])
        raise
    Notification.objects.filter(pk=note.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), error=""
    )
    return True
