"""Reads of the CRM: who qualifies for a time-based rule, lifetime values, a customer's
tags and their history."""

from datetime import timedelta

from django.db.models import Exists, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.contracts.choices import ContractState
from backend.contracts.models import Contract
from backend.crm.choices import Trigger
from backend.crm.models import CustomerTag

# Contracts that were paid for: lifetime value counts their prices, less any refund.
PAID_STATES = (
    ContractState.ACTIVE,
    ContractState.EXPIRED,
    ContractState.CANCELLED,
    ContractState.FULFILLED,
)


def lifetime_values(currency: str):
    """Per customer: premiums paid in ``currency`` less refunds (``customer_id``, ``value``)."""
    return (
        Contract.objects.filter(currency=currency, state__in=PAID_STATES)
        .order_by()
        .values("customer_id")
        .annotate(
            value=Sum("price")
            - Coalesce(Sum("refund__amount"), Value(0), output_field=IntegerField())
        )
    )


def qualifying_customers(rule, today):
    """The customers a time-based rule tags today, as one query of ``customer_id`` (it
    becomes a subquery of the set-based recompute)."""
    conditions = rule.conditions
    if rule.trigger == Trigger.CONTRACT_EXPIRING:
        return (
            Contract.objects.filter(
                state=ContractState.ACTIVE,
                coverage_end__gte=today,
                coverage_end__lte=today + timedelta(days=conditions["within_days"]),
            )
            .order_by()
            .values("customer_id")
        )
    if rule.trigger == Trigger.CONTRACT_EXPIRED_UNRENEWED:
        # Expired lately, and no plan in force (or being paid for) in the same category.
        category = KeyTextTransform("category", "product_snapshot")
        renewed = Contract.objects.annotate(category=category).filter(
            customer_id=OuterRef("customer_id"),
            state__in=(ContractState.ACTIVE, ContractState.PENDING_PAYMENT),
            category=OuterRef("category"),
        )
        return (
            Contract.objects.annotate(category=category)
            .filter(
                state=ContractState.EXPIRED,
                coverage_end__gte=today - timedelta(days=conditions["within_days"]),
                coverage_end__lte=today,
            )
            .filter(~Exists(renewed))
            .order_by()
            .values("customer_id")
        )
    if rule.trigger == Trigger.LIFETIME_VALUE:
        queries = [
            lifetime_values(currency).filter(value__gte=minimum).values("customer_id")
            for currency, minimum in sorted(conditions["amounts"].items())
        ]
        return queries[0].union(*queries[1:]) if len(queries) > 1 else queries[0]
    raise ValueError(f"Not a time-based trigger: {rule.trigger}")


def customer_rows(customers) -> list[dict]:
    """Customers as the console lists them, with their current tags (two queries)."""
    customers = list(customers)
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    tags: dict[int, list[str]] = {}
    for customer_id, slug in (
        CustomerTag.objects.filter(live, customer__in=customers)
        .order_by("tag__slug")
        .values_list("customer_id", "tag__slug")
    ):
        tags.setdefault(customer_id, []).append(slug)
    return [
        {
            "id": c.pk,
            "email": c.email,
            "name": c.full_name,
            "jurisdiction": c.jurisdiction,
            "locale": c.locale,
            "marketing_email": c.marketing_email,
            "marketing_sms": c.marketing_sms,
            "do_not_sell": c.do_not_sell,
            "tags": tags.get(c.pk, []),
        }
        for c in customers
    ]
