"""A month closed once, and the obligor's reports of it: bordereaux, reserve, loss run,
remittance and the Texas quarterly report, whose totals are the ledger's."""

import csv
import io
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.claims.desk import claim_approve
from backend.claims.models import Claim, ClaimEvent
from backend.common.actors import Actor, ActorKind
from backend.common.exceptions import Conflict
from backend.contracts.models import Contract
from backend.ledger.earning import contract_unearned
from backend.ledger.models import EarningDay, Entry
from backend.obligors.models import MonthClose, PlanMonth
from backend.obligors.services import month_bounds, month_close
from tests.claims.test_claims_and_cancellation import _claimable, _in_review

pytestmark = pytest.mark.django_db(transaction=True)


def _ledger(purpose, plan, until, kind=None) -> int:
    entries = Entry.objects.filter(
        account__purpose=purpose, account__plan=plan, transaction__occurred_at__lt=until
    )
    if kind:
        entries = entries.filter(transaction__kind=kind)
    return entries.aggregate(total=Sum("amount"))["total"] or 0


@pytest.fixture
def month(stripe_api, sell, plan, api, make_user):
    """This month, lived through and closed as if today were the 2nd of the next: three
    plans sold, one cancelled, one claim approved and one still open."""
    plan.merchant_commission_bp, plan.administrator_fee_bp = 2_000, 1_000
    plan.save()
    start, end = month_bounds(timezone.localdate())
    EarningDay.objects.create(day=start - timedelta(days=1))  # earned up to last month
    contracts = [sell(email=f"b{n}@example.com", days_ago=0) for n in range(3)]
    assert (
        api.post(f"/api/v1/contracts/{contracts[0].number}/cancel/", {}, format="json").status_code
        == 200
    )
    agent = Actor.person(ActorKind.STAFF, make_user(Role.DESK_AGENT))
    for contract in contracts[1:]:
        Contract.objects.filter(pk=contract.pk).update(
            waiting_period_ends=timezone.localdate() - timedelta(days=1)
        )
    paid = _in_review(_claimable(contracts[1]), agent)
    claim_approve(claim_id=paid.pk, actor=agent, amount=2_500, resolution="reimburse")
    _in_review(_claimable(contracts[2]), agent)  # open at the month's end: reserved
    close = month_close(month=start, user=make_user(Role.FINANCE), today=end + timedelta(days=1))
    return close, contracts, plan


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode())))


def _obligor_client(make_user, provider) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(Role.OBLIGOR, provider=provider))
    return client


def test_a_closed_months_figures_are_the_ledgers_and_add_up(month):
    close, contracts, plan = month
    [figures] = PlanMonth.objects.filter(close=close)
    until = timezone.make_aware(
        timezone.datetime.combine(month_bounds(close.month)[1], timezone.datetime.min.time())
    )
    assert figures.written_count == 3 and figures.written_net == 3 * 7_001
    assert figures.written_net == -_ledger("obligor_unearned_premium", plan, until, "sale")
    assert figures.unearned == -_ledger("obligor_unearned_premium", plan, until)
    assert figures.claims_paid == 2_500 and figures.claims_open == 1
    assert figures.cancelled_count == 1 and figures.refunds_gross == 9_999
    assert figures.refunds_net == 7_001  # cancelled in the free look: all of it back
    # What the obligor wrote is what it earned, what it still has to earn, and what it gave back.
    assert figures.written_net == figures.earned + figures.unearned + figures.refunds_net
    # The reserve, pro rata by day, contract by contract, is the ledger's.
    first_day_after = month_bounds(close.month)[1]
    in_force = Contract.objects.filter(pk__in=[c.pk for c in contracts[1:]])
    assert figures.unearned == sum(contract_unearned(c, first_day_after) for c in in_force)
    assert figures.ibnr == figures.earned * 500 // 10_000


def test_a_month_closes_once_and_only_once_it_is_over(month, make_user):
    close, _contracts, _plan = month
    with pytest.raises(Conflict) as again:
        month_close(month=close.month, today=month_bounds(close.month)[1] + timedelta(days=3))
    assert again.value.code == "month_closed"
    finance = APIClient()
    finance.force_authenticate(make_user(Role.FINANCE))
    response = finance.post(f"/api/v1/finance/months/{close.month:%Y-%m}/close/")
    assert response.status_code == 409 and response.json()["code"] == "month_closed"
    this_month = timezone.localdate()
    response = finance.post(f"/api/v1/finance/months/{this_month.year + 1}-01/close/")
    assert response.status_code == 400 and response.json()["code"] == "month_not_over"
    assert finance.post("/api/v1/finance/months/nope/close/").json()["code"] == "invalid_month"
    assert MonthClose.objects.count() == 1


def test_the_bordereaux_total_the_months_figures(month, make_user):
    close, contracts, plan = month
    figures = PlanMonth.objects.get(close=close)
    client = _obligor_client(make_user, plan.provider)
    base = f"/api/v1/obligor/months/{close.month:%Y-%m}"
    premium = _csv(client.get(f"{base}/premium-bordereau.csv"))
    header, rows = premium[0], premium[1:]
    assert header[0] == "Contract" and len(rows) == 3
    column = {name: i for i, name in enumerate(header)}
    assert sum(int(r[column["Net premium"]]) for r in rows) == figures.written_net
    assert sum(int(r[column["Refund of net premium"]]) for r in rows) == figures.refunds_net
    assert {r[0] for r in rows} == {c.number for c in contracts}
    claims = _csv(client.get(f"{base}/claims-bordereau.csv"))
    column = {name: i for i, name in enumerate(claims[0])}
    assert sum(int(r[column["Paid in the month"]]) for r in claims[1:]) == figures.claims_paid
    assert sum(int(r[column["Reserved"]]) for r in claims[1:]) == figures.claims_reserved
    reserve = _csv(client.get(f"{base}/reserve.csv"))
    assert int(reserve[1][-1]) == figures.unearned
    remittance = _csv(client.get(f"{base}/remittance.csv"))
    assert remittance[-1][1] == "Net due to you"
    assert int(remittance[-1][2]) == figures.written_net - figures.refunds_net - figures.claims_paid
    loss = _csv(client.get(f"{base}/loss-run.csv"))
    assert int(loss[1][loss[0].index("Incurred")]) == figures.incurred
    texas = _csv(client.get(f"{base}/texas-quarterly.csv"))
    row = dict(zip(texas[0], texas[1], strict=True))
    assert int(row["Premium unearned"]) == figures.unearned
    assert int(row["Losses outstanding"]) == figures.claims_reserved
    assert int(row["Management fees"]) == figures.administrator_fees == 3 * 999

    xlsx = client.get(f"{base}/premium-bordereau.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert next(sheet.iter_rows(max_row=1))[0].value == "Contract"
    assert sum(1 for _row in sheet.iter_rows()) == 4  # the header and three contracts
    months = client.get("/api/v1/obligor/months/").json()
    assert months[0]["totals"][0]["written_net"] == figures.written_net


def test_a_closed_months_claims_bordereau_reads_as_at_its_end_later_too(month, make_user):
    close, contracts, plan = month
    figures = PlanMonth.objects.get(close=close)
    until = timezone.make_aware(
        timezone.datetime.combine(month_bounds(close.month)[1], timezone.datetime.min.time())
    )
    client = _obligor_client(make_user, plan.provider)
    url = f"/api/v1/obligor/months/{close.month:%Y-%m}/claims-bordereau.csv"
    before = _csv(client.get(url))
    # The claim open at the month's end is approved after it.
    [open_claim] = Claim.objects.filter(contract=contracts[2])
    user = make_user(Role.DESK_AGENT)
    Claim.objects.filter(pk=open_claim.pk).update(assignee=user)
    agent = Actor.person(ActorKind.STAFF, user)
    approved_at = timezone.now()
    claim_approve(claim_id=open_claim.pk, actor=agent, amount=1_000, resolution="reimburse")
    later = until + timedelta(days=1)
    Claim.objects.filter(pk=open_claim.pk).update(decided_at=later)
    ClaimEvent.objects.filter(claim=open_claim, created_at__gte=approved_at).update(
        created_at=later
    )
    after = _csv(client.get(url))
    assert after == before  # the month's report does not change after the month
    column = {name: i for i, name in enumerate(after[0])}
    [row] = [r for r in after[1:] if r[0] == open_claim.number]
    assert row[column["Status"]] == "In review" and row[column["Paid to date"]] == "0"
    assert sum(int(r[column["Reserved"]]) for r in after[1:]) == figures.claims_reserved


def test_obligor_reports_are_scoped_to_their_provider(month, make_user, api):
    close, _contracts, plan = month
    base = f"/api/v1/obligor/months/{close.month:%Y-%m}/premium-bordereau.csv"
    mine = _obligor_client(make_user, plan.provider)
    assert mine.get(base).status_code == 200
    assert (
        mine.get(f"{base}?provider={plan.provider_id + 999}").json()["code"] == "provider_not_found"
    )
    assert api.get(base).status_code in (401, 403)  # a merchant's key reads no obligor report
    finance = APIClient()
    finance.force_authenticate(make_user(Role.FINANCE))
    assert finance.get(base).json()["code"] == "provider_required"
    assert finance.get(f"{base}?provider={plan.provider_id}").status_code == 200
    assert (
        mine.get("/api/v1/obligor/months/2001-01/reserve.csv").json()["code"] == "month_not_closed"
    )
    assert mine.get(f"/api/v1/obligor/months/{close.month:%Y-%m}/nothing.csv").status_code == 404


def test_an_obligor_signs_in_and_reads_its_months(month, make_user):
    _close, _contracts, plan = month
    user = make_user(Role.OBLIGOR, provider=plan.provider)
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/v1/obligor/session/")
    token = client.cookies["csrftoken"].value
    signed = client.post(
        "/api/v1/obligor/session/",
        {"username": user.username, "password": "s3cret-pass-word"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["role"] == "obligor" and signed.json()["provider"] == plan.provider_id
    assert client.get("/api/v1/obligor/months/").status_code == 200
    marketer = make_user(Role.MARKETING)
    other = APIClient(enforce_csrf_checks=True)
    other.get("/api/v1/obligor/session/")
    refused = other.post(
        "/api/v1/obligor/session/",
        {"username": marketer.username, "password": "s3cret-pass-word"},
        format="json",
        HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value,
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_credentials"
