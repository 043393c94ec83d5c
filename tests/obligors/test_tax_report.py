"""Tax by jurisdiction for a closed month (issue 16, item 1): the ledger's tax payable per
state, with the taxed sales behind it, for finance to file."""

import csv
import io
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.ledger.models import EarningDay, Entry, LedgerTransaction
from backend.obligors.services import month_bounds, month_close

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def month(stripe_api, sell, texas_plan, api, make_user):
    """This month, closed as if today were the 2nd of the next: two plans sold in Texas
    (one cancelled in its free look), one in Florida and one in California."""
    start, end = month_bounds(timezone.localdate())
    EarningDay.objects.create(day=start - timedelta(days=1))
    texas = [sell(email=f"t{n}@example.com", days_ago=0, jurisdiction="US-TX") for n in range(2)]
    florida = sell(email="f@example.com", days_ago=0, jurisdiction="US-FL")
    sell(email="c@example.com", days_ago=0)
    cancel = api.post(f"/api/v1/contracts/{texas[0].number}/cancel/", {}, format="json")
    assert cancel.status_code == 200
    month_close(month=start, user=make_user(Role.FINANCE), today=end + timedelta(days=1))
    return f"{start:%Y-%m}", texas, florida


@pytest.fixture
def finance(make_user):
    client = APIClient()
    client.force_authenticate(make_user(Role.FINANCE))
    return client


def test_finance_reads_the_months_tax_per_jurisdiction(month, finance):
    name, texas, florida = month
    response = finance.get(f"/api/v1/finance/months/{name}/tax/")
    assert response.status_code == 200, response.json()
    rows = response.json()["rows"]
    tax = texas[0].tax
    assert tax > 0 and florida.tax > 0
    assert rows == [
        {
            "jurisdiction": "US-FL",
            "place": "Florida",
            "taxes": "Florida service warranty tax 6%",
            "currency": "USD",
            "contracts": 1,
            "taxable_sales": florida.price,
            "collected": florida.tax,
            "refunded": 0,
            "charged_back": 0,
            "net": florida.tax,
            "payable": florida.tax,
            "remitted": 0,
        },
        {
            "jurisdiction": "US-TX",
            "place": "Texas",
            "taxes": "Texas sales tax 6.25%",
            "currency": "USD",
            "contracts": 2,
            "taxable_sales": 2 * texas[0].price,
            "collected": 2 * tax,
            "refunded": tax,  # the free look refunds the whole price, its tax with it
            "charged_back": 0,
            "net": tax,
            "payable": tax,
            "remitted": 0,
        },
    ]  # California taxes no service contract: no row

    table = list(csv.reader(io.StringIO(finance.get(f"/api/v1/finance/months/{name}/tax.csv")
                                        .content.decode())))  # fmt: skip
    assert table[0][:3] == ["Jurisdiction", "Place", "Taxes (rates now)"]
    assert table[2][:2] == ["US-TX", "Texas"] and table[2][-2:] == [str(tax), "0"]
    book = load_workbook(io.BytesIO(finance.get(f"/api/v1/finance/months/{name}/tax.xlsx").content))
    assert [c.value for c in next(book.active.iter_rows(min_row=3, max_row=3))][-2] == tax

    polish = finance.get(f"/api/v1/finance/months/{name}/tax/", HTTP_ACCEPT_LANGUAGE="pl")
    assert polish.json()["rows"][1]["taxes"] == "Podatek od sprzedaży (Teksas) 6,25%"


def test_the_premium_bordereau_shows_each_contracts_tax(month, finance, texas_plan):
    name, texas, _florida = month
    url = f"/api/v1/obligor/months/{name}/premium-bordereau.csv?provider={texas_plan.provider_id}"
    table = list(csv.reader(io.StringIO(finance.get(url).content.decode())))
    tax_column = table[0].index("Tax")
    by_number = {row[0]: row for row in table[1:]}
    assert by_number[texas[1].number][tax_column] == str(texas[1].tax)


def test_only_finance_reads_tax_and_only_of_a_closed_month(month, make_user, texas_plan):
    name, _texas, _florida = month
    obligor = APIClient()
    obligor.force_authenticate(make_user(Role.OBLIGOR, provider=texas_plan.provider))
    assert obligor.get(f"/api/v1/finance/months/{name}/tax/").status_code == 403
    assert obligor.get(f"/api/v1/finance/months/{name}/tax.csv").status_code == 403
    assert APIClient().get(f"/api/v1/finance/months/{name}/tax/").status_code in (401, 403)
    finance = APIClient()
    finance.force_authenticate(make_user(Role.FINANCE))
    response = finance.get("/api/v1/finance/months/2020-01/tax/")
    assert (response.status_code, response.json()["code"]) == (404, "month_not_closed")
    response = finance.get(f"/api/v1/finance/months/{name}/tax.pdf")
    assert (response.status_code, response.json()["code"]) == (404, "report_not_found")
    response = finance.get("/api/v1/finance/months/nope/tax/")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_month")


def test_finance_records_the_tax_paid_to_a_state_once(month, finance, make_user, texas_plan):
    name, texas, _florida = month
    url = f"/api/v1/finance/months/{name}/tax/remittances/"
    owed = texas[0].tax  # two sold, one refunded in full
    paid_on = (month_bounds(timezone.localdate())[1] + timedelta(days=14)).isoformat()
    body = {"jurisdiction": "US-TX", "currency": "USD", "reference": "TX-WEBFILE-778812",
            "paid_on": paid_on}  # fmt: skip

    too_much = finance.post(url, {**body, "amount": owed + 1}, format="json")
    assert (too_much.status_code, too_much.json()["code"]) == (400, "remittance_exceeds_payable")
    for bad in ({**body, "amount": 0}, {**body, "amount": "10"}, {**body, "paid_on": "soon"}):
        assert finance.post(url, bad, format="json").status_code == 400
    obligor = APIClient()
    obligor.force_authenticate(make_user(Role.OBLIGOR, provider=texas_plan.provider))
    assert obligor.post(url, {**body, "amount": owed}, format="json").status_code == 403

    paid = finance.post(url, {**body, "amount": owed}, format="json")
    assert paid.status_code == 201, paid.json()
    assert paid.json() == {"id": paid.json()["id"], "month": name, "jurisdiction": "US-TX",
                           "currency": "USD", "amount": owed, "reference": "TX-WEBFILE-778812",
                           "paid_on": paid_on}  # fmt: skip
    again = finance.post(url, {**body, "amount": 1}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "tax_remitted")

    [posted] = LedgerTransaction.objects.filter(kind="tax_remittance")
    lines = {e.account.key: e.amount for e in posted.entries.select_related("account")}
    assert lines == {"tax_payable:USD:US-TX": owed, "bank_cash:USD": -owed}
    texas_row = finance.get(f"/api/v1/finance/months/{name}/tax/").json()["rows"][1]
    assert (texas_row["remitted"], texas_row["payable"]) == (owed, owed)  # as at month end
    assert (
        Entry.objects.filter(account__key="tax_payable:USD:US-TX").aggregate(t=Sum("amount"))["t"]
        == 0
    )
