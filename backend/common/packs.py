"""Jurisdiction packs: the per-jurisdiction legal data under ``legal_templates/<code>/``.

A pack is read from ``pack.toml``; ``extends`` starts it from another pack's keys (a table
given in the pack replaces the inherited table whole). The
most specific pack wins: ``US-CA``, else ``US`` for any US state, else ``PL``, else ``EU``
for any EU member state.
"""

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from backend.common.exceptions import ApplicationError
from backend.common.jurisdictions import EU_MEMBER_STATES, country_of, homes_within, normalise


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    data: dict[str, Any]

    def table(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})

    def display_name(self, language: str) -> str:
        """The pack's place name in ``language`` (``[names]``), else its ``name``."""
        return self.data.get("names", {}).get(language, self.name)

    @property
    def binding_language(self) -> str:
        return self.data.get("binding_language", "en")

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.data.get("languages", (self.binding_language,)))

    @property
    def page_size(self) -> str:
        return self.data.get("page_size", "A4")

    @property
    def document_versions(self) -> dict[str, str]:
        """Document kind -> the template version new sales use."""
        return self.data.get("documents", {})


def _merge(base: dict, override: dict) -> dict:
    """Top-level keys of the extending pack replace the inherited ones, tables included:
    a state's ``[refund]`` table is its whole rule, never a patch over the default's.
    ``[[clauses]]`` are the exception: a pack adds its own to the ones it inherits, and one
    with an inherited clause's id replaces that clause."""
    merged = {**base, **override}
    clauses = {c["id"]: c for c in base.get("clauses", [])}
    clauses.update({c["id"]: c for c in override.get("clauses", [])})
    merged["clauses"] = list(clauses.values())
    return merged


@cache
def load_packs(root: Path | None = None) -> dict[str, Pack]:
    root = Path(root or settings.LEGAL_TEMPLATES_DIR)
    raw = {}
    for manifest in sorted(root.glob("*/pack.toml")):
        with manifest.open("rb") as f:
            raw[manifest.parent.name] = tomllib.load(f)

    def resolved(code: str, seen: tuple[str, ...] = ()) -> dict:
        if code in seen:
            raise ValueError(f"pack inheritance loops: {' -> '.join((*seen, code))}")
        data = raw[code]
        parent = data.get("extends")
        if not parent:
            return data
        if parent not in raw:
            raise ValueError(f"pack {code} extends unknown pack {parent}")
        return _merge(resolved(parent, (*seen, code)), data)

    return {
        code: Pack(code=code, name=data.get("name", code), data=resolved(code))
        for code, data in raw.items()
    }


def pack_for(jurisdiction: str) -> Pack:
    """The pack that governs a shopper in ``jurisdiction``."""
    packs = load_packs()
    code = normalise(jurisdiction)
    country = country_of(code)
    for candidate in (code, country, "EU" if country in EU_MEMBER_STATES else None):
        if candidate and candidate in packs:
            return packs[candidate]
    raise ApplicationError(
        f"Coverdesk has no legal pack for {code}: plans cannot be sold or cancelled there.",
        code="no_jurisdiction_pack",
    )


@lru_cache(maxsize=1024)
def pack_code_for(jurisdiction: str) -> str | None:
    """The code of the pack that governs ``jurisdiction``, or None where Coverdesk has none
    (nothing is sold there). Memoised: offers ask for every plan."""
    try:
        return pack_for(jurisdiction).code
    except ApplicationError:
        return None


@cache
def jurisdictions_served() -> tuple[str, ...]:
    """Every shopper jurisdiction a pack governs, so that plans can be offered there: what
    a merchant may send as a shopper's ``jurisdiction`` and the widget lets shoppers pick."""
    return tuple(sorted({home for code in load_packs() for home in homes_within(code)}))
