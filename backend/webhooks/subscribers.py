"""Merchants' webhooks for what happens to their contracts and their customers' claims
(domain events)."""

from django.db import transaction

from backend.claims.models import Claim
from backend.claims.payloads import WEBHOOK_OF_EVENT, claim_dict
from backend.common.queries import unique_or_none
from backend.contracts.models import Contract
from backend.contracts.payloads import contract_webhook_data
from backend.events.registry import subscribe
from backend.webhooks.models import WebhookEndpoint
from backend.webhooks.services import webhooks_emit
from backend.webhooks.tasks import webhook_deliver_task

CONTRACT_EVENTS = (
    "contract.activated",
    "contract.cancelled",
    "contract.expired",
    "contract.voided",
)


def contract_changed(event) -> None:
    """One delivery per subscribed endpoint (once per endpoint and event: a repeat adds
    none), sent after the delivery commits; webhooks.retry_due sends what was not."""
    contract = unique_or_none(
        Contract.objects.select_related("customer", "order_line__order").filter(
            pk=event.aggregate_id
        )
    )
    if contract is None:
        return
    # merchant_listens asked already whether the merchant has an endpoint; webhooks_emit
    # writes one delivery per endpoint active now (none if it was switched off since).
    deliveries = webhooks_emit(
        merchant_id=contract.merchant_id,
        event_type=event.name,
        subject=f"contract:{contract.pk}",
        data=contract_webhook_data(contract),
    )
    _send_after_commit(deliveries)


def claim_changed(event) -> None:
    """As ``contract_changed``, for a claim: one delivery per endpoint and domain event (a
    claim may ask for the shopper's answer more than once; each time is its own)."""
    claim = unique_or_none(
        Claim.objects.select_related("customer", "contract").filter(pk=event.aggregate_id)
    )
    if claim is None:
        return
    deliveries = webhooks_emit(
        merchant_id=claim.merchant_id,
        event_type=WEBHOOK_OF_EVENT[event.name],
        subject=f"claim:{claim.pk}:event:{event.pk}",
        data={"claim": claim_dict(claim)},
    )
    _send_after_commit(deliveries)


def _send_after_commit(deliveries: list[int]) -> None:
    for delivery_id in deliveries:
        transaction.on_commit(lambda pk=delivery_id: webhook_deliver_task.delay(pk))


def _listens(merchant) -> bool:
    return WebhookEndpoint.objects.filter(merchant_id__in=merchant, is_active=True).exists()


def merchant_listens(event) -> bool:
    """Whether the contract's merchant has an active endpoint at all (most merchants have
    none): asked at relay, so that a merchant without webhooks costs no delivery."""
    return _listens(Contract.objects.filter(pk=event.aggregate_id).values("merchant_id"))


def claim_merchant_listens(event) -> bool:
    return _listens(Claim.objects.filter(pk=event.aggregate_id).values("merchant_id"))


def register() -> None:
    # In order per contract: a merchant hears "activated" before "cancelled".
    subscribe(
        "webhooks.contract",
        events=CONTRACT_EVENTS,
        handler=contract_changed,
        ordered=True,
        wants=merchant_listens,
    )
    # In order per claim: "filed" before "approved" before "closed".
    subscribe(
        "webhooks.claim",
        events=tuple(WEBHOOK_OF_EVENT),
        handler=claim_changed,
        ordered=True,
        wants=claim_merchant_listens,
    )
