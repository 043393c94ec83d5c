"""Spreadsheet cells that cannot run (OWASP CSV injection)."""

import sys

import pytest

from backend.common.spreadsheets import formula_first_characters, safe_cell, starts_a_formula


def test_one_character_at_a_time_agrees_with_the_whole_set():
    triggers = set(formula_first_characters())
    assert {"=", "+", "-", "@", "\uff1d", "\ufe62", "\u207a"} <= triggers
    assert [
        c for c in map(chr, range(sys.maxunicode + 1)) if starts_a_formula(c) != (c in triggers)
    ] == []


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\uff1dcmd|' /C calc'!A0", "'\uff1dcmd|' /C calc'!A0"),
        ("two\nlines\r", "two lines "),
        ("", ""),
        (None, ""),
        (-5, -5),
        ("-5", "'-5"),
        ("Phone 9", "Phone 9"),
    ],
)
def test_cells(value, written):
    assert safe_cell(value) == written
