"""Segments and exports: definitions validated, the consent matrix, formula neutralisation,
COPY and cursor writing the same bytes, the job, its signed link and its purge."""

import csv
import hashlib
import io
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.common.exceptions import NotFound, ValidationFailed
from backend.crm import exports, services
from backend.crm.models import ExportJob, Tag
from backend.crm.segments import segment_customers, validate_definition
from backend.customers.services import consent_record

pytestmark = pytest.mark.django_db
FORMATS = ("generic", "mailchimp", "klaviyo", "hubspot")


def _rows(definition, export_format="generic", channel="email"):
    sql, params = exports.export_query(
        definition=definition, export_format=export_format, channel=channel, now=timezone.now()
    )
    out = io.BytesIO()
    sink = exports.Sink(out)
    sink.write(exports.header(export_format), 0)
    exports.write_rows(sql, params, sink)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode()))), out.getvalue(), sink


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"tags_any": ["no-such-tag"]}, "tags_any"),
        ({"purchased_from": "2026-13-45"}, "purchased_from"),
        ({"purchased_from": "2026-06-01", "purchased_to": "2026-01-01"}, "purchased_to"),
        ({"lifetime_value": {"currency": "usd", "min": 1}}, "lifetime_value"),
        ({"channel": "pigeon"}, "channel"),
        ({"locales": "en"}, "locales"),
    ],
)
def test_invalid_definitions_name_the_field(definition, field):
    with pytest.raises(ValidationFailed) as error:
        validate_definition(definition)
    assert field in error.value.fields


def test_segments_filter_by_tags_contracts_and_value(sell, customer, rule):
    rule("plan_bought", "bought-phones")
    a = sell(email="a@example.com")
    b = sell(email="b@example.com", locale="pl")
    sell(email="b@example.com", locale="pl")
    customer("c@example.com")
    for contract in (a, b):
        services.tags_for_event(trigger="plan_bought", object_id=contract.pk)
    Tag.objects.create(slug="vip", name="VIP")

    def emails(**definition):
        return set(
            segment_customers(validate_definition(definition)).values_list("email", flat=True)
        )

    assert emails() == {"a@example.com", "b@example.com", "c@example.com"}
    assert emails(tags_any=["bought-phones"]) == {"a@example.com", "b@example.com"}
    assert emails(tags_all=["bought-phones", "vip"]) == set()
    assert emails(tags_none=["bought-phones"]) == {"c@example.com"}
    assert emails(categories=["phones"], plans=["phone-2y"]) == {"a@example.com", "b@example.com"}
    assert emails(categories=["tvs"]) == set()
    assert emails(locales=["pl"]) == {"b@example.com"}
    today = timezone.localdate().isoformat()
    assert emails(purchased_from=today) == set()  # bought 60 days ago
    # $99.99 a plan: b has two.
    assert emails(lifetime_value={"currency": "USD", "min": 15_000}) == {"b@example.com"}
    assert emails(lifetime_value={"currency": "USD", "max": 10_000}) == {
        "a@example.com",
        "c@example.com",
    }


def test_the_consent_matrix_holds_in_every_format(customer):
    customer("ok@example.com", sms=True, phone="+48 600 100 200")
    customer("opted-out@example.com", marketing_email=False, sms=True, phone="+48600100201")
    customer("dns@example.com", do_not_sell=True, sms=True, phone="+48600100202")
    customer("gpc@example.com", gpc=True, sms=True, phone="+48600100203")
    customer("sms-only@example.com", marketing_email=False, sms=True, phone="(415) 555-0100")
    customer("no-phone@example.com", sms=True)
    for export_format in FORMATS:
        rows, raw, _ = _rows({}, export_format, "email")
        assert b"opted-out" not in raw and b"dns@" not in raw and b"gpc@" not in raw
        assert len(rows) == 2, export_format  # ok@ and no-phone@
        rows, raw, _ = _rows({}, export_format, "sms")
        assert {r.get("phone") or r["Phone Number"] for r in rows} == {
            "+48600100200",
            "+48600100201",  # no marketing e-mail, but texts are fine
            "+14155550100",
        }, export_format
    # A definition asking for everyone cannot switch consent off either.
    rows, _, _ = _rows({"channel": None})
    assert {r["email"] for r in rows} == {"ok@example.com", "no-phone@example.com"}


# ASCII triggers, and look-alikes that are triggers once NFKC-normalised: full-width
# equals, plus, minus and at (U+FF1D, FF0B, FF0D, FF20), small equals and plus (U+FE66,
# FE62), superscript plus (U+207A) and subscript equals (U+208C).
@pytest.mark.parametrize(
    "start",
    [
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\uff1d",
        "\uff0b",
        "\uff0d",
        "\uff20",
        "\ufe66",
        "\ufe62",
        "\u207a",
        "\u208c",
    ],
)
def test_formulas_are_neutralised_in_every_cell(customer, start):
    customer(
        "x@example.com",
        first_name=f'{start}HYPERLINK("http://evil.example")',
        last_name=f"{start}1+2",
        city="Line\nbreak",
        phone="=1+2",
    )
    for export_format in FORMATS:
        [row], raw, _ = _rows({}, export_format)
        for value in row.values():
            first = unicodedata.normalize("NFKC", value)[:1]
            assert first not in ("=", "+", "-", "@", "\t", "\r"), (export_format, row)
        assert b"\nbreak" not in raw
    [row], _, _ = _rows({})
    expected = "'" + f'{start}HYPERLINK("http://evil.example")'.replace("\r", " ")
    assert row["first_name"] == expected
    assert row["phone"] == ""  # not a phone number: left out, never written as is


def test_tags_and_header_of_each_layout(sell, rule):
    rule("plan_bought", "bought-phones")
    rule("plan_bought", "a-first")
    contract = sell()
    services.tags_for_event(trigger="plan_bought", object_id=contract.pk)
    consent_record(
        customer=contract.customer,
        kind="marketing_email",
        granted=True,
        text="Send me offers.",
        text_version="t1",
        source="widget",
    )
    assert exports.header("mailchimp").startswith(b'"Email Address","First Name"')
    [row], _, _ = _rows({}, "mailchimp")
    assert row["Tags"] == "a-first,bought-phones"
    [row], _, _ = _rows({}, "hubspot")
    assert (row["Email"], row["Coverdesk Tags"]) == ("ana@example.com", "a-first,bought-phones")


@pytest.mark.postgres
def test_copy_and_cursor_write_the_same_bytes(customer):
    customer("q@example.com", first_name='Ann "Q", Jr.', last_name="", city="=cmd", phone="")
    customer("z@example.com", first_name="Zoë 张", region="Mazowieckie")
    sql, params = exports.export_query(
        definition={}, export_format="generic", channel="email", now=timezone.now()
    )
    copied, read = io.BytesIO(), io.BytesIO()
    exports.write_rows(sql, params, exports.Sink(copied), use_copy=True)
    exports.write_rows(sql, params, exports.Sink(read), use_copy=False)
    assert copied.getvalue() == read.getvalue()
    assert copied.getvalue().count(b"\n") == 2


def test_an_export_job_writes_and_audits_its_file(customer, marketing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for n in range(5):
        customer(f"c{n}@example.com")
    customer("out@example.com", marketing_email=False)
    job = services.export_create(
        user=marketing.user, export_format="klaviyo", channel="email", definition={}
    )
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.total_rows, job.rows_written) == ("done", 5, 5)
    body = job.file.open("rb").read()
    assert hashlib.sha256(body).hexdigest() == job.sha256 and len(body) == job.size
    assert body.startswith(b'"Email","First Name"') and body.count(b"\n") == 6
    assert job.requested_by == marketing.user and job.definition == {}
    services.export_run(job_id=job.pk)  # a duplicate task: nothing happens
    job.refresh_from_db()
    assert job.state == "done" and job.sha256 == hashlib.sha256(body).hexdigest()


def test_download_links_are_signed_and_expire(customer, marketing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customer("c@example.com")
    job = services.export_create(
        user=marketing.user, export_format="generic", channel="email", definition={}
    )
    services.export_run(job_id=job.pk)
    token = services.export_download_token(job)
    assert services.export_for_download(token=token, job_id=job.pk, user=marketing.user)
    assert job.downloads.count() == 1
    with pytest.raises(ValidationFailed) as error:
        services.export_for_download(token=token + "x", job_id=job.pk, user=marketing.user)
    assert error.value.code == "download_link_invalid"
    with pytest.raises(ValidationFailed):
        services.export_for_download(token=token, job_id=job.pk + 1, user=marketing.user)
    settings.CRM_EXPORT_LINK_MINUTES = -1
    with pytest.raises(ValidationFailed) as error:
        services.export_for_download(token=token, job_id=job.pk, user=marketing.user)
    assert error.value.code == "download_link_expired"


def test_old_files_are_purged_and_the_record_stays(
    customer, marketing, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    customer("c@example.com")
    job = services.export_create(
        user=marketing.user, export_format="generic", channel="email", definition={}
    )
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    assert services.exports_purge() == 0
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_purge() == 1
    job.refresh_from_db()
    assert job.state == "purged" and job.sha256 and not (tmp_path / path).exists()
    settings.CRM_EXPORT_LINK_MINUTES = 15
    with pytest.raises(NotFound):
        services.export_for_download(
            token=services.export_download_token(job), job_id=job.pk, user=marketing.user
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_while_copy_streams(customer, marketing):
    """The progress writes cannot go through the connection that is streaming the COPY
    (it would wait on itself forever): they have their own, and pollers see them."""
    from backend.crm.models import ExportJob

    for n in range(3):
        customer(f"c{n}@example.com")
    job = ExportJob.objects.create(definition={}, format="generic", channel="email")
    sql, params = exports.export_query(
        definition={}, export_format="generic", channel="email", now=timezone.now()
    )
    import psycopg
    from django.db import connection

    conninfo = connection.get_connection_params()
    conninfo.pop("cursor_factory", None)
    seen = []
    with (
        exports.progress_reporter(job.pk) as report,
        psycopg.connect(**conninfo, autocommit=True) as poller,  # the console, polling
    ):

        def progress(rows):
            report(rows)
            query = "SELECT rows_written FROM crm_exportjob WHERE id = %s"
            seen.append(poller.execute(query, (job.pk,)).fetchone()[0])

        sink = exports.Sink(io.BytesIO(), on_progress=progress, every=1)
        exports.write_rows(sql, params, sink, use_copy=True)
    assert sink.rows == 3 and seen == [3]


def test_a_shopper_whose_payment_never_came_is_in_no_segment(
    customer, put_order, order_body, stripe_api
):
    customer("bought@example.com")
    customer("browsed@example.com", bought=False)  # a customer row, nothing bought
    # An order whose payment failed: its customer has contracts, none of them paid.
    assert put_order("UNPAID-1", order_body(email="unpaid@example.com")).status_code == 201
    emails = set(segment_customers({}).values_list("email", flat=True))
    assert emails == {"bought@example.com"}
    rows, _, _ = _rows({})
    assert {r["email"] for r in rows} == {"bought@example.com"}
