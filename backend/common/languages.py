"""Catalogue text by language: what the source language is, and which language a reader
gets when the text they ask for is not there.

Catalogue text (a plan's, a written warranty's) is written in the source language
(``settings.LANGUAGE_CODE``); translations hold the others, each complete. A page or a
document shows one language's text throughout, never a mix.
"""

from collections.abc import Iterable

from django.conf import settings


def source_language() -> str:
    return settings.LANGUAGE_CODE


def translation_choices() -> list[tuple[str, str]]:
    """The languages a catalogue text can be translated into: all but the source one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != source_language()]


def text_language(available: Iterable[str], language: str, pack) -> str:
    """The language a shopper asking for ``language`` reads the plan in under ``pack``:
    theirs when the pack offers it and the plan has text in it, else the binding language."""
    if language in pack.languages and language in available:
        return language
    return pack.binding_language


def text_in(texts: dict[str, dict[str, str]], language: str) -> tuple[str, dict[str, str]]:
    """(the language the text is in, the text) for a document in ``language``: its own
    language's text when there is one, else the source language's, which the document
    then marks as such and the compliance checker refuses."""
    if language in texts:
        return language, texts[language]
    return source_language(), texts[source_language()]


def name_in(names: dict[str, str], language: str, default: str = "") -> str:
    """A name given per language (a pack's ``{en = ..., pl = ...}``) in ``language``, else
    in English, else ``default``."""
    return names.get(language) or names.get("en") or default
