"""Post-purchase offers: a product bought without a plan becomes a lead, inside the plans'
buying window. A consented customer is sent one factual offer e-mail per order; its links
carry a signed token per lead that opens a landing page, where the plans are bought through
the widget's own checkout and the lead's quantity is consumed in the order's transaction.
"""

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.checkout.orders import OrderInput, OrderUpsertResult, order_upsert
from backend.common.actors import Actor
from backend.common.exceptions import Conflict, ValidationFailed
from backend.crm.choices import LeadState, Trigger
from backend.crm.consent import unsubscribe_headers, unsubscribe_url
from backend.crm.events import emit
from backend.crm.models import Lead, LeadEvent
from backend.customers.choices import ConsentKind, ConsentSource
from backend.customers.services import consent_record, customer_upsert
from backend.notifications.services import email_send_once
from backend.plans.offers import ProductInput, offers_for_product

LEAD_SALT = "coverdesk.crm.lead"
MARKETING_CONSENT_VERSION = "merchant-marketing-email-1"


# --- Reporting lines sold without a plan ------------------------------------------------


@dataclass(frozen=True)
class LeadLineInput:
    position: int
    product: ProductInput
    quantity: int


@dataclass(frozen=True)
class LeadReport:
    merchant_order_id: str
    jurisdiction: str
    customer: dict
    purchased_at: datetime
    lines: list[LeadLineInput]
    # What the shopper ticked at the merchant's checkout, if it asked (None: not asked).
    marketing_email_consent: bool | None = None
    marketing_email_text: str = ""


@dataclass(frozen=True)
class LeadLineResult:
    position: int
    lead: Lead | None
    skipped: str = ""  # why no lead: "no_eligible_plan" or "window_closed"


def _window_end(*, merchant_id: int, report: LeadReport, line: LeadLineInput):
    """When the last eligible plan's buying window closes, or why no plan is eligible."""
    common = {
        "merchant_id": merchant_id,
        "product": line.product,
        "quantity": line.quantity,
        "jurisdiction": report.jurisdiction,
    }
    open_now = offers_for_product(**common, bought_at=report.purchased_at).offers
    if not open_now:
        return None, "window_closed" if offers_for_product(**common).offers else "no_eligible_plan"
    days = max(offer.plan.buying_window_days for offer in open_now)
    return report.purchased_at + timedelta(days=days), ""


def leads_report(*, merchant, report: LeadReport) -> list[LeadLineResult]:
    """Record the order lines sold without a plan as leads (idempotent by order id and
    line position: a line reported again returns its existing lead unchanged).

    A line becomes a lead only while some plan the merchant offers for it can still be
    bought; each new lead is an ``offer_declined`` event for the tag rules.
    """
    windows = {
        line.position: _window_end(merchant_id=merchant.id, report=report, line=line)
        for line in report.lines
    }
    with transaction.atomic():
        customer = customer_upsert(
            email=report.customer["email"],
            jurisdiction=report.jurisdiction,
            **{k: v for k, v in report.customer.items() if k not in ("email", "jurisdiction")},
        )
        if report.marketing_email_consent is not None:
            consent_record(
                customer=customer,
                kind=ConsentKind.MARKETING_EMAIL,
                granted=report.marketing_email_consent,
                text=report.marketing_email_text,
                text_version=MARKETING_CONSENT_VERSION,
                source=ConsentSource.MERCHANT_API,
                merchant=merchant,
            )
        existing = {
            lead.position: lead
            for lead in Lead.objects.filter(
                merchant=merchant, merchant_order_id=report.merchant_order_id
            )
        }
        new = [
            Lead(
                merchant=merchant,
                customer=customer,
                merchant_order_id=report.merchant_order_id,
                position=line.position,
                product=asdict(line.product),
                category=line.product.category,
                jurisdiction=report.jurisdiction,
                quantity=line.quantity,
                purchased_at=report.purchased_at,
                window_ends_at=windows[line.position][0],
            )
            for line in report.lines
            if line.position not in existing and windows[line.position][0] is not None
        ]
        Lead.objects.bulk_create(new, ignore_conflicts=True)
        leads = {
            lead.position: lead
            for lead in Lead.objects.filter(
                merchant=merchant, merchant_order_id=report.merchant_order_id
            )
        }
        for position, lead in leads.items():
            if position not in existing:
                emit(Trigger.OFFER_DECLINED, lead.pk)
    return [
        LeadLineResult(
            position=line.position,
            lead=leads.get(line.position),
            skipped="" if line.position in leads else windows[line.position][1],
        )
        for line in report.lines
    ]


# --- Tokens ------------------------------------------------------------------------------


def lead_token(lead: Lead) -> str:
    """The landing page's signed token: the lead, and when its buying window closes."""
    return signing.dumps(
        {"l": lead.pk, "x": int(lead.window_ends_at.timestamp())}, salt=LEAD_SALT, compress=True
    )


def lead_url(lead: Lead) -> str:
    path = reverse("lead-offers", args=[lead_token(lead)])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def lead_from_token(token: str, *, merchant_id: int | None = None) -> Lead:
    """The open lead a token is for. 400 ``lead_token_invalid`` for a forged, tampered or
    other merchant's token; 400 ``lead_token_expired`` once its buying window has closed;
    409 ``lead_used_up`` when every unit already has a plan."""
    invalid = ValidationFailed(_("This offer link is not valid."), code="lead_token_invalid")
    if not isinstance(token, str) or len(token) > 500:
        raise invalid
    try:
        data = signing.loads(token, salt=LEAD_SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("x"), int):
        raise invalid
    lead = Lead.objects.select_related("merchant", "customer").filter(pk=data.get("l")).first()
    if lead is None or (merchant_id is not None and lead.merchant_id != merchant_id):
        raise invalid
    if data["x"] < time.time() or lead.state == LeadState.EXPIRED:
        raise ValidationFailed(
            _("The time to add a plan to this purchase has passed."), code="lead_token_expired"
        )
    if lead.state != LeadState.OPEN:
        raise Conflict(_("Every unit of this purchase already has a plan."), code="lead_used_up")
    return lead


def lead_product(lead: Lead) -> ProductInput:
    return ProductInput(**lead.product)  # stored by leads_report as asdict(ProductInput)


def lead_offers(lead: Lead):
    """The plans that can still be bought for the lead's uncovered units."""
    return offers_for_product(
        merchant_id=lead.merchant_id,
        product=lead_product(lead),
        quantity=lead.quantity_left,
        jurisdiction=lead.jurisdiction,
        bought_at=lead.purchased_at,
    )


# --- Buying through a lead -------------------------------------------------------------


def lead_checkout(*, merchant, token: str, data: OrderInput) -> OrderUpsertResult:
    """Create the order as the widget's checkout does, and consume the lead's quantity in
    the same transaction: a lead already used up rolls the order back (409)."""
    lead = lead_from_token(token, merchant_id=merchant.id)
    if data.customer["email"].strip().lower() != lead.customer.email.lower():
        raise ValidationFailed(
            _("This offer is for the e-mail address it was sent to."),
            code="lead_customer_mismatch",
            fields={"customer": {"email": [_("Use the address the offer was sent to.")]}},
        )
    if data.jurisdiction != lead.jurisdiction:
        raise ValidationFailed(
            _("This offer is for %(j)s.") % {"j": lead.jurisdiction},
            code="lead_jurisdiction_mismatch",
            fields={"jurisdiction": [_("Must be %(j)s.") % {"j": lead.jurisdiction}]},
        )
    with transaction.atomic():
        result = order_upsert(merchant=merchant, data=data)
        if result.created:
            _consume(lead.pk, result, actor=data.actor)
    return result


def _consume(lead_id: int, result: OrderUpsertResult, *, actor: Actor) -> None:
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    units = len(result.contracts)
    categories = {(c.product_snapshot or {}).get("category") for c in result.contracts}
    if categories != {lead.category}:
        raise ValidationFailed(
            _("These plans are not for the product of this offer."), code="lead_product_mismatch"
        )
    if lead.state != LeadState.OPEN or units > lead.quantity_left:
        raise Conflict(
            _("Plans were already bought for these units; reload the page."),
            code="lead_used_up",
        )
    before = lead.state
    if units == lead.quantity_left:
        lead.convert(quantity=units)
    else:
        lead.consume(quantity=units)
    lead.save()
    LeadEvent.of(
        actor,
        lead=lead,
        name="convert" if lead.state == LeadState.CONVERTED else "consume",
        from_state=before,
        to_state=lead.state,
        reason=f"Order {result.order.merchant_order_id}",
        data={"order_id": result.order.pk, "units": units},
    ).save()


# --- Offer e-mails and expiry ----------------------------------------------------------


def leads_due_offer(*, now: datetime | None = None) -> list[int]:
    """One lead per order whose offer e-mail is due: open, not yet offered, at least
    ``CRM_LEAD_OFFER_DELAY`` old, its window open for another day, and the customer's
    current consent to marketing e-mail given."""
    now = now or timezone.now()
    rows = (
        Lead.objects.filter(
            state=LeadState.OPEN,
            offer_sent_at=None,
            created_at__lte=now - settings.CRM_LEAD_OFFER_DELAY,
            window_ends_at__gt=now + timedelta(days=1),
            customer__marketing_email=True,
        )
        .order_by("merchant_id", "merchant_order_id", "position")
        .values_list("pk", "merchant_id", "merchant_order_id")
    )
    seen, ids = set(), []
    for pk, merchant_id, order_id in rows.iterator(chunk_size=2000):
        if (merchant_id, order_id) not in seen:
            seen.add((merchant_id, order_id))
            ids.append(pk)
    return ids


def lead_offer_send(*, lead_id: int) -> bool:
    """Send the offer e-mail for the lead's order, once (idempotent by order): every open
    line of the order with its own link. Consent is checked again at sending time."""
    lead = Lead.objects.select_related("merchant", "customer").filter(pk=lead_id).first()
    if lead is None:
        return False
    now = timezone.now()
    leads = list(
        Lead.objects.filter(
            merchant_id=lead.merchant_id,
            merchant_order_id=lead.merchant_order_id,
            customer_id=lead.customer_id,
            state=LeadState.OPEN,
            offer_sent_at=None,
            window_ends_at__gt=now,
        ).order_by("position")
    )
    customer = lead.customer
    if not leads or not customer.marketing_email:
        return False
    language = customer.locale or "en"
    with translation.override(language):
        lines = [
            {
                "title": line.product.get("title") or line.product.get("sku") or line.category,
                "quantity": line.quantity_left,
                "url": lead_url(line),
                "window_ends_on": timezone.localdate(line.window_ends_at),
                "plans": [offer.plan.name for offer in lead_offers(line).offers],
            }
            for line in leads
        ]
    lines = [line for line in lines if line["plans"]]
    if not lines:
        return False
    email_send_once(
        key=f"lead-offer:{lead.merchant_id}:{lead.merchant_order_id}",
        to=customer.email,
        language=language,
        template="crm/email/lead_offer",
        context={
            "customer": customer,
            "merchant": lead.merchant,
            "lines": lines,
            "unsubscribe_url": unsubscribe_url(customer),
        },
        headers=unsubscribe_headers(customer),
    )
    Lead.objects.filter(pk__in=[line.pk for line in leads], offer_sent_at=None).update(
        offer_sent_at=now
    )
    return True


def leads_expire(*, batch: int = 500) -> int:
    """Close the leads whose buying window has passed, each through its transition."""
    actor = Actor.system("buying window closed")
    expired = 0
    while True:
        with transaction.atomic():
            leads = list(
                Lead.objects.select_for_update(skip_locked=True).filter(
                    state=LeadState.OPEN, window_ends_at__lte=timezone.now()
                )[:batch]
            )
            for lead in leads:
                lead.expire()
                lead.save()
            LeadEvent.objects.bulk_create(
                LeadEvent.of(
                    actor,
                    lead=lead,
                    name="expire",
                    from_state=LeadState.OPEN,
                    to_state=LeadState.EXPIRED,
                    reason=f"Window closed {lead.window_ends_at:%Y-%m-%d}",
                )
                for lead in leads
            )
        expired += len(leads)
        if len(leads) < batch:
            return expired
