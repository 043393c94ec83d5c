"""Merchants read their settlement through the API: scoped to themselves, in their
language, as JSON, CSV and PDF."""

import csv
import io

import pytest
from django.utils import timezone

from backend.legal.pdf import pdf_text
from backend.settlement.choices import Cadence
from backend.settlement.periods import period_of
from backend.settlement.services import merchant_adjust
from backend.settlement.statements import statements_close_due

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_statement(paid_order, plan, merchant, make_user):
    plan.merchant_commission_bp = 2_000
    plan.save()
    paid_order("API-ST-1")
    merchant_adjust(
        merchant=merchant,
        amount=-150,
        currency="USD",
        reason='=HYPERLINK("http://evil")',
        key="t1",
        user=make_user(),
    )
    [statement] = statements_close_due(today=period_of(timezone.localdate(), Cadence.MONTHLY)[1])
    return statement


def test_a_merchant_reads_its_balance_statements_lines_and_payouts(
    paid_order, plan, merchant, make_user, api
):
    statement = _closed_statement(paid_order, plan, merchant, make_user)
    summary = api.get("/api/v1/settlement/").json()
    assert summary["balances"] == [{"currency": "USD", "balance": 3_848, "payouts_due": 3_848}]
    assert summary["payout_account"]["state"] == "not_started"
    [listed] = api.get("/api/v1/statements/").json()["results"]
    assert listed["id"] == statement.pk and listed["closing_balance"] == 3_848
    assert listed["commission"] == 3_998 and listed["adjustments"] == -150
    lines = api.get(f"/api/v1/statements/{statement.pk}/lines/").json()["results"]
    assert [line["category"] for line in lines] == ["commission", "commission", "adjustment"]
    assert lines[0]["reference"].startswith("CD-")
    [payout] = api.get("/api/v1/payouts/").json()["results"]
    assert payout["amount"] == 3_848 and payout["state"] == "due"


def test_the_statement_downloads_as_csv_and_pdf_in_the_merchants_language(
    paid_order, plan, merchant, make_user, api
):
    merchant.default_locale = "pl"
    merchant.save()
    statement = _closed_statement(paid_order, plan, merchant, make_user)
    response = api.get(f"/api/v1/statements/{statement.pk}/csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Data"  # Polish headers
    adjustment = next(row for row in rows if row[1] == "Korekta")
    assert adjustment[2].startswith("'=HYPERLINK")  # no spreadsheet runs it
    assert adjustment[3] == "-150"
    pdf = api.get(f"/api/v1/statements/{statement.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Zestawienie prowizji" in text and statement.number in text
    assert "38,48" in text  # the net payable, formatted the Polish way


def test_another_merchants_statement_is_404(paid_order, plan, merchant, make_user, other_api):
    statement = _closed_statement(paid_order, plan, merchant, make_user)
    for suffix in ("", "lines/", "csv/", "pdf/"):
        response = other_api.get(f"/api/v1/statements/{statement.pk}/{suffix}")
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "statement_not_found"
    assert other_api.get("/api/v1/statements/").json()["results"] == []
    assert other_api.get("/api/v1/payouts/").json()["results"] == []
    assert other_api.get("/api/v1/settlement/").json()["balances"] == []
