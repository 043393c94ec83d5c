from celery import shared_task
from django.utils import timezone

from backend.contracts.models import Contract
from backend.contracts.services import contracts_expire_due
from backend.notifications.services import email_send_once

_TEMPLATES = {
    "contract.activated": "contracts/email/activated",
    "contract.cancelled": "contracts/email/cancelled",
    "contract.expired": "contracts/email/expired",
    "contract.voided": "contracts/email/voided",
}


@shared_task(name="contracts.notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def contract_notify(contract_id: int, event: str) -> None:
    """Tell the shopper, in their language, what happened to their contract (once)."""
    contract = (
        Contract.objects.select_related("customer", "merchant", "refund")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None or event not in _TEMPLATES:
        return
    customer = contract.customer
    refund = getattr(contract, "refund", None)
    email_send_once(
        key=f"contract:{contract.pk}:{event}",
        to=customer.email,
        language=customer.locale,
        template=_TEMPLATES[event],
        context={
            "contract": contract,
            "customer": customer,
            "plan": contract.plan_snapshot,
            "product": contract.product_snapshot,
            "refund": refund,
        },
    )


@shared_task(name="contracts.publish")
def contract_publish(contract_id: int, event: str) -> int:
    """Send the event to the merchant's webhook endpoints (once per endpoint and event)."""
    from backend.contracts.api.serializers import ContractSerializer
    from backend.webhooks.services import webhooks_emit
    from backend.webhooks.tasks import webhook_deliver_task

    contract = Contract.objects.select_related("customer").filter(pk=contract_id).first()
    if contract is None:
        return 0
    data = {
        "contract": ContractSerializer(contract).data,
        "merchant_order_id": contract.order_line.order.merchant_order_id,
    }
    deliveries = webhooks_emit(
        merchant_id=contract.merchant_id,
        event_type=event,
        subject=f"contract:{contract.pk}",
        data=data,
    )
    for delivery_id in deliveries:
        webhook_deliver_task.delay(delivery_id)
    return len(deliveries)


@shared_task(name="contracts.expire_due")
def contracts_expire_due_task() -> int:
    return contracts_expire_due(today=timezone.localdate())
