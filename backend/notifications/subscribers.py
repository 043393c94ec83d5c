"""The e-mails about contracts and claims (to shoppers, and the desk's SLA alerts), sent
when the change they tell of is committed (domain events). Each is sent once, by its key
(``email_send_once``), so a delivery run twice sends nothing twice."""

from django.conf import settings

from backend.accounts.choices import Role
from backend.accounts.models import User
from backend.claims.csat import csat_token
from backend.claims.models import Claim, ClaimMessage
from backend.common.money import format_minor
from backend.common.queries import unique_or_none
from backend.contracts.models import Contract
from backend.documents.choices import DocumentState
from backend.documents.models import Document
from backend.events.registry import subscribe
from backend.merchants.choices import InviteState
from backend.merchants.models import MerchantInvite
from backend.merchants.selectors import invite_link
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


# The e-mail each claim event sends (by the name its template and key use); claim.closed
# is told only when it closed for want of the shopper's answer.
_CLAIM_EMAIL = {
    "claim.filed": "claim.submitted",
    "claim.withdrawn": "claim.withdrawn",
    "claim.appealed": "claim.appealed",
    "claim.message": "claim.message",
    "claim.awaiting_customer": "claim.awaiting_customer",
    "claim.approved": "claim.approved",
    "claim.denied": "claim.denied",
    "claim.fulfilled": "claim.in_fulfillment",
    "claim.shipped": "claim.shipped",
    "claim.resolved": "claim.resolved",
    "claim.closed": "claim.closed_no_reply",
    "claim.reminder": "claim.reminder",
}


def _portal_url(path: str = "") -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/portal/{path}"


def claim_email(event) -> None:
    """The shopper's e-mail for one customer-visible change, in their language, once."""
    if event.name == "claim.closed" and not event.payload.get("no_reply"):
        return
    claim_notify(int(event.aggregate_id), _CLAIM_EMAIL[event.name], event.payload)


def claim_notify(claim_id: int, event: str, extra: dict) -> bool:
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


def supervisors_alert(event) -> None:
    """One e-mail to each desk supervisor listing the claims a sweep found overdue."""
    breached, at = event.payload["breached"], event.payload["at"]
    for user in User.objects.filter(groups__name=Role.DESK_SUPERVISOR, is_active=True):
        email_send_once(
            key=f"sla-alert:{at}:{user.pk}",
            to=user.email,
            language=user.locale,
            template="claims/email/sla_alert",
            context={"user": user, "breached": breached, "desk_url": "/desk/"},
        )


def merchant_invite_email(event) -> None:
    """The invite link to a merchant's new admin, in the merchant's language, once; an invite
    withdrawn or spent before the e-mail went is not sent."""
    invite = (
        MerchantInvite.objects.select_related("merchant", "created_by")
        .filter(pk=event.aggregate_id, state=InviteState.PENDING)
        .first()
    )
    if invite is None:
        return
    email_send_once(
        key=f"merchant-invite:{invite.pk}",
        to=invite.email,
        language=invite.merchant.default_locale,
        template="merchants/email/invite",
        context={
            "invite": invite,
            "merchant": invite.merchant,
            "link": invite_link(invite),
            "sender": invite.created_by.get_full_name() if invite.created_by else "",
        },
    )


def register() -> None:
    subscribe(
        "notifications.merchant_invite_email",
        events=["merchant.invited"],
        handler=merchant_invite_email,
        atomic=False,
    )
    subscribe(
        "notifications.contract_email",
        events=["contract.expired", "contract.voided", "contract.documents_issued"],
        handler=contract_email,
        atomic=False,
    )
    subscribe(
        "notifications.claim_email",
        events=list(_CLAIM_EMAIL),
        handler=claim_email,
        atomic=False,
    )
    subscribe(
        "notifications.sla_alert",
        events=["claims.sla_breached"],
        handler=supervisors_alert,
        atomic=False,
    )
