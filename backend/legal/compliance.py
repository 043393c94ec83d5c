"""The compliance checker: every required clause of a document's pack and kind, proven
present in the rendered HTML and in the text read back out of the PDF.

Clauses are data (``[[clauses]]`` in ``legal_templates/<pack>/pack.toml``). A clause may
require exact wording (``text``: the statute's sentence, in the document's language where
the pack gives one, else in the binding language) and fields (dotted paths into the
document's data), which must be filled in **and** appear in the document. A clause with
``variants_by`` picks its wording by a field's value (the backing statement by how the
provider is funded).
"""

from dataclasses import dataclass, field

from django.utils import timezone

from backend.common.packs import Pack
from backend.legal.rendering import party_data
from backend.legal.text import foreign_characters, language_name, squash


@dataclass(frozen=True)
class RequiredClause:
    id: str
    source: str
    text: str = ""
    fields: tuple[str, ...] = ()
    problem: str = ""  # set when the clause cannot be satisfied (no wording for a variant)


@dataclass
class ComplianceReport:
    pack: str
    kind: str
    language: str
    clauses: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing

    def as_dict(self) -> dict:
        return {
            "pack": self.pack,
            "kind": self.kind,
            "language": self.language,
            "passed": self.passed,
            "missing": self.missing,
            "clauses": self.clauses,
            "checked_at": timezone.now().isoformat(),
        }


def lookup(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


# Keys that say which language a part of the data is in: data about the text, not shown.
_LANGUAGE_KEYS = frozenset({"language", "text_language"})


def _texts(value) -> list[str]:
    """The strings a field's value shows in the document."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [t for k, v in value.items() if k not in _LANGUAGE_KEYS for t in _texts(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def applies(clause: dict, data: dict) -> bool:
    """Whether a price-gated clause (``applies_above = { USD = 1500 }``: items dearer than
    $15) applies to the document's items (``item_prices``: the dearest item per currency).
    Without prices, or in a currency the gate does not name, it applies: the strict way."""
    gate = clause.get("applies_above")
    prices = data.get("item_prices")
    if not gate or not prices:
        return True
    return any(currency not in gate or price > gate[currency] for currency, price in prices.items())


def required_clauses(pack: Pack, kind: str, language: str, data: dict) -> list[RequiredClause]:
    binding = pack.binding_language
    required = []
    for clause in pack.data.get("clauses", []):
        if kind not in clause.get("kinds", ()) or not applies(clause, data):
            continue
        spec, problem = clause, ""
        if "variants_by" in clause:
            value = lookup(data, clause["variants_by"])
            spec = clause.get("variants", {}).get(value)
            if spec is None:
                spec = {}
                problem = f"no wording for {clause['variants_by']} = {value!r}"
        text = spec.get("text", "")
        if isinstance(text, dict):
            text = text.get(language) or text.get(binding, "")
        required.append(
            RequiredClause(
                id=clause["id"],
                source=clause.get("source", ""),
                text=text,
                fields=tuple(clause.get("fields", ())) + tuple(spec.get("fields", ())),
                problem=problem,
            )
        )
    return required


def check(
    *,
    pack: Pack,
    kind: str,
    language: str,
    data: dict,
    clauses: list[RequiredClause],
    html_text: str,
    pdf_text: str | None,
    marked_languages: list[tuple[str, str]] = (),
) -> ComplianceReport:
    """Check one rendered document. ``pdf_text`` None checks the HTML alone;
    ``marked_languages`` are the HTML's sections that carry a language of their own."""
    report = ComplianceReport(pack=pack.code, kind=kind, language=language)
    renderings = {"HTML": squash(html_text)}
    if pdf_text is not None:
        renderings["PDF"] = squash(pdf_text)
    for clause in clauses:
        missing = []
        if clause.problem:
            missing.append(clause.problem)
        if clause.text:
            wording = squash(clause.text)
            for where, text in renderings.items():
                if wording not in text:
                    missing.append(f"its required wording is not in the {where}")
        for path in clause.fields:
            shown = [squash(t) for t in _texts(lookup(data, path))]
            if not shown:
                missing.append(f"{path} is empty")
                continue
            for where, text in renderings.items():
                if any(t not in text for t in shown):
                    missing.append(f"{path} is not shown in the {where}")
        report.clauses.append(
            {"id": clause.id, "source": clause.source, "passed": not missing, "missing": missing}
        )
        report.missing += [f"{clause.id}: {m}" for m in missing]
    _check_one_language(report, language, [*_data_languages(data), *marked_languages])
    if pdf_text is not None:
        _check_text_layer(report, html_text, pdf_text)
    return report


def _data_languages(data: dict) -> list[tuple[str, str]]:
    """The languages the document's data says its catalogue text and refund lines are in
    (the verifier, which has the PDF alone, checks these)."""
    found = [
        (name, part["text_language"])
        for name, part in data.items()
        if isinstance(part, dict) and part.get("text_language")
    ]
    found += [
        ("refund.lines", line["language"]) for line in data.get("refund", {}).get("lines", ())
    ]
    return found


def _check_one_language(
    report: ComplianceReport, language: str, sections: list[tuple[str, str]]
) -> None:
    """A document in a language is in that language throughout: a section in another (a
    plan with no text in it, a line written before labels were translated) is refused."""
    other = sorted({s for s, lang in sections if lang.lower() != language.lower()})
    missing = []
    if other:
        in_language = language_name(language, "en")
        missing.append(
            f"not written in {in_language}: {', '.join(other)} (add the translation, "
            "or the document cannot be issued in this language)"
        )
    report.clauses.append(
        {
            "id": "one_language",
            "source": "Directive (EU) 2019/771 art. 17(2); 15 U.S.C. 2306(b)",
            "passed": not missing,
            "missing": missing,
        }
    )
    report.missing += [f"one_language: {m}" for m in missing]


def _check_text_layer(report: ComplianceReport, html_text: str, pdf_text: str) -> None:
    """The PDF's text, copied, searched or read aloud, is the document's own text: no
    character in it that the document does not hold."""
    foreign = foreign_characters(html_text, pdf_text)
    missing = []
    if foreign:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in foreign[:12])
        more = f" and {len(foreign) - 12} more" if len(foreign) > 12 else ""
        missing.append(
            f"the PDF's text layer reads characters the document does not hold: {shown}{more}"
            " (its font draws them for other characters)"
        )
    report.clauses.append(
        {"id": "text_layer", "source": "PDF text layer", "passed": not missing, "missing": missing}
    )
    report.missing += [f"text_layer: {m}" for m in missing]


_PARTIES = ("provider", "administrator")


def party_gaps(pack: Pack, kind: str, parties: dict) -> list[str]:
    """What the pack requires of the provider and administrator that ``parties`` lack."""
    data = {name: party_data(parties.get(name), pack) for name in _PARTIES}
    gaps = []
    binding = pack.binding_language
    for clause in required_clauses(pack, kind, binding, data):
        if clause.problem:
            gaps.append(f"{clause.id}: {clause.problem}")
        for path in clause.fields:
            if path.partition(".")[0] in _PARTIES and not _texts(lookup(data, path)):
                gaps.append(f"{clause.id}: {path} is empty")
    return gaps
