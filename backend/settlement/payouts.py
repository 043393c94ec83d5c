"""Paying merchants: their Stripe connected accounts, and each payout made once.

A payout is claimed by one worker (``attempt_started_at``, a conditional UPDATE) before
Stripe is called with the payout's own idempotency key and transfer group, and settled in
a short transaction that re-checks its state and posts it to the ledger. A worker that
takes over the claim of one that died first asks Stripe for a transfer in the payout's
group, so a crash between Stripe's answer and our commit never pays twice. A merchant
without an onboarded account, a refusal or an outage leaves the payout due, with the
reason for finance and the merchant to see; the retry sweep tries it again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.common.exceptions import ApplicationError
from backend.events.services import publish
from backend.ledger.postings import merchant_payout_post
from backend.merchants.models import Merchant
from backend.payments import stripe_gateway
from backend.payments.services import claim_is_stale_before
from backend.settlement.choices import PayoutState
from backend.settlement.models import MerchantSettlement, Payout

logger = logging.getLogger(__name__)


class NotOnboarded(ApplicationError):
    status_code = 409
    default_code = "account_not_onboarded"


def settlement_for(merchant: Merchant) -> MerchantSettlement:
    settlement, _created = MerchantSettlement.objects.get_or_create(merchant=merchant)
    return settlement


def account_refresh(settlement: MerchantSettlement) -> MerchantSettlement:
    """The connected account's flags as Stripe has them now (the source of truth)."""
    if not settlement.stripe_account_id:
        return settlement
    account = stripe_gateway.connected_account_retrieve(settlement.stripe_account_id)
    settlement.transfers_active = account.transfers_active
    settlement.payouts_enabled = account.payouts_enabled
    settlement.details_submitted = account.details_submitted
    settlement.checked_at = timezone.now()
    settlement.save(
        update_fields=["transfers_active", "payouts_enabled", "details_submitted", "checked_at"]
    )
    return settlement


def onboarding_start(*, merchant: Merchant, return_url: str, refresh_url: str) -> str:
    """The URL of Stripe's onboarding for the merchant's connected account, which is
    opened on first use (once: the merchant's own idempotency key)."""
    settlement = settlement_for(merchant)
    if not settlement.stripe_account_id:
        account = stripe_gateway.connected_account_create(
            country=merchant.country,
            email=merchant.support_email or "",
            idempotency_key=f"coverdesk-merchant-{merchant.pk}-account",
            metadata={"coverdesk_merchant": str(merchant.pk)},
        )
        updated = MerchantSettlement.objects.filter(
            pk=settlement.pk, stripe_account_id__isnull=True
        ).update(stripe_account_id=account.id)
        settlement.refresh_from_db()
        if not updated and settlement.stripe_account_id != account.id:
            logger.warning("merchant %s: account %s opened twice", merchant.pk, account.id)
    return stripe_gateway.onboarding_link_create(
        account_id=settlement.stripe_account_id, return_url=return_url, refresh_url=refresh_url
    )


def _claim(payout_id: int) -> tuple[bool, bool]:
    """Claim paying the payout: (claimed, taken over from a worker that died)."""
    due = Payout.objects.filter(pk=payout_id, state=PayoutState.DUE)
    now = timezone.now()
    if due.filter(attempt_started_at__isnull=True).update(attempt_started_at=now):
        return True, False
    if due.filter(attempt_started_at__lt=claim_is_stale_before()).update(attempt_started_at=now):
        return True, True
    return False, False


def _failed(payout_id: int, exc: ApplicationError) -> Payout:
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        payout.attempt_started_at = None
        if payout.state == PayoutState.DUE:
            payout.fail(code=exc.code, message=exc.message, at=timezone.now())
            payout.attempts += 1
        payout.save()
    logger.warning("payout %s not made: %s", payout_id, exc.message)
    return payout


def payout_execute(*, payout_id: int) -> Payout:
    """Pay a due payout through a Connect transfer, once. Call outside a transaction.
    A payout that cannot be made stays due, with its reason (``failure_code``)."""
    payout = Payout.objects.select_related("merchant").get(pk=payout_id)
    if payout.state == PayoutState.PAID:
        return payout
    claimed, taken_over = _claim(payout_id)
    if not claimed:
        return payout  # another worker is paying it right now
    try:
        settlement = account_refresh(settlement_for(payout.merchant))
        if not (settlement.stripe_account_id and settlement.transfers_active):
            raise NotOnboarded(
                _(
                    "%(merchant)s has not finished setting up payouts with Stripe: the payout "
                    "stays due until it has."
                )
                % {"merchant": payout.merchant.name}
            )
        transfer_id = (
            stripe_gateway.transfer_find(transfer_group=payout.transfer_group)
            if taken_over or payout.attempts
            else None
        ) or stripe_gateway.transfer_create(
            account_id=settlement.stripe_account_id,
            amount=payout.amount,
            currency=payout.currency,
            idempotency_key=payout.idempotency_key,
            transfer_group=payout.transfer_group,
            metadata={"coverdesk_payout": str(payout.pk), "merchant": str(payout.merchant_id)},
            description=f"Coverdesk commission, payout {payout.pk}",
        )
    except ApplicationError as exc:
        return _failed(payout_id, exc)
    except BaseException:
        # A bug or an interruption: the next attempt claims it at once and asks Stripe
        # first, since this call may have reached it.
        Payout.objects.filter(pk=payout_id).update(
            attempt_started_at=None, attempts=F("attempts") + 1
        )
        raise
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        payout.attempt_started_at = None
        if payout.state == PayoutState.DUE:
            now = timezone.now()
            payout.pay(transfer_id=transfer_id, at=now)
            payout.attempts += 1
            payout.save()
            merchant_payout_post(
                payout_id=payout.pk,
                merchant_id=payout.merchant_id,
                amount=payout.amount,
                currency=payout.currency,
                transfer_id=transfer_id,
                at=now,
            )
            publish(
                "payout.paid",
                aggregate="payout",
                aggregate_id=payout.pk,
                payload={
                    "merchant": payout.merchant_id,
                    "amount": payout.amount,
                    "currency": payout.currency,
                    "transfer": transfer_id,
                },
            )
        else:
            payout.save()
    return payout


def payouts_to_retry(*, now, limit: int = 200) -> list[int]:
    """Due payouts that failed a while ago, never started (a lost task), or whose worker
    died: tried again, oldest first."""
    wait = timedelta(seconds=settings.SETTLEMENT_PAYOUT_RETRY_SECONDS)
    return list(
        Payout.objects.filter(state=PayoutState.DUE)
        .filter(
            Q(
                attempt_started_at__isnull=True,
                last_attempt_at__isnull=True,
                created_at__lt=now - timedelta(seconds=45),
            )
            | Q(attempt_started_at__isnull=True, last_attempt_at__lt=now - wait)
            | Q(attempt_started_at__lt=claim_is_stale_before())
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
