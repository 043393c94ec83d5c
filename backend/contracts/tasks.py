from datetime import timedelta

from celery import shared_task
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from backend.common.queries import unique_or_none
from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.contracts.services import contracts_expire_due
from backend.notifications.models import Notification
from backend.notifications.services import email_send_once
from backend.plans.texts import snapshot_in

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
            "plan": snapshot_in(contract.plan_snapshot, customer.locale),
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


# Each event's follow-up ends with the shopper's e-mail, which is recorded once sent: a
# contract whose event is this old with no e-mail on its way lost its follow-up (a worker
# killed mid-task, a process gone between commit and enqueue).
FOLLOW_UP_LATE = timedelta(seconds=45)
FOLLOW_UP_WINDOW = timedelta(days=2)
_EVENT_STATE = {
    "contract.activated": (ContractState.ACTIVE, "activated_at"),
    "contract.cancelled": (ContractState.CANCELLED, "ended_at"),
    "contract.expired": (ContractState.EXPIRED, "ended_at"),
    "contract.voided": (ContractState.VOIDED, "ended_at"),
}


def followups_missing(*, now, limit: int = 200) -> list[tuple[int, str]]:
    """(contract, event) pairs whose follow-up never finished: no e-mail recorded, or one
    claimed but neither sent nor failed by a task that died. A failed send is left to its
    task's own retries."""
    missing: list[tuple[int, str]] = []
    for event, (state, field) in _EVENT_STATE.items():
        key = Concat(Value("contract:"), Cast(OuterRef("pk"), CharField()), Value(f":{event}"))
        settled = Notification.objects.filter(key=key).filter(
            Q(sent_at__isnull=False) | ~Q(error="") | Q(created_at__gt=now - FOLLOW_UP_LATE)
        )
        ids = (
            Contract.objects.filter(
                state=state,
                **{
                    f"{field}__lt": now - FOLLOW_UP_LATE,
                    f"{field}__gt": now - FOLLOW_UP_WINDOW,
                },
            )
            .filter(~Exists(settled))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        missing += [(contract_id, event) for contract_id in ids]
    return missing


@shared_task(name="contracts.followups_sweep")
def contracts_followups_sweep_task() -> int:
    """Run again each follow-up a killed worker or a lost task left unfinished. Every step
    of it is idempotent (webhooks once per endpoint and event, documents once, e-mail once
    by key), so what was done already is not done twice."""
    missing = followups_missing(now=timezone.now())
    for contract_id, event in missing:
        contract_after_transition.delay(contract_id, event)
    return len(missing)
