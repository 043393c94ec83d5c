"""What a contract says matches what the system does: the cancellation terms are worded from
the same refund rules the quote is worked out from, places are named as themselves, Texas
contracts carry the provider's registration, and "claims from" is the first day a claim
can really be made."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from backend.common.packs import load_packs, pack_for
from backend.contracts.models import Contract
from backend.contracts.payloads import contract_dict
from backend.documents.data import document_data
from backend.documents.services import render_document, template_version
from backend.legal.refunds import RefundRules, refund_quote
from backend.legal.rendering import cancellation_terms

pytestmark = pytest.mark.django_db


def terms(pack_code: str, language: str = "en") -> list[str]:
    with translation.override(language):  # as document_data renders them
        return cancellation_terms(load_packs()[pack_code], "USD", language)


def test_illinois_says_its_free_look_refund_is_less_the_fee_and_only_without_claims():
    words = " ".join(terms("US-IL"))
    assert "within 30 days of purchase and no claim has been paid" in words
    assert "less the cancellation fee below" in words
    # ... which is what the quote does inside the free look:
    quote = refund_quote(
        rules=RefundRules.from_pack(load_packs()["US-IL"]),
        price=10_000,
        currency="USD",
        purchased_on=timezone.localdate(),
        coverage_start=timezone.localdate(),
        coverage_end=timezone.localdate() + timedelta(days=730),
        cancel_on=timezone.localdate() + timedelta(days=5),
        plan_cancellation_fee=2_500,
    )
    assert quote.free_look and any(line.key == "cancellation_fee" for line in quote.lines)


def test_texas_says_claims_paid_are_deducted_in_its_free_look():
    words = " ".join(terms("US-TX"))
    assert (
        "full refund of the price you paid, less any claims already paid under this contract"
        in words
    )


def test_a_single_fee_cap_is_not_whichever_is_less():
    texas = [t for t in terms("US-TX") if "cancellation fee may be charged" in t]
    assert texas == ["A cancellation fee may be charged, of no more than $50.00."]
    california = [t for t in terms("US-CA") if "cancellation fee may be charged" in t]
    assert california[0].endswith("whichever is less.")  # 10% or $25: two caps


def test_the_free_look_terms_are_in_the_documents_language():
    polish = " ".join(terms("PL", "pl"))
    assert "price you paid" not in polish and "zwrot całej zapłaconej ceny" in polish


def _sold_in(contract: Contract, jurisdiction: str, **snapshot) -> Contract:
    plan = {**contract.plan_snapshot, **snapshot}
    Contract.objects.filter(pk=contract.pk).update(jurisdiction=jurisdiction, plan_snapshot=plan)
    return Contract.objects.select_related("customer", "merchant").get(pk=contract.pk)


def test_a_state_under_the_default_rules_is_named_as_itself(sell):
    contract = _sold_in(sell(), "US-OH")
    data = document_data(contract, "service_contract", "en")
    assert data["contract"]["territory"] == "Ohio" and data["pack"]["name"] == "Ohio"
    chinese = document_data(contract, "service_contract", "zh-hans")
    assert chinese["contract"]["territory"] == "俄亥俄州"


def test_texas_contracts_name_the_providers_registration(sell):
    contract = sell()
    provider = {**contract.plan_snapshot["provider"], "registration_numbers": {"US-TX": "TX-SC-77"}}
    contract = _sold_in(contract, "US-TX", provider=provider)
    html, _pdf, _report = rendering_document(contract)
    assert "TX-SC-77" in html


def rendering_document(contract):

    version = template_version(pack_for(contract.jurisdiction), "service_contract")
    return render_document(contract, "service_contract", "en", version)


def test_claims_from_is_when_coverage_starts_after_the_manufacturers_warranty(sell):
    contract = sell(days_ago=0)
    start = timezone.localdate() + timedelta(days=365)
    Contract.objects.filter(pk=contract.pk).update(
        coverage_start=start, coverage_end=start + timedelta(days=730)
    )
    contract = Contract.objects.select_related("customer", "merchant").get(pk=contract.pk)
    assert contract.waiting_period_ends < start and contract.claims_from == start
    data = document_data(contract, "service_contract", "en")
    assert data["contract"]["claims_from"] == data["contract"]["coverage_start"]
    assert contract_dict(contract)["claims_from"] == start.isoformat()
