import hashlib

from django.db import IntegrityError, transaction

from backend.common.queries import unique_or_none
from backend.customers.choices import ConsentKind, ConsentSource
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
    return ConsentRecord.objects.create(
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
