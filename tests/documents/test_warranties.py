"""Merchants' written warranties (Magnuson-Moss; 16 CFR 701.3): designation, price gates,
issuance per revision, the pre-sale page, and verification."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from backend.catalog.admin import WrittenWarrantyForm
from backend.catalog.models import WrittenWarranty
from backend.catalog.warranties import (
    full_standard_gaps,
    warranty_for_product,
    warranty_problems,
    warranty_publish,
    warranty_terms,
)
from backend.catalog.warranty_document import warranty_data
from backend.common.packs import load_packs
from backend.documents.models import Document
from backend.documents.services import DocumentNotCompliant, warranty_document_issue
from backend.legal import compliance
from backend.legal.pdf import html_to_pdf, pdf_text
from backend.legal.text import html_text, squash
from tests.factories import CategoryFactory, MerchantFactory, ProductFactory, WrittenWarrantyFactory

pytestmark = pytest.mark.django_db

IMPLIED = (
    "Some States do not allow limitations on how long an implied warranty lasts, so the above "
    "limitation may not apply to you."
)
CONSEQUENTIAL = (
    "Some States do not allow the exclusion or limitation of incidental or consequential "
    "damages, so the above limitation or exclusion may not apply to you."
)
STATE_RIGHTS = (
    "This warranty gives you specific legal rights, and you may also have other rights which "
    "vary from State to State."
)
FULL_TERMS = {
    "designation": "full",
    "duration_months": 24,
    "implied_warranty_limit_months": None,
    "refund_or_replace_after_attempts": True,
    "dispute_name": "",
    "dispute_contact": "",
    "dispute_required_first": False,
}


@pytest.fixture
def store():
    merchant = MerchantFactory(name="Gadget Store", slug="gadget-store")
    ProductFactory(merchant=merchant, price=49_999)  # $499.99: every gate applies
    return merchant


def _publish(warranty: WrittenWarranty) -> bool:
    """Publish as the admin does, running the commit hooks (eager Celery: it issues every
    language of the revision)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        changed = warranty_publish(warranty)
    warranty.refresh_from_db()
    return changed


def _published(**overrides) -> WrittenWarranty:
    warranty = WrittenWarrantyFactory(**overrides)
    _publish(warranty)
    return warranty


def _pdf(document: Document) -> bytes:
    with default_storage.open(document.file.name, "rb") as f:
        return f.read()


def test_a_limited_warranty_is_issued_with_every_mandated_statement(store):
    warranty = _published(merchant=store)
    documents = {d.language: d for d in warranty.documents.all()}
    assert set(documents) == {"en", "zh-hans"} and warranty.revision == 1
    english = documents["en"]
    assert english.state == "issued", english.compliance_report["missing"]
    assert english.pack == "US" and english.binding and not documents["zh-hans"].binding
    ids = {c["id"] for c in english.compliance_report["clauses"]}
    assert ids == {
        "mmwa.designation",
        "mmwa.who_is_covered",
        "mmwa.coverage",
        "mmwa.term",
        "mmwa.claims",
        "mmwa.dispute",
        "mmwa.implied_limit",
        "mmwa.consequential",
        "mmwa.state_rights",
        "mmwa.no_tie_in",
        "one_language",
        "text_layer",
    }
    text = squash(pdf_text(_pdf(english)))
    for expected in (
        "Limited Warranty",
        IMPLIED,
        CONSEQUENTIAL,
        STATE_RIGHTS,
        "100 Market Street",
        "Warranty department, +1 800 555 0199",
        "BBB AUTO LINE",
        "You must use this mechanism before going to court",
    ):
        assert squash(expected) in text, expected
    chinese = squash(pdf_text(_pdf(documents["zh-hans"])))
    assert squash("有限保修") in chinese and squash(STATE_RIGHTS) in chinese
    assert squash("手机及其充电器的材料和工艺缺陷。") in chinese  # its own words, translated
    assert squash("Defects in materials") not in chinese


def test_a_warranty_is_issued_only_in_the_languages_its_words_are_written_in(store):
    from django.test import Client

    warranty = _published(merchant=store, translations=())
    assert [d.language for d in warranty.documents.all()] == ["en"]
    url = reverse("written-warranty", args=[store.slug, warranty.code])
    page = Client(headers={"accept-language": "zh-hans"}).get(url).content.decode()
    assert '<html lang="en">' in page and "Defects in materials" in page


def test_a_translation_the_warranty_has_outgrown_is_not_issued(store):
    warranty = _published(merchant=store)
    warranty.buyer_duties = "Keep your receipt."  # the Chinese text does not say this yet
    warranty.save()
    _publish(warranty)
    current = warranty.documents.filter(warranty_revision=warranty.revision)
    assert [d.language for d in current] == ["en"]


def test_a_full_warranty_is_titled_with_its_duration_and_states_its_promises(store):
    warranty = _published(merchant=store, **FULL_TERMS)
    english = warranty.documents.get(language="en")
    assert english.state == "issued", english.compliance_report["missing"]
    text = squash(pdf_text(_pdf(english)))
    assert squash("Full 2-Year Warranty") in text
    assert squash("you may choose a refund or a replacement, free of charge") in text
    assert squash(IMPLIED) not in text  # it limits nothing, so it says nothing about it


@pytest.mark.parametrize(
    ("override", "gap"),
    [
        ({"remedy_free_of_charge": False}, "free of charge"),
        ({"implied_warranty_limit_months": 12}, "implied warranties"),
        ({"refund_or_replace_after_attempts": False}, "refund or a replacement"),
        ({"first_buyer_only": True}, "every owner"),
        ({"buyer_duties": "Return the registration card within 10 days."}, "registration card"),
    ],
)
def test_full_is_refused_when_a_federal_standard_does_not_hold(store, override, gap):
    terms = warranty_terms(WrittenWarrantyFactory.build(merchant=store, **FULL_TERMS))
    assert full_standard_gaps(terms) == []
    terms.update(override)
    [problem] = warranty_problems(terms)
    assert "cannot be designated Full" in problem and gap in problem


def test_the_admin_form_says_why_a_warranty_cannot_be_full(store):
    data = {
        name: value
        for name, value in warranty_terms(
            WrittenWarrantyFactory.build(merchant=store, **FULL_TERMS)
        ).items()
        if value is not None
    }
    data.update(merchant=store.pk, code="full", is_active=True, first_buyer_only=True)
    form = WrittenWarrantyForm(data=data)
    assert not form.is_valid()
    assert "cannot be designated Full" in str(form.non_field_errors())
    data["first_buyer_only"] = False
    assert WrittenWarrantyForm(data=data).is_valid(), WrittenWarrantyForm(data=data).errors


def test_the_checker_refuses_a_full_warranty_that_bypassed_the_form(store):
    """The admin form is not the only guard: the document itself cannot pass as Full."""
    warranty = WrittenWarrantyFactory(merchant=store, **{**FULL_TERMS, "first_buyer_only": True})
    _publish(warranty)
    document = warranty.documents.get(language="en")
    assert document.state == "failed" and not document.file
    assert (
        "mmwa.designation: warranty.full_standards is empty"
        in document.compliance_report["missing"]
    )
    with pytest.raises(DocumentNotCompliant):
        warranty_document_issue(warranty_id=warranty.pk, revision=1, language="en")


def test_a_paid_tie_in_is_refused_and_a_free_one_is_stated(store):
    terms = warranty_terms(WrittenWarrantyFactory.build(merchant=store, required_brand="Acme"))
    assert any("2302(c)" in p for p in warranty_problems(terms))
    paid = _published(merchant=store, required_brand="Acme")
    assert paid.documents.get(language="en").state == "failed"
    free = _published(merchant=store, required_brand="Acme", required_brand_free=True)
    document = free.documents.get(language="en")
    assert document.state == "issued"
    assert squash("must use Acme parts or service, which we give you free") in squash(
        pdf_text(_pdf(document))
    )


@pytest.mark.parametrize(
    ("prices", "required"),
    [
        ({"USD": 500}, {"mmwa.no_tie_in"}),
        ({"USD": 1000}, {"mmwa.no_tie_in"}),  # $10.00 is not more than $10
        ({"USD": 1001}, {"mmwa.no_tie_in", "mmwa.designation"}),
        ({"USD": 1500}, {"mmwa.no_tie_in", "mmwa.designation"}),
        ({"USD": 1501}, "all"),
        ({"USD": 900, "EUR": 100}, "all"),  # a currency the gates do not name: the strict way
        ({}, "all"),  # no covered product yet
    ],
)
def test_price_gates_decide_what_a_warranty_must_state(store, prices, required):
    pack = load_packs()["US"]
    terms = warranty_terms(WrittenWarrantyFactory.build(merchant=store))
    data = warranty_data(terms, pack, "en", prices)
    found = {c.id for c in compliance.required_clauses(pack, "written_warranty", "en", data)}
    every = {c.id for c in compliance.required_clauses(pack, "written_warranty", "en", {})}
    assert found == (every if required == "all" else required)


def test_a_cheap_product_still_gets_the_statements_printed(store):
    cheap = MerchantFactory(name="Cables", slug="cables")
    ProductFactory(merchant=cheap, price=899)
    warranty = _published(merchant=cheap)
    document = warranty.documents.get(language="en")
    assert [c["id"] for c in document.compliance_report["clauses"]] == [
        "mmwa.no_tie_in",
        "one_language",
        "text_layer",
    ]
    assert squash(STATE_RIGHTS) in squash(pdf_text(_pdf(document)))


def test_a_change_to_the_terms_is_a_new_revision_and_old_documents_stay(store):
    warranty = _published(merchant=store)
    first = warranty.documents.get(language="en")
    assert _publish(warranty) is False  # saved again unchanged: same revision
    warranty.excluded = "Cracked screens."
    warranty.save()
    assert _publish(warranty) is True
    assert warranty.revision == 2
    second = warranty.documents.get(language="en", warranty_revision=2)
    assert second.sha256 != first.sha256
    first.refresh_from_db()
    assert first.state == "issued" and first.snapshot["terms"]["excluded"].startswith("Cracked")
    assert "water damage" in first.snapshot["terms"]["excluded"]
    assert "water damage" not in second.snapshot["terms"]["excluded"]


def test_a_superseded_revision_is_not_issued_from_newer_terms(store):
    warranty = _published(merchant=store)
    warranty.excluded = "Nothing."
    warranty.save()
    _publish(warranty)
    assert warranty_document_issue(warranty_id=warranty.pk, revision=5, language="en") is None
    assert not warranty.documents.filter(warranty_revision=5).exists()


def test_user_text_is_escaped_and_fetches_nothing(store):
    hostile = '<script>alert(1)</script><img src="file:///etc/passwd">'
    warranty = _published(merchant=store, covered=hostile)
    document = warranty.documents.get(language="en")
    assert document.state == "issued"
    response = _page(warranty)
    body = response.content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert '<img src="file' not in body


def _page(warranty, **params):
    from django.test import Client

    url = reverse("written-warranty", args=[warranty.merchant.slug, warranty.code])
    return Client().get(url, params)


def test_the_presale_page_shows_the_terms_and_serves_the_issued_pdf(store):
    warranty = _published(merchant=store)
    page = _page(warranty)
    assert page.status_code == 200
    text = squash(html_text(page.content.decode()))
    assert squash("Limited Warranty") in text and squash(STATE_RIGHTS) in text
    pdf = _page(warranty, format="pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == _pdf(warranty.documents.get(language="en"))


def test_the_presale_page_speaks_chinese_when_asked(store):
    from django.test import Client

    warranty = _published(merchant=store)
    url = reverse("written-warranty", args=[store.slug, warranty.code])
    page = Client(headers={"accept-language": "zh-hans"}).get(url)
    assert "有限保修" in page.content.decode()


def test_inactive_unknown_and_non_us_warranties_have_no_page(store):
    warranty = _published(merchant=store)
    other = MerchantFactory(slug="elsewhere")
    assert (
        _page_url(other.slug, warranty.code).status_code == 404
    )  # another merchant's slug with this code
    WrittenWarranty.objects.filter(pk=warranty.pk).update(is_active=False)
    assert _page(warranty).status_code == 404
    polish = WrittenWarrantyFactory(merchant=MerchantFactory(slug="sklep", country="PL"))
    assert _page(polish).status_code == 404


def _page_url(merchant_slug: str, code: str):
    from django.test import Client

    return Client().get(reverse("written-warranty", args=[merchant_slug, code]))


def test_the_warranty_for_a_product_prefers_its_category(store):
    tvs = CategoryFactory(slug="tvs")
    general = WrittenWarrantyFactory(merchant=store, code="a-general")
    specific = WrittenWarrantyFactory(merchant=store, code="z-tvs")
    specific.categories.add(tvs)
    tv = ProductFactory(merchant=store, category=tvs)
    phone = ProductFactory(merchant=store)
    assert warranty_for_product(tv) == specific
    assert warranty_for_product(phone) == general


def test_verify_documents_detects_a_tampered_warranty(store):
    warranty = _published(merchant=store)
    call_command("verify_documents")
    document = warranty.documents.get(language="en")
    default_storage.delete(document.file.name)
    default_storage.save(document.file.name, ContentFile(_pdf_without_statements(document)))
    with pytest.raises(CommandError):
        call_command("verify_documents")


def _pdf_without_statements(document: Document) -> bytes:
    html = "<html><body><h1>Limited Warranty</h1><p>Nothing else.</p></body></html>"
    return html_to_pdf(html)


def test_merchants_list_their_own_warranties_with_the_presale_links(store, api, merchant):
    mine = _published(merchant=merchant, code="phones")
    _published(merchant=store, code="theirs")
    response = api.get("/api/v1/warranties/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["code"] == "phones" and row["designation_title"] == "Limited Warranty"
    assert row["page_url"].endswith(f"/warranties/{merchant.slug}/phones/")
    assert row["pdf_url"].endswith("?format=pdf")
    assert row["revision"] == mine.revision and row["documents"] == {
        "en": "issued",
        "zh-hans": "issued",
    }


def test_the_demo_warranties_are_issued_and_the_full_one_earns_its_title():
    from django.test import TestCase

    from backend.demo.seeding import seed_catalogue, seed_warranties

    merchants = seed_catalogue()
    with TestCase.captureOnCommitCallbacks(execute=True):
        seed_warranties(merchants)
    documents = Document.objects.filter(warranty__isnull=False)
    assert documents.count() == 4
    assert set(documents.values_list("state", flat=True)) == {"issued"}
    tv = documents.get(warranty__code="voltmart-tv-full-2-year", language="en")
    assert squash("Full 2-Year Warranty") in squash(pdf_text(_pdf(tv)))


def test_a_revision_reaches_the_documents_app_as_a_domain_event(store):
    from backend.events.models import Delivery, Event

    warranty = _published(merchant=store)
    [event] = Event.objects.filter(name="warranty.revised", aggregate_id=str(warranty.pk))
    assert event.payload == {"revision": 1, "new_revision": True}
    [delivery] = Delivery.objects.filter(event=event)
    assert (delivery.subscriber, delivery.state) == ("documents.warranty_revision", "done")
    assert warranty.documents.filter(warranty_revision=1, state="issued").count() == 2
