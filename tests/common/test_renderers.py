"""The API's JSON renderer (orjson) writes what DRF's own renderer writes."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from backend.claims.choices import ClaimState, Priority
from backend.common.api.renderers import JSONRenderer

UTC_TIME = dt.datetime(2026, 11, 23, 9, 13, 35, 190000, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "data",
    [
        {"results": [], "next_cursor": None},
        {"at": UTC_TIME, "on_the_second": UTC_TIME.replace(microsecond=0)},
        {
            "naive": dt.datetime(2026, 1, 2, 3, 4, 5),  # noqa: DTZ001 (naive on purpose)
            "day": dt.date(2026, 2, 28),
        },
        {"time": dt.time(9, 30), "later": dt.time(9, 30, 1, 5)},
        {"warsaw": timezone.localtime(UTC_TIME, dt.timezone(dt.timedelta(hours=1)))},
        {"text": 'Zażółć gęślą jaźń, 保修合同, <script>&"quotes"</script>\n\t'},
        {"separators": "line\u2028paragraph\u2029end", "control": "\x00\x1f\x7f"},
        {"lazy": gettext_lazy("Submitted"), "choice": ClaimState.SUBMITTED, "level": Priority.HIGH},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "amount": 129900},
        {"ratio": 0.1, "big": 2**62, "negative": -5, "flag": True, "nothing": None},
        {"histogram": {1: 3, 5: 10}, "nested": [[1, [2, {"a": []}]]]},
        {"decimal": Decimal("12.50"), "duration": dt.timedelta(hours=2, seconds=1)},
    ],
)
def test_the_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_what_neither_can_encode_is_an_error_not_null():
    with pytest.raises(TypeError):
        JSONRenderer().render({"what": object()})


def test_none_is_an_empty_body():
    assert JSONRenderer().render(None) == b""
