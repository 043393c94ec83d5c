"""A document in a language is in that language throughout (issue 14, item 11).

Catalogue text (a plan's name, summary, coverage and exclusions; a warranty's own words)
comes from translations, refund lines are written in the reader's language, a plan without
text in a pack's binding language is not sold there, and the checker refuses a document
with a section in another language.
"""

import pytest
from django.test import override_settings
from django.utils.translation import trans_real

from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor
from backend.common.packs import load_packs
from backend.contracts.models import Contract
from backend.documents.models import Document
from backend.documents.services import (
    DocumentNotCompliant,
    document_issue,
    render_document_html,
    template_version,
)
from backend.legal import compliance
from backend.legal.pdf import pdf_text
from backend.legal.refunds import quote_line_label
from backend.legal.text import html_text, marked_languages, squash
from backend.plans.catalog_cache import catalog_snapshot
from backend.plans.models import PlanTranslation
from backend.plans.terms import render_terms
from tests.documents.test_issuance import _in_jurisdiction, _pdf
from tests.factories import PLAN_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(paid_order):
    _intent, [number, _other] = paid_order(quantity=2)
    return Contract.objects.get(number=number)


def _text(document: Document) -> str:
    return squash(pdf_text(_pdf(document)))


def test_the_polish_contract_shows_its_coverage_and_exclusions_in_polish(contract):
    contract = _in_jurisdiction(contract, "PL", "PLN")
    polish = document_issue(contract_id=contract.pk, kind="service_contract", language="pl")
    text = _text(polish)
    assert squash(PLAN_TEXT["pl"]["covered"]) in text
    assert squash(PLAN_TEXT["pl"]["exclusions"]) in text
    assert squash("Plan ochrony") in text
    assert "Mechanical" not in text and "theft" not in text
    chinese = document_issue(contract_id=contract.pk, kind="service_contract", language="zh-hans")
    assert squash(PLAN_TEXT["zh-hans"]["covered"]) in _text(chinese)
    assert "Mechanical" not in _text(chinese)
    [check] = [c for c in polish.compliance_report["clauses"] if c["id"] == "one_language"]
    assert check["passed"] is True


def test_a_document_with_a_section_in_another_language_is_refused(contract):
    """A contract sold before its plan had Chinese text: its Chinese document would show
    the English coverage, so the checker refuses it and says which sections."""
    snapshot = contract.plan_snapshot
    del snapshot["texts"]["zh-hans"]
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    with pytest.raises(DocumentNotCompliant) as refused:
        document_issue(contract_id=contract.pk, kind="service_contract", language="zh-hans")
    message = str(refused.value)
    assert "one_language: not written in Simplified Chinese" in message
    assert "plan.covered" in message and "plan.exclusions" in message and "plan.name" in message
    english = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    assert english.state == "issued"


def test_the_checker_reads_the_language_marks_of_the_html_itself():
    pack = load_packs()["PL"]
    html = '<p>Zakres ochrony</p><p lang="en" data-section="plan.covered">Everything.</p>'
    report = compliance.check(
        pack=pack,
        kind="service_contract",
        language="pl",
        data={},
        clauses=[],
        html_text=html_text(html),
        pdf_text=None,
        marked_languages=marked_languages(html),
    )
    assert report.missing == [
        "one_language: not written in Polish: plan.covered (add the translation, or the "
        "document cannot be issued in this language)"
    ]


def test_a_holder_gets_no_document_in_a_language_the_plan_has_no_text_in(contract):
    from backend.documents.services import document_languages

    contract.customer.locale = "zh-hans"
    contract.customer.save()
    assert document_languages(contract) == ["en", "zh-hans"]
    snapshot = contract.plan_snapshot
    del snapshot["texts"]["zh-hans"]
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    assert document_languages(Contract.objects.get(pk=contract.pk)) == ["en"]


def test_a_plan_without_text_in_the_binding_language_is_not_sold_there(
    plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plan.markets = ["US", "PL"]
        plan.save()
    assert catalog_snapshot().plans[plan.id].sold_in("PL")
    with django_capture_on_commit_callbacks(execute=True):
        PlanTranslation.objects.filter(plan=plan, language="pl").delete()
    entry = catalog_snapshot().plans[plan.id]
    assert not entry.sold_in("PL") and entry.sold_in("US-CA")
    from backend.plans.disclosure import plan_disclosure_gaps

    assert plan_disclosure_gaps(plan)["PL"] == [
        "the plan has no text in Polish (name, summary, coverage and exclusions)"
    ]


def test_offers_and_the_terms_page_speak_the_shoppers_language_only_where_the_plan_does(
    api, plan, merchant, django_capture_on_commit_callbacks
):
    from tests.factories import ProductFactory

    ProductFactory(merchant=merchant, sku="PHONE-9", price=79_900)

    def offered(language):
        response = api.post(
            "/api/v1/offers/",
            {"sku": "PHONE-9", "jurisdiction": "US-CA"},
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200, response.content
        [offer] = response.json()["offers"]
        return offer

    chinese = offered("zh-hans")
    assert chinese["name"].startswith("保障计划") and chinese["summary"] == "故障保障。"
    assert '<html lang="zh-hans">' in render_terms(plan, "US-CA", "zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        PlanTranslation.objects.filter(plan=plan, language="zh-hans").delete()
    fallback = offered("zh-hans")
    assert fallback["name"] == plan.name and fallback["summary"] == plan.summary
    html = render_terms(plan, "US-CA", "zh-hans")
    assert '<html lang="en">' in html and "Mechanical and electrical failures." in html


@pytest.mark.parametrize("language", ["pl", "zh-hans"])
def test_refund_lines_are_written_in_the_readers_language(language):
    labels = [
        quote_line_label("full_refund", {"reason": "free_look", "days": 14}, "PLN", language),
        quote_line_label("full_refund", {"reason": "returned"}, "PLN", language),
        quote_line_label("plan_price", {}, "PLN", language),
        quote_line_label("earned", {"used": 30, "total": 730}, "PLN", language),
        quote_line_label("claims_paid", {}, "PLN", language),
        quote_line_label("cancellation_fee", {}, "PLN", language),
        quote_line_label(
            "cancellation_fee",
            {
                "caps": [
                    {"kind": "amount", "amount": 5000},
                    {"kind": "percent_of_price", "percent": 10},
                    {"kind": "percent_of_unearned", "percent": 10},
                ],
                "pack": "PL",
            },
            "PLN",
            language,
        ),
    ]
    english = [
        "Full refund",
        "Plan price paid",
        "Coverage used",
        "Claims already paid",
        "Cancellation fee",
        "at most",
        "of the price",
    ]
    assert not [label for label in labels if any(e in label for e in english)], labels
    assert "14" in labels[0] and "30" in labels[3] and "730" in labels[3]


def test_the_polish_refund_notice_is_polish_throughout(
    contract, django_capture_on_commit_callbacks
):
    contract = _in_jurisdiction(contract, "PL", "PLN")
    with django_capture_on_commit_callbacks(execute=True):
        contract_cancel(
            contract_id=contract.pk, actor=Actor.system("test"), reason="customer_request"
        )
    notice = Document.objects.get(contract=contract, kind="refund_notice", language="pl")
    assert notice.state == "issued", notice.compliance_report["missing"]
    text = _text(notice)
    assert squash("Pełny zwrot") in text and "Fullrefund" not in text


# Every string a document prints, in each language documents are issued in.
def _untranslated(render) -> set[tuple[str, str]]:
    """The (language, msgid) pairs ``render()`` asked for that have no translation."""
    missing = set()
    gettext, ngettext = trans_real.DjangoTranslation.gettext, trans_real.DjangoTranslation.ngettext

    def recording_gettext(self, message):
        if self.language() != "en" and message not in self._catalog:
            missing.add((self.language(), message))
        return gettext(self, message)

    def recording_ngettext(self, singular, plural, n):
        if self.language() != "en":
            try:
                self._catalog.plural(singular, n)
            except KeyError:
                missing.add((self.language(), singular))
        return ngettext(self, singular, plural, n)

    trans_real.DjangoTranslation.gettext = recording_gettext
    trans_real.DjangoTranslation.ngettext = recording_ngettext
    try:
        render()
    finally:
        trans_real.DjangoTranslation.gettext = gettext
        trans_real.DjangoTranslation.ngettext = ngettext
    return missing


@override_settings(DOCUMENT_CJK_FONT="WenQuanYi Zen Hei")
def test_every_string_of_every_document_is_translated(contract, django_capture_on_commit_callbacks):
    """Contracts and specimens under every pack in each of its languages, refund notices
    with every kind of line, and written warranties: no string falls back to English."""
    packs = load_packs()
    places = {"US": "US-OH", "EU": "DE"}
    plan = contract.plan

    def render_all():
        for code, pack in packs.items():
            jurisdiction = places.get(code, code)
            sold = _in_jurisdiction(contract, jurisdiction)
            for language in pack.languages:
                render_terms(plan, jurisdiction, language)
                render_document_html(
                    sold, "service_contract", language, template_version(pack, "service_contract")
                )
        for language in ("pl", "zh-hans"):
            for days in (0, 400):  # a full refund in the free look, then pro rata with a fee
                for line in _quote_lines(days):
                    quote_line_label(line["key"], line["params"], "USD", language)

    with django_capture_on_commit_callbacks(execute=True):
        contract_cancel(
            contract_id=contract.pk, actor=Actor.system("test"), reason="customer_request"
        )

    def render_notices():
        cancelled = Contract.objects.get(pk=contract.pk)
        for language in ("pl", "zh-hans"):
            render_document_html(cancelled, "refund_notice", language, "v1")

    missing = _untranslated(render_all) | _untranslated(render_notices)
    assert not missing, sorted(missing)


def _quote_lines(days: int) -> list[dict]:
    from datetime import date, timedelta

    from backend.legal.refunds import RefundRules, refund_quote

    rules = RefundRules(
        pack="US-CA",
        free_look_days=30,
        fee_cap_amount={"USD": 2500},
        fee_cap_percent_of_price=10,
        fee_cap_percent_of_unearned=10,
    )
    start = date(2026, 1, 1)
    quote = refund_quote(
        rules=rules,
        price=9999,
        currency="USD",
        purchased_on=start,
        coverage_start=start,
        coverage_end=start + timedelta(days=730),
        cancel_on=start + timedelta(days=days),
        claims_paid=1000,
        plan_cancellation_fee=2500,
    )
    return quote.as_dict()["lines"]


def test_the_holders_email_and_portal_name_the_plan_in_their_language(
    put_order, order_body, client, stripe_api, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests import stripe_helpers as sh
    from tests.portal.test_portal import signed_in

    body = order_body(quantity=1)
    body["customer"]["locale"] = "pl"
    intent = put_order("PL-NAME-1", body).json()["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent)
    with django_capture_on_commit_callbacks(execute=True):
        sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent))
    [contract] = Contract.objects.filter(state="active")
    [activated] = [m for m in mail.outbox if contract.number in m.body]
    assert "Plan ochrony" in activated.body and contract.plan_snapshot["name"] not in activated.body
    portal = signed_in(contract.customer.email)
    polish = portal.get("/api/v1/portal/contracts/", HTTP_ACCEPT_LANGUAGE="pl").json()
    assert polish["results"][0]["plan_name"].startswith("Plan ochrony")
    english = portal.get("/api/v1/portal/contracts/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["results"][0]["plan_name"] == contract.plan_snapshot["name"]
