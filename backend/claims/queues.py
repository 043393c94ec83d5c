"""Desk queues: saved filters over the claims, and the keyset pages that list them.

A queue's filters (and the same query parameters on the list endpoint) are validated by
``QueueFilterSerializer``; an unknown key or value is a 400 with field errors. The list is
ordered as take-next hands claims out (highest priority, soonest due, oldest) and paged by
keyset, so page 5,000 costs what page 1 does.
"""

import base64
import binascii
import json
from collections import namedtuple
from datetime import UTC, datetime

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from backend.accounts.models import User
from backend.claims.choices import OPEN_STATES, ClaimReason, ClaimState, Priority
from backend.claims.models import Claim
from backend.common.api.fields import StrictCharField
from backend.common.exceptions import ValidationFailed
from backend.common.isoformat import iso_datetime
from backend.contracts.models import Contract
from backend.merchants.models import Merchant

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
    assignee = StrictCharField(
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
    if not data:
        return {}  # the whole open queue: no serializer to build (it is most of a page's cost)
    serializer = QueueFilterSerializer(data=data)
    if not serializer.is_valid():
        raise ValidationFailed("These queue filters are not valid.", fields=serializer.errors)
    return {k: v for k, v in serializer.validated_data.items()}


def condition(filters: dict, user, *, alias: str = "") -> tuple[str, list]:
    """A queue's filters as one SQL condition on the claims table, with bound parameters.

    The page query below and take-next's ORM query (``apply_filters``) both use it, so a
    queue can never list one set of claims and hand out another. Related tables are reached
    by subquery, so the condition names only the claims table's own columns."""
    quote = connection.ops.quote_name
    table = alias or quote(Claim._meta.db_table)
    parts: list[str] = []
    params: list = []

    def placeholders(values) -> str:
        params.extend(values)
        return ", ".join(["%s"] * len(values))

    def among(column: str, values) -> str:
        return f"{table}.{quote(column)} IN ({placeholders(values)})"

    def ids_where(model, column: str, values) -> str:
        related, matches = quote(model._meta.db_table), placeholders(values)
        # Identifiers are the models' own; the values are bound parameters.
        return f"SELECT id FROM {related} WHERE {quote(column)} IN ({matches})"  # noqa: S608

    parts.append(among("state", filters.get("state") or OPEN_STATES))
    if "priority_min" in filters:
        parts.append(f"{table}.{quote('priority')} >= %s")
        params.append(filters["priority_min"])
    if filters.get("category"):
        parts.append(among("category", filters["category"]))
    if filters.get("merchant"):
        merchants = ids_where(Merchant, "slug", filters["merchant"])
        parts.append(f"{table}.{quote('merchant_id')} IN ({merchants})")
    if filters.get("reason"):
        parts.append(among("reason", filters["reason"]))
    if "sla_breached" in filters:
        negation = "NOT " if filters["sla_breached"] else ""
        parts.append(f"{table}.{quote('sla_breached_at')} IS {negation}NULL")
    if filters.get("flagged"):  # JSON text: the same on PostgreSQL (jsonb) and SQLite
        parts.append(f"CAST({table}.{quote('fraud_flags')} AS TEXT) <> '[]'")
    assignee = filters.get("assignee", "anyone")
    if assignee == "me":
        parts.append(f"{table}.{quote('assignee_id')} = %s")
        params.append(user.pk)
    elif assignee == "unassigned":
        parts.append(f"{table}.{quote('assignee_id')} IS NULL")
    elif assignee != "anyone":
        users = ids_where(User, "username", [assignee])
        parts.append(f"{table}.{quote('assignee_id')} IN ({users})")
    return " AND ".join(parts), params


def apply_filters(queryset, filters: dict, user):
    sql, params = condition(filters, user)
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611


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


# The page's SQL, by hand: the ORM spent longer compiling this query and converting its
# rows than PostgreSQL spends running it (docs/PERFORMANCE.md). It reads the columns a row
# shows; the product title is one key of the contract's snapshot. Dates and times come as
# text: the driver's own time zone aware conversion cost more than the rest of the page.
# (name, SQL) in SELECT order: each row is read back by these names (``QueueRow``).
COLUMNS = (
    ("id", "c.id"),
    ("number", "c.number"),
    ("urgency", "c.urgency"),
    ("reason", "c.reason"),
    ("state", "c.state"),
    ("failure_date", "CAST(c.failure_date AS TEXT)"),
    ("created_at", "{created_at}"),
    ("updated_at", "{updated_at}"),
    ("priority", "c.priority"),
    ("category", "c.category"),
    ("first_response_due", "{first_response_due}"),
    ("decision_due", "{decision_due}"),
    ("sla_breached_at", "{sla_breached_at}"),
    ("flags", "CAST(c.fraud_flags AS TEXT)"),
    ("contract", "(SELECT k.number FROM {contracts} k WHERE k.id = c.contract_id)"),
    ("product", "(SELECT {title} FROM {contracts} k WHERE k.id = c.contract_id)"),
    ("merchant", "(SELECT m.slug FROM {merchants} m WHERE m.id = c.merchant_id)"),
    ("assignee", "(SELECT u.username FROM {users} u WHERE u.id = c.assignee_id)"),
)
QueueRow = namedtuple("QueueRow", [name for name, _sql in COLUMNS])
# Built from the constants above only; every value is a bound parameter.
PAGE_SQL = "\n".join(
    (
        "SELECT " + ", ".join(sql for _name, sql in COLUMNS),
        "FROM {claims} c WHERE {where}",
        "ORDER BY c.urgency, c.decision_due, c.id LIMIT %s",
    )
)
# The related columns are scalar subqueries rather than joins: PostgreSQL plans them in
# half the time, and planning was most of this query's cost.
TITLE = {
    "postgresql": "k.product_snapshot ->> 'title'",
    "sqlite": "json_extract(k.product_snapshot, '$.title')",
}
STAMPS = ("created_at", "updated_at", "first_response_due", "decision_due", "sla_breached_at")
# PostgreSQL writes a UTC time as DRF does (``2026-11-23T09:13:35.190000Z``, no fraction
# when it is zero) in less time than Python's string work on its text took (250 a page);
# SQLite's text, and any time shown in another zone, are rewritten in Python.
DRF_UTC = (
    "replace(to_char(c.{0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "'.000000Z', 'Z')"
)


def page(filters: dict, user, *, cursor: str | None = None, size: int = 50):
    """One page of a queue as plain dicts, and the cursor of the next page (None at the end).

    Rows after ``cursor`` are one row comparison, so the index range scan starts right there
    and a page deep in a million claims costs what the first one does. Rows are rendered
    without DRF: ``DeskClaimRowSerializer`` stays the schema, and a test holds the two to
    the same output."""
    where, params = condition(filters, user, alias="c")
    if cursor:
        urgency, due, pk = decode_cursor(cursor)
        where += " AND (c.urgency, c.decision_due, c.id) > (%s, %s, %s)"
        # Raw parameters skip the field's conversion: do it here (SQLite keeps naive UTC).
        due = Claim._meta.get_field("decision_due").get_db_prep_value(due, connection)
        params += [urgency, due, pk]
    in_utc = timezone.get_current_timezone_name() == "UTC"
    formatted = in_utc and connection.vendor == "postgresql"
    stamp_sql = DRF_UTC if formatted else "CAST(c.{0} AS TEXT)"
    sql = PAGE_SQL.format(
        **{column: stamp_sql.format(column) for column in STAMPS},
        title=TITLE[connection.vendor],
        claims=connection.ops.quote_name(Claim._meta.db_table),
        contracts=connection.ops.quote_name(Contract._meta.db_table),
        merchants=connection.ops.quote_name(Merchant._meta.db_table),
        users=connection.ops.quote_name(User._meta.db_table),
        where=where,
    )
    with connection.cursor() as db:
        db.execute(sql, [*params, size + 1])
        rows = [QueueRow._make(row) for row in db.fetchall()]
    more = len(rows) > size
    rows = rows[:size]
    labels = {value: str(label) for value, label in ClaimState.choices}
    stamp = (lambda text: text) if formatted else _utc_iso if in_utc else _local_iso
    rendered = [row_dict(row, stamp, labels) for row in rows]
    next_cursor = None
    if more:
        last = rows[-1]
        due = datetime.fromisoformat(last.decision_due)
        due = due if timezone.is_aware(due) else timezone.make_aware(due, UTC)
        key = [last.urgency, due.isoformat(), last.id]
        next_cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    return rendered, next_cursor


def row_dict(row: QueueRow, stamp, labels: dict[str, str]) -> dict:
    """A queue row as the desk's API shows it (``DeskClaimRowSerializer``, its schema):
    ``stamp`` writes a time as DRF does, ``labels`` names the states."""
    return {
        "number": row.number,
        "contract": row.contract,
        "product": row.product or "",
        "reason": row.reason,
        "state": row.state,
        "state_display": labels[row.state],
        "failure_date": row.failure_date,
        "created_at": stamp(row.created_at),
        "updated_at": stamp(row.updated_at),
        "priority": row.priority,
        "category": row.category,
        "merchant": row.merchant,
        "assignee": row.assignee,
        "first_response_due": stamp(row.first_response_due),
        "decision_due": stamp(row.decision_due),
        "sla_breached_at": stamp(row.sla_breached_at),
        "flags": [] if row.flags == "[]" else [f["code"] for f in json.loads(row.flags)],
    }


def _utc_iso(text: str | None) -> str | None:
    """A timestamp as DRF writes it in UTC (``2026-11-23T09:13:35.190000Z``), from the
    database's text of it where the database did not write it so itself (SQLite:
    ``2026-11-23 09:13:35.190000``, naive UTC; PostgreSQL's ``... 09:13:35.19+00`` is read
    too). String work, no parsing: a page has 250 of these."""
    if text is None:
        return None
    if text.endswith("+00"):
        text = text[:-3]
    elif len(text) > 26 or "+" in text[19:] or "-" in text[19:]:
        return _local_iso(text)  # not UTC after all: take the slow, general way
    time = text[11:]
    if "." in time:
        whole, fraction = time.split(".")
        time = f"{whole}.{fraction:0<6}"
    return f"{text[:10]}T{time}Z"


def _local_iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return iso_datetime(value if timezone.is_aware(value) else timezone.make_aware(value, UTC))
