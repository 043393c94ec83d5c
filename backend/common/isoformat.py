"""Dates and times as the API renders them (what DRF's fields would)."""

from datetime import date, datetime

from django.utils import timezone


def iso_datetime(value: datetime | None) -> str | None:
    """What DRF's DateTimeField renders: ISO 8601 in the current time zone, UTC as ``Z``."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
