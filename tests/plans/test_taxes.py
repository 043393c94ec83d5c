"""Taxes on a plan's price, from the jurisdiction packs (issue 16, item 1): included in
the price, shown with the offer and on the contract, and posted per jurisdiction."""

import pytest
from django.core.files.storage import default_storage
from hypothesis import given
from hypothesis import strategies as st

from backend.common.money import format_minor
from backend.common.packs import load_packs
from backend.contracts.models import Contract
from backend.documents.services import document_issue
from backend.ledger.choices import AccountPurpose
from backend.ledger.models import Account, Entry
from backend.ledger.postings import cancellation_lines, sale_lines
from backend.legal.pdf import pdf_text
from backend.legal.text import squash
from backend.plans.split import BASIS_POINTS, SplitRates, refund_shares, split_price
from backend.plans.taxes import TaxRule, _rule, tax_lines, tax_rules

TEXAS = TaxRule("us-tx.sales_tax", (("en", "Texas sales tax"),), rate_bp=625)
prices = st.integers(min_value=0, max_value=10**12)
tax_rates = st.integers(min_value=0, max_value=BASIS_POINTS - 1)


@st.composite
def rates(draw):
    commission = draw(st.integers(min_value=0, max_value=BASIS_POINTS))
    fee = draw(st.integers(min_value=0, max_value=BASIS_POINTS - commission))
    return SplitRates(commission, fee)


def test_the_packs_say_which_states_tax_service_contracts():
    assert [r.rate_bp for r in tax_rules("US-TX")] == [625]
    assert [r.rate_bp for r in tax_rules("US-FL")] == [600]
    assert [r.rate_bp for r in tax_rules("US-WA")] == [650]
    # California and Illinois do not; nor does the default for other states, nor Poland
    # (insurance is exempt from VAT) nor the EU default.
    for place in ("US-CA", "US-IL", "US-GA", "PL", "DE"):
        assert tax_rules(place) == ()
    assert tax_rules("US-TX")[0].name("pl") == "Podatek od sprzedaży (Teksas)"
    assert tax_rules("US-TX")[0].name("de") == "Texas sales tax"  # English where none


def test_a_pack_tax_needs_exactly_one_rate_or_amount():
    pack = load_packs()["US-TX"]
    with pytest.raises(ValueError, match="one rate_bp or amount"):
        _rule({"id": "x", "name": "X", "rate_bp": 100, "amount": {"USD": 100}}, pack)
    with pytest.raises(ValueError, match="one rate_bp or amount"):
        _rule({"id": "x", "name": "X"}, pack)
    with pytest.raises(ValueError, match="an id and a name"):
        _rule({"id": "x", "rate_bp": 100}, pack)


def test_a_worked_example_texas():
    # $99.99 includes 6.25%: 99.99 * 625 / 10625 = 5.8818, so $5.88, rounded half up.
    assert [line.amount for line in tax_lines(9_999, "USD", (TEXAS,))] == [588]
    split = split_price(9_999, "USD", SplitRates(2_500, 1_000), taxes=(TEXAS,))
    assert split.tax == 588
    # The rates apply to the price before tax, $94.11: commission and fee rounded down.
    assert (split.merchant_commission, split.administrator_fee, split.net_premium) == (
        2_352,
        941,
        6_118,
    )
    assert split.as_dict()["taxes"] == [
        {"id": "us-tx.sales_tax", "rate_bp": 625, "amount": 588, "names": {"en": "Texas sales tax"}}
    ]


def test_rounding_half_up_at_the_half_cent():
    # A 10% tax included in the price is price / 11: exact, then either side of a half.
    ten = TaxRule("t", (("en", "T"),), rate_bp=1_000)
    assert tax_lines(11, "USD", (ten,))[0].amount == 1  # 11 * 1000 / 11000 = 1.0
    assert tax_lines(33, "USD", (ten,))[0].amount == 3  # 3.0
    assert tax_lines(55, "USD", (ten,))[0].amount == 5  # 5.0
    assert tax_lines(6, "USD", (ten,))[0].amount == 1  # 0.5454… → 1
    assert tax_lines(5, "USD", (ten,)) == []  # 0.4545… → 0: no line


def test_a_fixed_fee_comes_first_and_is_not_taxed():
    fee = TaxRule("fee", (("en", "Filing fee"),), amounts=(("USD", 200),))
    lines = tax_lines(10_825, "USD", (TEXAS, fee))
    assert [(line.id, line.amount) for line in lines] == [("fee", 200), ("us-tx.sales_tax", 625)]
    assert tax_lines(150, "USD", (fee,))[0].amount == 150  # never more than the price
    assert tax_lines(10_000, "EUR", (fee,)) == []  # a currency the fee does not name


@given(price=prices, rates=rates(), rate=tax_rates, second=tax_rates)
def test_with_taxes_the_parts_still_sum_to_the_price(price, rates, rate, second):
    taxes = (
        TaxRule("a", (("en", "A"),), rate_bp=rate),
        TaxRule("b", (("en", "B"),), rate_bp=second // 2),
    )
    split = split_price(price, "USD", rates, taxes=taxes)
    parts = (split.tax, split.merchant_commission, split.administrator_fee, split.net_premium)
    assert sum(parts) == price
    assert min(parts) >= 0
    assert split.tax == sum(t["amount"] for t in split.taxes)
    exact = price * (rate + second // 2) / (BASIS_POINTS + rate + second // 2)
    assert abs(split.tax - exact) <= 1  # each tax within half a cent


@given(
    price=st.integers(min_value=1, max_value=10**9),
    rates=rates(),
    rate=tax_rates,
    fraction=st.fractions(min_value=0, max_value=1),
    free_look=st.booleans(),
)
def test_a_refund_gives_back_tax_pro_rata_and_the_shares_sum_to_it(
    price, rates, rate, fraction, free_look
):
    split = split_price(price, "USD", rates, taxes=(TaxRule("t", (("en", "T"),), rate_bp=rate),))
    refund = int(price * fraction)
    shares = refund_shares(split.as_dict(), refund=refund, free_look=free_look)
    assert shares.total == refund
    assert 0 <= shares.tax <= split.tax
    assert shares.tax == split.tax * refund // price
    if refund == price:
        assert shares.tax == split.tax  # a full refund: no tax is owed
    lines = cancellation_lines(split.as_dict(), refund=refund, free_look=free_look, unearned=0)
    assert sum(lines.values()) == 0
    assert sum(sale_lines(split.as_dict()).values()) == 0


# --- Through the API -----------------------------------------------------------------------


@pytest.mark.django_db
def test_offers_in_texas_show_the_tax_included_in_the_price(api, texas_plan, merchant):
    body = {
        "product": {
            "sku": "PHONE-9",
            "title": "Phone 9",
            "category": "phones",
            "price": 79_900,
            "currency": "USD",
            "manufacturer_warranty_months": 12,
        },
        "jurisdiction": "US-TX",
        "quantity": 1,
    }
    offer = api.post("/api/v1/offers/", body, format="json").json()["offers"][0]
    expected = (offer["price"] * 625 * 2 + 10_625) // (2 * 10_625)
    assert offer["tax"] == expected > 0
    assert offer["taxes"] == [
        {
            "id": "us-tx.sales_tax",
            "name": "Texas sales tax",
            "rate_bp": 625,
            "amount": expected,
            "amount_display": f"${expected // 100}.{expected % 100:02d}",
        }
    ]
    body["jurisdiction"] = "US-CA"
    offer = api.post("/api/v1/offers/", body, format="json").json()["offers"][0]
    assert (offer["tax"], offer["taxes"]) == (0, [])


def _tax_payable(jurisdiction: str) -> int:
    return sum(
        Entry.objects.filter(
            account__purpose=AccountPurpose.TAX_PAYABLE, account__jurisdiction=jurisdiction
        ).values_list("amount", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_texas_contract_snapshots_its_tax_posts_it_to_texas_and_a_refund_returns_it(
    paid_order, api, texas_plan
):
    _intent, numbers = paid_order("TX-1", jurisdiction="US-TX")
    contracts = list(Contract.objects.order_by("pk"))
    tax = (contracts[0].price * 625 * 2 + 10_625) // (2 * 10_625)
    for contract in contracts:
        assert contract.tax == tax
        split = contract.plan_snapshot["price_split"]
        assert split["tax"] == tax
        assert split["merchant_commission"] == (contract.price - tax) * 2_000 // BASIS_POINTS
    body = api.get(f"/api/v1/contracts/{numbers[0]}/").json()
    assert (body["tax"], body["taxes"]) == (
        tax,
        [{"id": "us-tx.sales_tax", "rate_bp": 625, "amount": tax}],
    )
    account = Account.objects.get(purpose=AccountPurpose.TAX_PAYABLE)
    assert (account.jurisdiction, account.currency, account.key) == (
        "US-TX",
        "USD",
        "tax_payable:USD:US-TX",
    )
    assert _tax_payable("US-TX") == -2 * tax

    # Cancelled in the free look: the whole price back, and with it the whole tax.
    assert api.post(f"/api/v1/contracts/{numbers[0]}/cancel/", {}, format="json").status_code == 200
    assert _tax_payable("US-TX") == -tax


@pytest.mark.django_db(transaction=True)
def test_the_contract_and_the_terms_page_show_the_tax(paid_order, client, texas_plan):
    _intent, [number, _other] = paid_order("TX-2", jurisdiction="US-TX")
    contract = Contract.objects.get(number=number)
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="pl")
    assert document.state == "issued" and document.template == "v2"
    with default_storage.open(document.file.name, "rb") as f:
        text = squash(pdf_text(f.read()))
    amount = format_minor(contract.tax, "USD", "pl")
    assert squash(f"W tym Podatek od sprzedaży (Teksas) (6,25%) {amount}") in text

    page = client.get(f"/plans/{texas_plan.code}/terms/?jurisdiction=US-TX").content.decode()
    assert "Plan prices include Texas sales tax at 6.25% of the price before tax." in page
    page = client.get(f"/plans/{texas_plan.code}/terms/?jurisdiction=US-CA").content.decode()
    assert "Plan prices include" not in page


def test_every_pack_that_levies_a_tax_issues_a_contract_that_shows_it():
    for pack in load_packs().values():
        if pack.data.get("taxes"):
            version = pack.document_versions["service_contract"]
            assert int(version.removeprefix("v")) >= 2, pack.code  # v1 shows no taxes
