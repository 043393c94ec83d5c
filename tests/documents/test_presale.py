"""Pre-sale terms: a specimen of the contract from the same template, in HTML and PDF."""

import pytest

from backend.common.packs import load_packs, pack_for
from backend.legal import compliance
from backend.legal.pdf import html_to_pdf, pdf_text
from backend.legal.text import html_text, squash
from backend.plans.specimen import specimen_data
from backend.plans.terms import render_terms
from tests.factories import (
    AdministratorFactory,
    InsuredProviderFactory,
    PlanFactory,
    PlanPriceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(phones):
    plan = PlanFactory(
        code="tv-3y",
        markets=["US", "EU"],
        provider=InsuredProviderFactory(registration_numbers={"US-TX": "TX-SC-9"}),
        administrator=AdministratorFactory(registration_numbers={"US-TX": "TX-9"}),
    )
    PlanPriceFactory(plan=plan, product_price_min=0, product_price_max=99_999, price=4_999)
    return plan


@pytest.mark.parametrize("jurisdiction", ["US-CA", "US-TX", "US-FL", "US-GA", "PL", "DE"])
def test_the_specimen_carries_every_required_statement_of_the_pack(plan, jurisdiction):
    pack = load_packs()[pack_for(jurisdiction).code]
    language = pack.data["binding_language"]
    html = render_terms(plan, jurisdiction, language)
    data = specimen_data(plan, pack, language, jurisdiction)
    clauses = compliance.required_clauses(pack, "service_contract", language, data)
    report = compliance.check(
        pack=pack,
        kind="service_contract",
        language=language,
        data=data,
        clauses=clauses,
        html_text=html_text(html),
        pdf_text=None,
    )
    assert report.passed, report.missing
    assert "Specimen" in html or "Wzór" in html or "SPECIMEN" in html


def test_terms_download_as_pdf_with_the_hash_of_the_page(client, plan):
    page = client.get("/plans/tv-3y/terms/?jurisdiction=US-FL")
    pdf = client.get("/plans/tv-3y/terms/?jurisdiction=US-FL&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Coverdesk-Terms-SHA256"] == page["Coverdesk-Terms-SHA256"]
    text = squash(pdf_text(pdf.content))
    assert squash("is not subject to regulation by the office") in text
    assert squash("$49.99") in text  # the price table


def test_the_terms_pdf_is_rendered_once_per_text_not_per_request(client, plan, monkeypatch):
    from backend.plans import views

    renders = []

    def counting(html, page_size):
        renders.append(page_size)
        return html_to_pdf(html, page_size=page_size)

    monkeypatch.setattr(views, "html_to_pdf", counting)
    url = "/plans/tv-3y/terms/?jurisdiction={}&format=pdf"
    first, again = client.get(url.format("US-FL")), client.get(url.format("US-FL"))
    assert first.content == again.content and len(renders) == 1
    other = client.get(url.format("US-CA"))  # another text: its own rendering
    assert other.content != first.content and len(renders) == 2
    assert other["Coverdesk-Terms-SHA256"] != first["Coverdesk-Terms-SHA256"]


def test_a_jurisdiction_without_a_pack_says_the_plan_is_not_sold_there(client, plan):
    html = client.get("/plans/tv-3y/terms/?jurisdiction=JP").content.decode()
    assert "This plan is not sold in your jurisdiction." in html
