"""Desk queues: saved filters over the claims, and the keyset pages that list them.

A queue's filters (and the same query parameters on the list endpoint) are validated by
``QueueFilterSerializer``; an unknown key or value is a 400 with field errors. The list is
ordered as take-next hands claims out (highest priority, soonest due, oldest) and paged by
keyset, so page 5,000 costs what page 1 does.
"""

import base64
import binascii
import json
from datetime import datetime

from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from backend.claims.choices import OPEN_STATES, ClaimReason, ClaimState, Priority
from backend.claims.models import Claim
from backend.common.exceptions import ValidationFailed

ASSIGNEE_CHOICES = ("me", "unassigned", "anyone")


class QueueFilterSerializer(serializers.Serializer):
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimState.choices), required=False, max_length=11
    )
    priority_min = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=50
    )
    merchant = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=50
    )
    reason = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimReason.choices), required=False, max_length=7
    )
    sla_breached = serializers.BooleanField(required=False)
    flagged = serializers.BooleanField(required=False, help_text="Only claims with fraud flags.")
    assignee = serializers.CharField(
        required=False, help_text="me, unassigned, anyone, or a desk user's username."
    )

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({key: ["Unknown filter."] for key in sorted(unknown)})
        return attrs


def validate_filters(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed("Queue filters must be an object.", fields={"filters": ["object"]})
    serializer = QueueFilterSerializer(data=data)
    if not serializer.is_valid():
        raise ValidationFailed("These queue filters are not valid.", fields=serializer.errors)
    return {k: v for k, v in serializer.validated_data.items()}


def apply_filters(queryset, filters: dict, user):
    states = filters.get("state") or list(OPEN_STATES)
    queryset = queryset.filter(state__in=states)
    if "priority_min" in filters:
        queryset = queryset.filter(priority__gte=filters["priority_min"])
    if filters.get("category"):
        queryset = queryset.filter(category__in=filters["category"])
    if filters.get("merchant"):
        queryset = queryset.filter(merchant__slug__in=filters["merchant"])
    if filters.get("reason"):
        queryset = queryset.filter(reason__in=filters["reason"])
    if "sla_breached" in filters:
        queryset = queryset.filter(sla_breached_at__isnull=not filters["sla_breached"])
    if filters.get("flagged"):
        queryset = queryset.exclude(fraud_flags=[])
    assignee = filters.get("assignee", "anyone")
    if assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif assignee == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee != "anyone":
        queryset = queryset.filter(assignee__username=assignee)
    return queryset


# --- Keyset pages -------------------------------------------------------------------------

ORDER = ("urgency", "decision_due", "id")  # priority descending, then soonest due, oldest


def decode_cursor(cursor: str) -> tuple[int, datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        urgency, due, pk = json.loads(base64.urlsafe_b64decode(padded))
        due = parse_datetime(due)
        if due is None or not isinstance(urgency, int) or not isinstance(pk, int):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed(
            "This cursor is not valid.", code="invalid_cursor", fields={"cursor": ["invalid"]}
        ) from None
    if timezone.is_naive(due):
        due = timezone.make_aware(due)
    return urgency, due, pk


def after_cursor(queryset, cursor: str):
    """The rows after ``cursor`` in ORDER, as one row comparison: the index range scan
    starts right there, so a page deep in a million claims costs what the first one does."""
    urgency, due, pk = decode_cursor(cursor)
    table = Claim._meta.db_table
    # Raw parameters skip the field's conversion: do it here (SQLite keeps naive UTC text).
    due = Claim._meta.get_field("decision_due").get_db_prep_value(due, connections[queryset.db])
    return queryset.filter(
        RawSQL(  # noqa: S611 - the table name is the model's; the values are bound parameters
            f'("{table}"."urgency", "{table}"."decision_due", "{table}"."id") > (%s, %s, %s)',
            (urgency, due, pk),
            output_field=BooleanField(),
        )
    )


def page(queryset, size: int) -> tuple[list[dict], str | None]:
    """One page of queue rows as plain dicts, and the cursor of the next page (None at the
    end). It reads only the columns a row shows (the product title is one key of the
    contract's snapshot), and renders them without DRF: at 50 rows a page the serializer
    cost more than the query. ``DeskClaimRowSerializer`` stays the schema, and a test holds
    the two to the same output."""
    from django.db.models import F
    from django.db.models.fields.json import KeyTextTransform

    from backend.contracts.api.rendering import iso_date
    from backend.contracts.api.rendering import iso_datetime as slow_iso_datetime

    rows = list(
        queryset.order_by(*ORDER).values(
            "id",
            "number",
            "urgency",
            "reason",
            "state",
            "failure_date",
            "created_at",
            "updated_at",
            "priority",
            "category",
            "first_response_due",
            "decision_due",
            "sla_breached_at",
            "fraud_flags",
            contract_number=F("contract__number"),
            product=KeyTextTransform("title", "contract__product_snapshot"),
            merchant_slug=F("merchant__slug"),
            assignee_name=F("assignee__username"),
        )[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    labels = {value: str(label) for value, label in ClaimState.choices}

    def iso_datetime(value):  # the database hands back UTC: skip the time zone conversion
        if value is None or value.utcoffset() or timezone.get_current_timezone_name() != "UTC":
            return slow_iso_datetime(value)
        return value.isoformat()[:-6] + "Z"

    rendered = [
        {
            "number": r["number"],
            "contract": r["contract_number"],
            "product": r["product"] or "",
            "reason": r["reason"],
            "state": r["state"],
            "state_display": labels[r["state"]],
            "failure_date": iso_date(r["failure_date"]),
            "created_at": iso_datetime(r["created_at"]),
            "updated_at": iso_datetime(r["updated_at"]),
            "priority": r["priority"],
            "category": r["category"],
            "merchant": r["merchant_slug"],
            "assignee": r["assignee_name"],
            "first_response_due": iso_datetime(r["first_response_due"]),
            "decision_due": iso_datetime(r["decision_due"]),
            "sla_breached_at": iso_datetime(r["sla_breached_at"]),
            "flags": [f["code"] for f in r["fraud_flags"]],
        }
        for r in rows
    ]
    cursor = None
    if more:
        last = rows[-1]
        key = [last["urgency"], last["decision_due"].isoformat(), last["id"]]
        cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    return rendered, cursor
