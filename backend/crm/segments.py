"""Segments: a saved audience definition, validated field by field, and the customers it
selects as one query (so a count, a sample and a million-row export read the same set).

A definition (every key optional):

    {"tags_any": ["bought-phones"], "tags_all": ["high-value"], "tags_none": ["detractor"],
     "categories": ["phones"], "plans": ["phone-2y"], "merchants": ["volt"],
     "purchased_from": "2026-01-01", "purchased_to": "2026-06-30",
     "jurisdictions": ["US-CA"], "locales": ["en"],
     "lifetime_value": {"currency": "USD", "min": 10000, "max": null},
     "channel": "email"}

Contract filters (category, plan, merchant, purchase dates) are met together by one paid
contract. ``channel`` narrows the segment to customers who can be reached on it;
exports always apply their channel's consent and do-not-sell whatever the definition says.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import serializers

from backend.common.exceptions import ValidationFailed
from backend.contracts.models import Contract
from backend.crm.choices import Channel
from backend.crm.models import CustomerTag, Lead, Tag
from backend.crm.selectors import PAID_STATES, customer_rows, lifetime_values
from backend.customers.models import Customer


def _slugs():
    return serializers.ListField(child=serializers.SlugField(max_length=60), max_length=100)


class _LifetimeValueSerializer(serializers.Serializer):
    currency = serializers.RegexField(r"^[A-Z]{3}$")
    min = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    max = serializers.IntegerField(min_value=0, required=False, allow_null=True)

    def validate(self, attrs):
        low, high = attrs.get("min"), attrs.get("max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max": ["Must not be below min."]})
        return attrs


class SegmentDefinitionSerializer(serializers.Serializer):
    tags_any = _slugs()
    tags_all = _slugs()
    tags_none = _slugs()
    categories = serializers.ListField(child=serializers.SlugField(max_length=50), max_length=100)
    plans = _slugs()
    merchants = _slugs()
    purchased_from = serializers.DateField()
    purchased_to = serializers.DateField()
    jurisdictions = serializers.ListField(
        child=serializers.RegexField(r"^[A-Z]{2}(-[A-Z]{2})?$"), max_length=100
    )
    locales = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2}(-[a-z]{2,4})?$"), max_length=20
    )
    lifetime_value = _LifetimeValueSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices, allow_null=True)

    def validate(self, attrs):
        errors = {
            key: ["Unknown field."] for key in sorted(set(self.initial_data) - set(self.fields))
        }
        slugs = {
            slug for key in ("tags_any", "tags_all", "tags_none") for slug in attrs.get(key, ())
        }
        known = set(Tag.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        for key in ("tags_any", "tags_all", "tags_none"):
            unknown = [slug for slug in attrs.get(key, ()) if slug not in known]
            if unknown:
                errors[key] = [f"Unknown tag: {', '.join(unknown)}."]
        start, end = attrs.get("purchased_from"), attrs.get("purchased_to")
        if start and end and start > end:
            errors["purchased_to"] = ["Must not be before purchased_from."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def validate_definition(data) -> dict:
    """The definition, validated and normalised to JSON types (dates as ISO strings)."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            "A segment definition must be an object.", fields={"definition": ["object"]}
        )
    serializer = SegmentDefinitionSerializer(data=data, partial=True)
    if not serializer.is_valid():
        raise ValidationFailed("This segment definition is not valid.", fields=serializer.errors)
    return json.loads(json.dumps(serializer.validated_data, cls=DjangoJSONEncoder))


def marketable_customers():
    """Everyone a segment can hold: people who bought something, a paid plan or (reported
    by the merchant as a lead) a product. A shopper whose payment failed or never came is a
    customer row, not a customer: they are in no segment, count or export."""
    paid = Contract.objects.filter(customer=OuterRef("pk"), state__in=PAID_STATES)
    reported = Lead.objects.filter(customer=OuterRef("pk"))
    return Customer.objects.filter(Exists(paid) | Exists(reported))


def segment_customers(definition: dict):
    """The customers a (validated) definition selects, as a queryset of Customer."""
    now = timezone.now()
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=now)

    def tagged(slugs):
        return Exists(
            CustomerTag.objects.filter(live, customer=OuterRef("pk"), tag__slug__in=slugs)
        )

    customers = marketable_customers()
    if definition.get("tags_any"):
        customers = customers.filter(tagged(definition["tags_any"]))
    for slug in definition.get("tags_all", ()):
        customers = customers.filter(tagged([slug]))
    if definition.get("tags_none"):
        customers = customers.filter(~tagged(definition["tags_none"]))
    contracts = Q()
    if definition.get("categories"):
        contracts &= Q(product_snapshot__category__in=definition["categories"])
    if definition.get("plans"):
        contracts &= Q(plan__code__in=definition["plans"])
    if definition.get("merchants"):
        contracts &= Q(merchant__slug__in=definition["merchants"])
    if definition.get("purchased_from"):
        contracts &= Q(purchased_at__date__gte=definition["purchased_from"])
    if definition.get("purchased_to"):
        contracts &= Q(purchased_at__date__lte=definition["purchased_to"])
    if contracts:
        bought = Contract.objects.filter(contracts, customer=OuterRef("pk"), state__in=PAID_STATES)
        customers = customers.filter(Exists(bought))
    if definition.get("jurisdictions"):
        customers = customers.filter(jurisdiction__in=definition["jurisdictions"])
    if definition.get("locales"):
        customers = customers.filter(locale__in=definition["locales"])
    value = definition.get("lifetime_value")
    if value and (value.get("min") is not None or value.get("max") is not None):
        ltv = lifetime_values(value["currency"]).filter(customer_id=OuterRef("pk")).values("value")
        customers = customers.annotate(
            lifetime_value=Coalesce(Subquery(ltv[:1]), Value(0), output_field=IntegerField())
        )
        if value.get("min") is not None:
            customers = customers.filter(lifetime_value__gte=value["min"])
        if value.get("max") is not None:
            customers = customers.filter(lifetime_value__lte=value["max"])
    if definition.get("channel"):
        customers = reachable(customers, definition["channel"])
    return customers


def reachable(customers, channel: str):
    """Customers marketing may contact on ``channel``: consent for it, no do-not-sell (or
    GPC) request, and an address for it. Every marketing export goes through here."""
    customers = customers.filter(do_not_sell=False)
    if channel == Channel.SMS:
        return customers.filter(marketing_sms=True).exclude(phone="")
    if channel == Channel.EMAIL:
        return customers.filter(marketing_email=True)
    raise ValueError(f"Unknown channel: {channel}")


def segment_preview(definition: dict, sample_size: int = 10) -> dict:
    """The live count of a definition while it is edited: how many it selects, how many an
    export could reach on each channel, and the first few."""
    customers = segment_customers(definition)
    return {
        "count": customers.count(),
        "reachable": {channel: reachable(customers, channel).count() for channel in Channel.values},
        "sample": customer_rows(customers.order_by("-pk")[:sample_size]),
    }
