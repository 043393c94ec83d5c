"""A plan's catalogue text (name, summary, coverage, exclusions) by language.

The plan's own fields are written in the catalogue's source language
(``settings.LANGUAGE_CODE``); ``PlanTranslation`` rows hold the others, each complete. A
document, a terms page or an offer shows the text of one language throughout, never a mix:
a language the plan has no text in is not offered (``text_language``), and a pack whose
binding language it lacks does not sell the plan at all
(``plans.disclosure.plan_disclosure_gaps``). A contract snapshots every language's
text at sale (``texts`` in its plan snapshot).
"""

from backend.common.languages import source_language, text_in

TEXT_FIELDS = ("name", "summary", "covered", "exclusions")


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


def catalogue_text(texts: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    """The plan's name, summary, coverage and exclusions for a document in ``language``,
    and the language they are in (``text_language``), which the template marks on them:
    the compliance checker refuses a section in another language."""
    shown, text = text_in(texts, language)
    return {**{f: text.get(f, "") for f in TEXT_FIELDS}, "text_language": shown}
