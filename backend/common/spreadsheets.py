"""Cells that spreadsheets cannot run: what every CSV and XLSX Coverdesk writes goes
through (OWASP CSV injection)."""

import functools
import sys
import unicodedata

# A cell starting with one of these is prefixed with ' so no spreadsheet runs it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@functools.cache
def formula_first_characters() -> tuple[str, ...]:
    """Every character that *is* a formula trigger once NFKC-normalised, as spreadsheets
    and import tools may normalise text: the full-width equals sign (U+FF1D), the small plus
    (U+FE62), the superscript plus (U+207A) and the like, besides the ASCII ones. Worked
    out from Python's Unicode data once per process (a quarter of a second)."""
    return tuple(
        character
        for character in map(chr, range(sys.maxunicode + 1))
        if unicodedata.normalize("NFKC", character)[:1] in FORMULA_STARTS
    )


def starts_a_formula(character: str) -> bool:
    """Whether ``character`` is in ``formula_first_characters()``, without working the whole
    set out: an ASCII character is its own normal form."""
    if character in FORMULA_STARTS:
        return True
    return (
        not character.isascii() and unicodedata.normalize("NFKC", character)[:1] in FORMULA_STARTS
    )


def safe_cell(value):
    """A cell as written: numbers and dates as they are, text flattened to one line and
    prefixed with ' where it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    text = value.replace("\r", " ").replace("\n", " ")
    if text and starts_a_formula(text[0]):
        return "'" + text
    return text
