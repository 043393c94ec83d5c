from celery import shared_task
from django.utils import timezone

from backend.common.queries import unique_or_none
from backend.contracts.models import Contract
from backend.contracts.services import contracts_expire_due
from backend.notifications.services import email_send_once

_TEMPLATES = {
    "contract.activated": "contracts/email/activated",
    "contract.cancelled": "contracts/email/cancelled",
    "contract.expired": "contracts/email/expired",
    "contract.voided": "contracts/email/voided",
}
# Events whose e-mail attaches documents: the contract itself, and the refund notice.
DOCUMENT_FOR_EVENT = {
    "contract.activated": "service_contract",
    "contract.cancelled": "refund_notice",
}


@shared_task(
    name="contracts.after_transition", autoretry_for=(OSError,), retry_backoff=True, max_retries=8
)
def contract_after_transition(contract_id: int, event: str) -> None:
    """What follows a committed transition: the merchant's webhooks, then the shopper's
    e-mail (after the documents it carries are issued). Every step is idempotent, so a
    retry repeats nothing."""
    contract = unique_or_none(
        Contract.objects.select_related(
            "customer", "merchant", "refund", "order_line__order"
        ).filter(pk=contract_id)
    )
    if contract is None:
        return
    contract_publish(contract, event)
    if event in DOCUMENT_FOR_EVENT:
        # The e-mail carries the documents: it is sent once they are issued (slow queue).
        from backend.documents.tasks import contract_documents_deliver_task

        contract_documents_deliver_task.delay(contract.pk, event)
    else:
        contract_notify(contract, event)


def contract_notify(contract: Contract, event: str, attachments=()) -> None:
    """Tell the shopper, in their language, what happened to their contract (once)."""
    if event not in _TEMPLATES:
        return
    customer = contract.customer
    email_send_once(
        attachments=attachments,
        key=f"contract:{contract.pk}:{event}",
        to=customer.email,
        language=customer.locale,
        template=_TEMPLATES[event],
        context={
            "contract": contract,
            "customer": customer,
            "plan": contract.plan_snapshot,
            "product": contract.product_snapshot,
            "refund": getattr(contract, "refund", None),
            "attached": bool(attachments),
        },
    )


def contract_publish(contract: Contract, event: str) -> int:
    """Send the event to the merchant's webhook endpoints (once per endpoint and event)."""
    from backend.contracts.api.serializers import ContractSerializer
    from backend.webhooks.models import WebhookEndpoint
    from backend.webhooks.services import webhooks_emit
    from backend.webhooks.tasks import webhook_deliver_task

    if not WebhookEndpoint.objects.filter(
        merchant_id=contract.merchant_id, is_active=True
    ).exists():
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
