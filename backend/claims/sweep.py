"""The desk's clocks, run every few minutes by ``claims.sweep``: SLA breaches, reminders
to shoppers who owe an answer, and closing claims whose time is up."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.claims.choices import OPEN_STATES, UNDECIDED_STATES, ClaimState, Priority
from backend.claims.fulfilment import claim_close
from backend.claims.models import Claim, ClaimEvent
from backend.common.actors import Actor
from backend.events.services import publish


def claims_sweep(*, now=None, batch_size: int = 500) -> dict:
    """The desk's clocks, every few minutes: SLA breaches (priority up, supervisors told),
    reminders to shoppers who owe an answer, closing claims nobody answered, and closing
    resolved and denied claims once their time is up. Each claim is handled under its row
    lock, so overlapping sweeps never act twice."""
    now = now or timezone.now()
    counts = {
        "breached": _breaches(now, batch_size),
        "reminded": _reminders(now, batch_size),
        "closed_no_reply": 0,
        "closed": 0,
    }
    system = Actor.system("claims sweep")
    no_reply = now - timedelta(days=settings.CLAIMS_AUTO_CLOSE_AFTER_DAYS)
    for claim_id in Claim.objects.filter(
        state=ClaimState.AWAITING_CUSTOMER, awaiting_since__lte=no_reply
    ).values_list("pk", flat=True)[:batch_size]:
        claim_close(claim_id=claim_id, actor=system, reason="no reply from the customer")
        counts["closed_no_reply"] += 1
    resolved_before = now - timedelta(days=settings.CLAIMS_CLOSE_RESOLVED_AFTER_DAYS)
    denied_before = now - timedelta(days=settings.CLAIMS_APPEAL_DAYS)
    for claim_id in (
        Claim.objects.filter(state=ClaimState.RESOLVED, resolved_at__lte=resolved_before)
        | Claim.objects.filter(state=ClaimState.DENIED, decided_at__lte=denied_before)
    ).values_list("pk", flat=True)[:batch_size]:
        claim_close(claim_id=claim_id, actor=system, reason="done")
        counts["closed"] += 1
    return counts


def _breaches(now, batch_size: int) -> int:
    """Claims past a due time, not yet marked: mark, raise the priority one step, record
    it, and tell the supervisors (one e-mail per sweep)."""
    late = Claim.objects.filter(sla_breached_at__isnull=True, state__in=OPEN_STATES).filter(
        Q(first_response_at__isnull=True, first_response_due__lte=now)
        | Q(decided_at__isnull=True, decision_due__lte=now, state__in=UNDECIDED_STATES)
    )
    breached = []
    system = Actor.system("SLA clock")
    for claim_id in late.values_list("pk", flat=True)[:batch_size]:
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=claim_id)
            if claim.sla_breached_at is not None:
                continue
            which = (
                "first response"
                if claim.first_response_at is None and claim.first_response_due <= now
                else "decision"
            )
            claim.sla_breached_at = now
            claim.priority = min(claim.priority + 1, Priority.URGENT)
            claim.save(update_fields=["sla_breached_at", "priority", "updated_at"])
            ClaimEvent.of(
                system,
                claim=claim,
                name="sla_breach",
                from_state=claim.state,
                to_state=claim.state,
                reason=f"{which} overdue",
                data={"priority": claim.priority},
            ).save()
            breached.append((claim.number, which))
    if breached:
        # One e-mail to the supervisors per sweep, listing them (notifications).
        with transaction.atomic():
            publish(
                "claims.sla_breached",
                aggregate="sla_clock",
                aggregate_id=now.isoformat(),
                payload={"breached": breached, "at": now.isoformat()},
            )
    return len(breached)


def _reminders(now, batch_size: int) -> int:
    every = timedelta(days=settings.CLAIMS_REMINDER_AFTER_DAYS)
    reminded = 0
    waiting = Claim.objects.filter(
        state=ClaimState.AWAITING_CUSTOMER,
        reminders_sent__lt=settings.CLAIMS_MAX_REMINDERS,
        awaiting_since__lte=now - every,
    ).values_list("pk", "reminders_sent", "awaiting_since")
    for claim_id, sent, since in waiting[:batch_size]:
        if since + every * (sent + 1) > now:
            continue  # the next reminder is not due yet
        with transaction.atomic():
            updated = Claim.objects.filter(
                pk=claim_id, state=ClaimState.AWAITING_CUSTOMER, reminders_sent=sent
            ).update(reminders_sent=sent + 1)
            if updated:
                publish(
                    "claim.reminder",
                    aggregate="claim",
                    aggregate_id=claim_id,
                    payload={"reminder": sent + 1},
                )
                reminded += 1
    return reminded
