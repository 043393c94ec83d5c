"""A plan's catalogue text (name, summary, coverage, exclusions) by language.

The plan's own fields are written in the catalogue's source language
(``settings.LANGUAGE_CODE``); ``PlanTranslation`` rows hold the others, each complete. A
document, a terms page or an offer shows the text of one language throughout, never a mix:
a language the plan has no text in is not offered (``text_language``), and a pack whose
binding language it lacks does not sell the plan at all
(``documents.compliance.plan_disclosure_gaps``). A contract snapshots every language's
text at sale (``texts`` in its plan snapshot).
"""

from collections.abc import Iterable

from django.conf import settings

TEXT_FIELDS = ("name", "summary", "covered", "exclusions")


def source_language() -> str:
    return settings.LANGUAGE_CODE


def translation_choices() -> list[tuple[str, str]]:
    """The languages a catalogue text can be translated into: all but the source one."""
    return [(code, name) for code, name in settings.LANGUAGES if code != source_language()]


def plan_texts(plan) -> dict[str, dict[str, str]]:
    """Every language's text of ``plan``: {language: {field: text}}. Uses the prefetched
    translations when there are any."""
    texts = {source_language(): {f: getattr(plan, f) for f in TEXT_FIELDS}}
    for translation in plan.translations.all():
        texts[translation.language] = {f: getattr(translation, f) for f in TEXT_FIELDS}
    return texts


def snapshot_texts(snapshot: dict) -> dict[str, dict[str, str]]:
    """The same from a contract's plan snapshot. Snapshots taken before translations
    existed hold the source language's text only."""
    if "texts" in snapshot:
        return snapshot["texts"]
    return {source_language(): {f: snapshot.get(f, "") for f in TEXT_FIELDS}}


def snapshot_in(snapshot: dict, language: str) -> dict:
    """A contract's plan snapshot with its name, summary, coverage and exclusions in
    ``language`` where it has them (for an e-mail or the portal in the holder's language)."""
    return {**snapshot, **snapshot_texts(snapshot).get(language, {})}


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
