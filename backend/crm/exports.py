"""Marketing exports: a segment's reachable customers, streamed into a CSV file in the
column layout a mail tool imports, with constant memory.

The rows are one SQL query whose cells are already final: formula-neutralised, newlines
flattened, NULLs empty. On PostgreSQL the query runs as ``COPY (...) TO STDOUT`` and its
bytes go straight to the file; elsewhere a server-side cursor feeds Python's csv writer.
Both quote every cell and end lines with ``\\n``, so both write the same bytes (a test
holds them to it).

Consent is not a parameter: ``export_query`` always narrows to the channel's consented,
not-do-not-sell customers (``segments.reachable``).
"""

import csv
import hashlib
import io
from contextlib import contextmanager

from django.db import connection

from backend.common.spreadsheets import formula_first_characters
from backend.crm.choices import ExportFormat
from backend.crm.segments import reachable, segment_customers

# Logical columns: SQL over the customer table ``c``, each evaluated once per row.
_PHONE_OK = {
    "postgresql": "c.phone ~ '^[+]?[0-9 ().-]{7,25}$'",
    "sqlite": "c.phone REGEXP '^[+]?[0-9 ().-]{7,25}$'",
}
_DIGITS = (
    "replace(replace(replace(replace(replace(replace(c.phone, '+', ''), ' ', ''), '(', ''), "
    "')', ''), '.', ''), '-', '')"
)
_TAGS = {
    "postgresql": (
        "(SELECT string_agg(t.slug, ',' ORDER BY t.slug) FROM crm_customertag ct "
        "JOIN crm_tag t ON t.id = ct.tag_id WHERE ct.customer_id = c.id "
        "AND (ct.expires_at IS NULL OR ct.expires_at > %s))"
    ),
    "sqlite": (
        "(SELECT group_concat(s.slug, ',') FROM (SELECT t.slug FROM crm_customertag ct "
        "JOIN crm_tag t ON t.id = ct.tag_id WHERE ct.customer_id = c.id "
        "AND (ct.expires_at IS NULL OR ct.expires_at > %s) ORDER BY t.slug) s)"
    ),
}
_FENCE = {"postgresql": "OFFSET 0", "sqlite": "LIMIT -1 OFFSET 0"}
RAW_COLUMNS = {
    "email": "c.email",
    "first_name": "c.first_name",
    "last_name": "c.last_name",
    "address": "c.address_line1",
    "city": "c.city",
    "region": "c.region",
    "postal_code": "c.postal_code",
    "country": "c.country",
    "jurisdiction": "c.jurisdiction",
    "locale": "c.locale",
    "customer_since": "substr(CAST(c.created_at AS TEXT), 1, 10)",
}
# Phone numbers are written as E.164 (+ and digits only, or nothing): a number, never a
# formula, and the form mail tools require, so they are left as they are.
SAFE_COLUMNS = {"phone"}

LAYOUTS: dict[str, list[tuple[str, str]]] = {
    ExportFormat.GENERIC: [
        ("email", "email"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("phone", "phone"),
        ("address", "address"),
        ("city", "city"),
        ("region", "region"),
        ("postal_code", "postal_code"),
        ("country", "country"),
        ("jurisdiction", "jurisdiction"),
        ("locale", "locale"),
        ("tags", "tags"),
        ("customer_since", "customer_since"),
    ],
    # Mailchimp: "Email Address" is required; Tags split on commas; 2-letter countries.
    ExportFormat.MAILCHIMP: [
        ("Email Address", "email"),
        ("First Name", "first_name"),
        ("Last Name", "last_name"),
        ("Phone Number", "phone"),
        ("Country", "country"),
        ("Language", "locale"),
        ("Tags", "tags"),
    ],
    # Klaviyo: "Email" first, its built-in location properties, tags as a custom property.
    ExportFormat.KLAVIYO: [
        ("Email", "email"),
        ("First Name", "first_name"),
        ("Last Name", "last_name"),
        ("Phone Number", "phone"),
        ("City", "city"),
        ("Region", "region"),
        ("Country", "country"),
        ("Zip Code", "postal_code"),
        ("Coverdesk Tags", "tags"),
    ],
    # HubSpot: the contact properties' labels, tags as a custom property.
    ExportFormat.HUBSPOT: [
        ("Email", "email"),
        ("First Name", "first_name"),
        ("Last Name", "last_name"),
        ("Phone Number", "phone"),
        ("City", "city"),
        ("State/Region", "region"),
        ("Country/Region", "country"),
        ("Postal Code", "postal_code"),
        ("Coverdesk Tags", "tags"),
    ],
}


def header(export_format: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [name for name, _ in LAYOUTS[export_format]]
    )
    return out.getvalue().encode()


def export_query(*, definition: dict, export_format: str, channel: str, now) -> tuple[str, list]:
    """The export's rows as one SQL query and its parameters: the segment, narrowed to the
    channel's reachable customers, in customer order, one final string per cell."""
    customers = reachable(segment_customers(definition), channel).order_by().values("pk")
    ids_sql, ids_params = customers.query.sql_with_params()
    vendor = connection.vendor
    at = connection.ops.adapt_datetimefield_value(now)
    inner = [f"COALESCE({sql}, '') AS {name}" for name, sql in RAW_COLUMNS.items()]
    inner.append(f"COALESCE({_TAGS[vendor]}, '') AS tags")
    inner.append(
        f"CASE WHEN {_PHONE_OK[vendor]} THEN CASE "
        f"WHEN substr(c.phone, 1, 1) = '+' THEN '+' || {_DIGITS} "
        f"WHEN length({_DIGITS}) = 10 AND c.jurisdiction LIKE 'US-%%' THEN '+1' || {_DIGITS} "
        f"ELSE '' END ELSE '' END AS phone"
    )
    cells, cell_params = [], []
    for _, column in LAYOUTS[export_format]:
        if column in SAFE_COLUMNS:
            cells.append(f"e.{column}")
            continue
        triggers = formula_first_characters()
        marks = ", ".join(["%s"] * len(triggers))
        cells.append(
            f"CASE WHEN substr(e.{column}, 1, 1) IN ({marks}) THEN %s ELSE '' END "
            f"|| replace(replace(e.{column}, %s, %s), %s, %s)"
        )
        cell_params += [*triggers, "'", "\r", " ", "\n", " "]
    # The inner query's OFFSET is a fence: each cell's expression (the tags subquery above
    # all) runs once per row, not once per use.
    sql = (
        f"SELECT {', '.join(cells)} FROM (SELECT c.id, {', '.join(inner)} "  # noqa: S608
        f"FROM customers_customer c WHERE c.id IN ({ids_sql}) ORDER BY c.id {_FENCE[vendor]}) e "
        "ORDER BY e.id"
    )
    return sql, [*cell_params, at, *ids_params]


class Sink:
    """Where the export's bytes go: a file, with the running sha256, byte count and rows."""

    def __init__(self, fileobj, on_progress=None, every: int = 50_000):
        self.file, self.on_progress, self.every = fileobj, on_progress, every
        self.sha, self.size, self.rows, self._reported = hashlib.sha256(), 0, 0, 0

    def write(self, data: bytes, rows: int) -> None:
        self.file.write(data)
        self.sha.update(data)
        self.size += len(data)
        self.rows += rows
        if self.on_progress and self.rows - self._reported >= self.every:
            self._reported = self.rows
            self.on_progress(self.rows)


def write_rows(sql: str, params: list, sink: Sink, *, use_copy: bool | None = None) -> None:
    """Stream the query's rows into ``sink`` as CSV (every cell quoted, ``\\n`` lines)."""
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    if use_copy:
        _copy_rows(sql, params, sink)
    else:
        _cursor_rows(sql, params, sink)


CHUNK = 1 << 20  # bytes gathered before each write: COPY hands over one row at a time


def _copy_rows(sql: str, params: list, sink: Sink) -> None:
    import psycopg

    connection.ensure_connection()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"
    with (
        psycopg.ClientCursor(connection.connection) as cursor,  # COPY binds client-side
        cursor.copy(statement, params) as copy,
    ):
        buffer, rows = bytearray(), 0
        for data in copy:
            buffer += data
            rows += 1
            if len(buffer) >= CHUNK:
                sink.write(bytes(buffer), rows)
                buffer.clear()
                rows = 0
        if buffer:
            sink.write(bytes(buffer), rows)


def _cursor_rows(sql: str, params: list, sink: Sink, batch: int = 2_000) -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            writer.writerows(rows)
            sink.write(out.getvalue().encode(), len(rows))
            out.seek(0)
            out.truncate()


@contextmanager
def progress_reporter(job_id: int):
    """A callable that saves the job's ``rows_written`` as the file grows. On PostgreSQL it
    writes through a connection of its own: while a COPY streams, its connection can run
    nothing else."""
    update = "UPDATE crm_exportjob SET rows_written = %s WHERE id = %s"
    if connection.vendor != "postgresql":

        def report(rows: int) -> None:
            with connection.cursor() as cursor:
                cursor.execute(update, [rows, job_id])

        yield report
        return
    import psycopg

    conninfo = connection.get_connection_params()
    conninfo.pop("cursor_factory", None)
    with psycopg.connect(**conninfo, autocommit=True) as own:
        yield lambda rows: own.execute(update, (rows, job_id))
