import hashlib

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from backend.common.queries import unique_or_none
from backend.customers.choices import CONSENT_STATE_FIELDS, ConsentKind, ConsentSource
from backend.customers.models import ConsentRecord, Customer

_PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "jurisdiction",
    "locale",
)


def customer_upsert(*, email: str, **profile) -> Customer:
    """The customer with this e-mail, created if new; given profile fields are updated.

    Race-safe: two concurrent first purchases by one e-mail end with one customer.
    """
    email = email.strip().lower()
    fields = {k: v for k, v in profile.items() if k in _PROFILE_FIELDS and v not in (None, "")}
    customer = unique_or_none(Customer.objects.filter(email=email))
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(email=email, **fields)
        except IntegrityError:
            customer = Customer.objects.get(email=email)
    changed = [k for k, v in fields.items() if getattr(customer, k) != v]
    if changed:
        for k in changed:
            setattr(customer, k, fields[k])
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


def consent_record(
    *,
    customer: Customer,
    kind: ConsentKind,
    granted: bool,
    text: str,
    text_version: str,
    source: ConsentSource,
    document_sha256: str = "",
    document_ref: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    merchant=None,
) -> ConsentRecord:
    """Record one consent given or withdrawn; the customer's current state for marketing
    kinds follows in the same transaction, so an unsubscribe holds from its commit on."""
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            customer=customer,
            kind=kind,
            granted=granted,
            text=text,
            text_version=text_version,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            document_sha256=document_sha256,
            document_ref=document_ref,
            source=source,
            ip_address=ip_address,
            user_agent=user_agent[:500],
            merchant=merchant,
        )
        field = CONSENT_STATE_FIELDS.get(kind)
        if field is not None:
            _consent_state_refresh(customer_ids=[customer.pk], kind=kind, field=field)
            customer.refresh_from_db(fields=[field])
    return record


def _consent_state_refresh(*, kind: str, field: str, customer_ids=None) -> int:
    """Set the customers' ``field`` to their latest ``kind`` record (False with none), in
    one UPDATE. Concurrent records for one customer: the transaction that commits last
    reads both, so the state ends at the latest record whatever the order."""
    latest = ConsentRecord.objects.filter(customer=OuterRef("pk"), kind=kind).order_by(
        "-created_at", "-id"
    )
    customers = Customer.objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    return customers.update(
        **{field: Coalesce(Subquery(latest.values("granted")[:1]), Value(False))}
    )


def consent_state_rebuild() -> int:
    """Every customer's consent state from the records (set-based: one UPDATE per kind)."""
    with transaction.atomic():
        return max(
            _consent_state_refresh(kind=kind, field=field)
            for kind, field in CONSENT_STATE_FIELDS.items()
        )
