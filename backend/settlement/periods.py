"""Settlement periods: a merchant's statements cover months, or halves of months (the
1st to the 15th, the 16th to the month's end), as Mulberry bills. A period is
[start, end): ``end`` is the first day of the next one."""

from datetime import date, timedelta

from backend.settlement.choices import Cadence


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def period_of(day: date, cadence: str) -> tuple[date, date]:
    """The period of ``cadence`` that ``day`` falls in."""
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1), _next_month(day)
    if day.day < 16:
        return day.replace(day=1), day.replace(day=16)
    return day.replace(day=16), _next_month(day)


def periods_between(start: date, before: date, cadence: str) -> list[tuple[date, date]]:
    """The periods from ``start`` that end on or before ``before``. The first runs from
    ``start`` to the end of the period holding it: a merchant whose cadence changed
    mid-month has one short period, never a gap or an overlap."""
    periods = []
    end = period_of(start, cadence)[1]
    while end <= before:
        periods.append((start, end))
        start, end = end, period_of(end, cadence)[1]
    return periods
