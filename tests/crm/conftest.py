"""CRM fixtures: tags and rules, marketing staff, and customers with consent."""

import pytest
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.crm.models import Tag, TagRule


@pytest.fixture
def rule():
    """``rule("plan_bought", "bought-phones", category=["phones"], expires_after_days=...)``"""

    def make(trigger, slug, expires_after_days=None, active=True, **conditions):
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ")})
        return TagRule.objects.create(
            name=f"{trigger} -> {slug}",
            trigger=trigger,
            conditions=conditions,
            tag=tag,
            expires_after_days=expires_after_days,
            active=active,
        )

    return make


@pytest.fixture
def marketing(make_user) -> APIClient:
    user = make_user(Role.MARKETING)
    client = APIClient()
    client.force_login(user)
    client.user = user
    return client


def tags_of(customer) -> set[str]:
    return set(customer.tags.values_list("tag__slug", flat=True))


def _reported_purchase(person) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from backend.crm.models import Lead
    from tests.factories import MerchantFactory

    now = timezone.now()
    Lead.objects.create(
        merchant=MerchantFactory(),
        customer=person,
        merchant_order_id=f"bought-{person.pk}",
        position=0,
        product={
            "sku": "X",
            "title": "Phone",
            "category": "phones",
            "price": 9900,
            "currency": "USD",
        },
        category="phones",
        jurisdiction=person.jurisdiction,
        quantity=1,
        purchased_at=now - timedelta(days=1),
        window_ends_at=now + timedelta(days=29),
    )


@pytest.fixture
def customer(db):
    """``customer("a@example.com", email=True, sms=False, do_not_sell=False, **profile)``:
    a customer whose consent comes from real consent records."""
    from backend.customers.choices import ConsentKind, ConsentSource
    from backend.customers.models import Customer
    from backend.customers.services import consent_record

    def make(
        email,
        *,
        marketing_email=True,
        sms=False,
        do_not_sell=False,
        gpc=False,
        bought=True,
        **profile,
    ):
        profile.setdefault("jurisdiction", "US-CA")
        person = Customer.objects.create(email=email, **profile)
        if bought:  # a purchase the merchant reported: what makes a person a customer
            _reported_purchase(person)
        for kind, granted, source in (
            (ConsentKind.MARKETING_EMAIL, marketing_email, ConsentSource.WIDGET),
            (ConsentKind.MARKETING_SMS, sms, ConsentSource.WIDGET),
            (ConsentKind.DO_NOT_SELL, do_not_sell, ConsentSource.PORTAL),
            (ConsentKind.DO_NOT_SELL, True, ConsentSource.GPC) if gpc else (None, None, None),
        ):
            if kind is not None:
                consent_record(
                    customer=person,
                    kind=kind,
                    granted=granted,
                    text="test",
                    text_version="t1",
                    source=source,
                )
        person.refresh_from_db()
        return person

    return make
