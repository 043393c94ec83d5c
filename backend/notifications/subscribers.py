"""The shopper's e-mails about their contracts and claims, sent when the change they tell
of is committed (domain events). Each is sent once, by its key (``email_send_once``), so
a delivery run twice sends nothing twice."""

from backend.common.queries import unique_or_none
from backend.contracts.models import Contract
from backend.documents.choices import DocumentState
from backend.documents.models import Document
from backend.events.registry import subscribe
from backend.notifications.services import email_send_once
from backend.plans.texts import snapshot_in

_CONTRACT_TEMPLATES = {
    "contract.activated": "contracts/email/activated",
    "contract.cancelled": "contracts/email/cancelled",
    "contract.expired": "contracts/email/expired",
    "contract.voided": "contracts/email/voided",
}


def contract_notify(contract: Contract, event: str, attachments=()) -> None:
    """Tell the shopper, in their language, what happened to their contract (once)."""
    customer = contract.customer
    email_send_once(
        attachments=attachments,
        key=f"contract:{contract.pk}:{event}",
        to=customer.email,
        language=customer.locale,
        template=_CONTRACT_TEMPLATES[event],
        context={
            "contract": contract,
            "customer": customer,
            "plan": snapshot_in(contract.plan_snapshot, customer.locale),
            "product": contract.product_snapshot,
            "refund": getattr(contract, "refund", None),
            "attached": bool(attachments),
        },
    )


def contract_email(event) -> None:
    """An ending (expired, voided) is told at once; an activation or a cancellation once
    its documents are issued (``contract.documents_issued``), with them attached."""
    contract = unique_or_none(
        Contract.objects.select_related("customer", "refund").filter(pk=event.aggregate_id)
    )
    if contract is None:
        return
    if event.name != "contract.documents_issued":
        contract_notify(contract, event.name)
        return
    attachments = []
    for document in Document.objects.filter(
        pk__in=event.payload["documents"], state=DocumentState.ISSUED
    ).order_by("pk"):
        with document.file.open("rb") as f:
            name = f"{contract.number}-{document.kind}-{document.language}.pdf"
            attachments.append((name, f.read(), "application/pdf"))
    contract_notify(contract, event.payload["event"], attachments=attachments)


def register() -> None:
    subscribe(
        "notifications.contract_email",
        events=["contract.expired", "contract.voided", "contract.documents_issued"],
        handler=contract_email,
        atomic=False,
    )
