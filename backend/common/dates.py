"""Days as moments: where a date begins in the project's time zone."""

from datetime import date, datetime, time

from django.utils import timezone


def midnight(day: date) -> datetime:
    """The aware moment ``day`` begins (the end of a period that ends before it)."""
    return timezone.make_aware(datetime.combine(day, time.min))
