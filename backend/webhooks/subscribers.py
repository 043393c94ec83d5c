"""Merchants' webhooks for what happens to their contracts (domain events)."""

from django.db import transaction

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
    for delivery_id in deliveries:
        transaction.on_commit(lambda pk=delivery_id: webhook_deliver_task.delay(pk))


def merchant_listens(event) -> bool:
    """Whether the contract's merchant has an active endpoint at all (most merchants have
    none): asked at relay, so that a merchant without webhooks costs no delivery."""
    merchant = Contract.objects.filter(pk=event.aggregate_id).values("merchant_id")
    return WebhookEndpoint.objects.filter(merchant_id__in=merchant, is_active=True).exists()


def register() -> None:
    # In order per contract: a merchant hears "activated" before "cancelled".
    subscribe(
        "webhooks.contract",
        events=CONTRACT_EVENTS,
        handler=contract_changed,
        ordered=True,
        wants=merchant_listens,
    )
