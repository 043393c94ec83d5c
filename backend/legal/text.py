"""A document's text, as a reader gets it: from its HTML, and compared with its PDF's."""

import re
import unicodedata
from html.parser import HTMLParser

from django.utils import translation
from django.utils.translation import get_language_info


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.marked: list[tuple[str, str]] = []  # (section, language) of lang="" elements
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        attributes = dict(attrs)
        if tag != "html" and attributes.get("lang"):
            self.marked.append((attributes.get("data-section") or tag, attributes["lang"]))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def html_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join(parser.chunks)


def marked_languages(html: str) -> list[tuple[str, str]]:
    """The (section, language) of every element of the document that says it is in a
    language of its own (``lang``): catalogue text without a translation is marked so."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.marked


_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text for comparison: NFKC (a PDF may hold a ligature such as ﬁ for "fi"), and no
    whitespace at all (lines wrap differently in HTML and PDF, and Chinese has no spaces to
    wrap at)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def foreign_characters(html_text: str, pdf_text: str) -> list[str]:
    """Characters a reader copies out of the PDF that the document itself does not hold.

    A PDF records glyphs, and its text layer maps each glyph back to one character. A font
    that draws several characters with one glyph reads back as the wrong one: Noto Sans CJK
    draws 门 and the radical ⻔ alike, and wkhtmltopdf writes the lowest code point, so the
    Chinese text came back as look-alike radicals. A character that only NFKC-folds to the
    document's text (the ﬁ ligature) is not foreign."""
    held = set(html_text)
    return sorted(
        c
        for c in set(pdf_text) - held
        if not c.isspace() and not set(unicodedata.normalize("NFKC", c)) <= held
    )


def language_name(code: str, in_language: str) -> str:
    """The name of language ``code``, written in ``in_language``."""
    with translation.override(in_language):
        return str(get_language_info(code)["name_translated"])
