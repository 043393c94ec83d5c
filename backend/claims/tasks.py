from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from backend.claims.choices import OPEN_STATES, UNDECIDED_STATES, ClaimState, Priority
from backend.claims.models import Claim, ClaimEvent, ClaimMessage
from backend.common.actors import Actor
from backend.common.money import format_minor
from backend.notifications.services import email_send_once
from backend.plans.texts import snapshot_in

CSAT_SALT = "claims.csat"


def csat_token(claim: Claim) -> str:
    return signing.dumps({"claim": claim.pk}, salt=CSAT_SALT, compress=True)


def csat_claim_id(token: str, max_age_days: int = 60) -> int | None:
    try:
        return signing.loads(token, salt=CSAT_SALT, max_age=max_age_days * 86400)["claim"]
    except (signing.BadSignature, KeyError, TypeError):
        return None


def _portal_url(path: str = "") -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/portal/{path}"


@shared_task(name="claims.notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def claim_notify_task(claim_id: int, event: str, extra: dict | None = None) -> bool:
    """The shopper's e-mail for one customer-visible change, in their language, once. A
    failed send is retried; the claim itself was committed before this ran."""
    extra = extra or {}
    claim = (
        Claim.objects.select_related("customer", "contract", "merchant", "resolution__partner")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        return False
    customer = claim.customer
    message = None
    if "message_id" in extra:
        message = ClaimMessage.objects.filter(
            pk=extra["message_id"], claim=claim, internal=False
        ).first()
    if event == "claim.reminder":  # what we asked for, again
        message = (
            claim.messages.filter(internal=False, author_kind="desk")
            .order_by("-created_at")
            .first()
        )
    resolution = getattr(claim, "resolution", None)
    key = f"claim:{claim.pk}:{event}"
    if message is not None:
        key += f":{message.pk}"
    if "reminder" in extra:
        key += f":{extra['reminder']}"
    language = customer.locale

    def money(amount):
        return format_minor(amount, claim.currency, language) if amount is not None else ""

    return email_send_once(
        key=key,
        to=customer.email,
        language=language,
        template="claims/email/update",
        context={
            "event": event,
            "claim": claim,
            "customer": customer,
            "product": claim.contract.product_snapshot,
            "plan": snapshot_in(claim.contract.plan_snapshot, language),
            "message": message,
            "resolution": resolution,
            "approved_display": money(claim.approved_amount),
            "resolution_amount_display": money(resolution.amount) if resolution else "",
            "claim_url": _portal_url(f"#claim/{claim.number}"),
            "csat_url": _portal_url(f"#rate/{csat_token(claim)}"),
            "appeal_days": settings.CLAIMS_APPEAL_DAYS,
            "auto_close_days": settings.CLAIMS_AUTO_CLOSE_AFTER_DAYS,
        },
    )


@shared_task(name="claims.sweep")
def claims_sweep_task() -> dict:
    return claims_sweep()


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
    from backend.claims.services import claim_close

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
    from django.db.models import Q

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
        transaction.on_commit(lambda: supervisors_alert_task.delay(breached, now.isoformat()))
    return len(breached)


@shared_task(name="claims.alert_supervisors", autoretry_for=(OSError,), max_retries=5)
def supervisors_alert_task(breached: list, at: str) -> int:
    from backend.accounts.choices import Role
    from backend.accounts.models import User

    sent = 0
    for user in User.objects.filter(groups__name=Role.DESK_SUPERVISOR, is_active=True):
        sent += email_send_once(
            key=f"sla-alert:{at}:{user.pk}",
            to=user.email,
            language=user.locale,
            template="claims/email/sla_alert",
            context={"user": user, "breached": breached, "desk_url": "/desk/"},
        )
    return sent


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
        updated = Claim.objects.filter(
            pk=claim_id, state=ClaimState.AWAITING_CUSTOMER, reminders_sent=sent
        ).update(reminders_sent=sent + 1)
        if updated:
            claim_notify_task.delay(claim_id, "claim.reminder", {"reminder": sent + 1})
            reminded += 1
    return reminded
