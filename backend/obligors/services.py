"""Closing a month: once, for every obligor at once.

The close first brings the books to the month's end: premium earned for every day up to
its last, and each merchant's statements closed for the periods that ended with it. Then,
in one transaction, it records the month (unique: a second close is 409, and two at once
leave one) with the figures of every plan (``figures.month_figures``). Those are what the
month's reports total, and they never change: a late event belongs to the next month.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError, Conflict
from backend.ledger.earning import earning_catch_up
from backend.ledger.models import EarningDay
from backend.obligors.figures import month_figures
from backend.obligors.models import MonthClose, PlanMonth
from backend.settlement.statements import statements_close_due


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def _earned_through(last_day: date) -> None:
    """Earn every day up to ``last_day`` and no further (the hourly run earns the days
    after it), catching up a month at a time."""
    for _attempt in range(24):
        if EarningDay.objects.filter(day__gte=last_day).exists():
            return
        if not earning_catch_up(today=last_day + timedelta(days=1)):
            return


def month_close(*, month: date, user=None, today: date | None = None) -> MonthClose:
    """Close ``month`` (any day of it). 400 ``month_not_over`` before its last day has
    passed; 409 ``month_closed`` if it is closed already."""
    today = today or timezone.localdate()
    start, end = month_bounds(month)
    if MonthClose.objects.filter(month=start).exists():
        raise _closed(start)
    if end > today:
        raise ApplicationError(
            _("%(month)s is not over yet: a month closes once its last day has passed.")
            % {"month": f"{start:%Y-%m}"},
            code="month_not_over",
        )
    _earned_through(end - timedelta(days=1))
    statements_close_due(today=end)
    try:
        with transaction.atomic():
            close = MonthClose.objects.create(month=start, closed_at=timezone.now(), closed_by=user)
            PlanMonth.objects.bulk_create(
                PlanMonth(
                    close=close,
                    provider_id=figures.provider_id,
                    plan_id=figures.plan_id,
                    currency=figures.currency,
                    **figures.values,
                )
                for figures in month_figures(start, end)
            )
    except IntegrityError:
        raise _closed(start) from None
    return close


def _closed(start: date) -> Conflict:
    return Conflict(
        _("%(month)s is closed already; a closed month stays closed.")
        % {"month": f"{start:%Y-%m}"},
        code="month_closed",
    )
