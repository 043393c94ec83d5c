"""Contract documents: rendered, checked against their pack, issued once, verified later."""

import http.server
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import override_settings

from backend.contracts.models import Contract
from backend.documents.checks import cjk_font_installed
from backend.documents.models import Document
from backend.documents.services import DocumentNotCompliant, document_issue
from backend.legal.pdf import pdf_text
from backend.legal.text import squash

pytestmark = pytest.mark.django_db

INSURED = "Obligations of the provider under this service contract are insured"


@pytest.fixture
def contract(paid_order):
    _intent, [number, _other] = paid_order(quantity=2)
    return Contract.objects.get(number=number)


def _pdf(document: Document) -> bytes:
    with default_storage.open(document.file.name, "rb") as f:
        return f.read()


def test_issue_renders_checks_and_stores_a_pdf(contract):
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    assert document.state == "issued" and document.pack == "US-CA"
    report = document.compliance_report
    assert report["passed"] is True and report["missing"] == []
    assert {c["id"] for c in report["clauses"]} >= {"naic.backing", "ca.obligation"}
    pdf = _pdf(document)
    assert pdf.startswith(b"%PDF-") and document.size == len(pdf)
    text = squash(pdf_text(pdf))
    assert squash(INSURED) in text and squash(contract.number) in text


def _in_jurisdiction(contract: Contract, jurisdiction: str, currency: str = "USD") -> Contract:
    """The same sale, made in another jurisdiction (a Texas administrator is registered)."""
    snapshot = contract.plan_snapshot
    snapshot["administrator"] = {
        "legal_name": "Claims Admin LLC",
        "mailing_address": "2 Side Street, Austin, TX 78701, US",
        "toll_free_phone": "+1 800 555 0111",
        "email": "",
        "registration_numbers": {"US-TX": "TX-ADM-4471"},
    }
    snapshot["provider"] = {**snapshot["provider"], "registration_numbers": {"US-TX": "TX-SC-0042"}}
    Contract.objects.filter(pk=contract.pk).update(
        jurisdiction=jurisdiction, currency=currency, plan_snapshot=snapshot
    )
    return Contract.objects.get(pk=contract.pk)


PACK_JURISDICTIONS = [
    ("US-CA", "US-CA", "USD"),
    ("US-FL", "US-FL", "USD"),
    ("US-IL", "US-IL", "USD"),
    ("US-NY", "US-NY", "USD"),
    ("US-OK", "US-OK", "USD"),
    ("US-TX", "US-TX", "USD"),
    ("US-WA", "US-WA", "USD"),
    ("US", "US-GA", "USD"),
    ("PL", "PL", "PLN"),
    ("EU", "DE", "EUR"),
]


@pytest.mark.parametrize(("pack", "jurisdiction", "currency"), PACK_JURISDICTIONS)
def test_golden_every_pack_issues_a_compliant_contract_in_each_language(
    contract, pack, jurisdiction, currency
):
    from backend.common.packs import load_packs

    contract = _in_jurisdiction(contract, jurisdiction, currency)
    languages = load_packs()[pack].languages
    for language in languages:
        document = document_issue(
            contract_id=contract.pk, kind="service_contract", language=language
        )
        assert document.state == "issued", document.compliance_report["missing"]
        assert document.pack == pack
        text = squash(pdf_text(_pdf(document)))
        for clause in document.compliance_report["clauses"]:
            assert clause["passed"], clause
        assert squash(contract.number) in text


def test_the_polish_statement_and_chinese_text_survive_the_pdf(contract):
    contract = _in_jurisdiction(contract, "PL", "PLN")
    contract.customer.first_name, contract.customer.last_name = "王小明", "Żółć"
    contract.customer.save()
    polish = document_issue(contract_id=contract.pk, kind="service_contract", language="pl")
    text = squash(pdf_text(_pdf(polish)))
    assert squash("Gwarancja nie wyłącza, nie ogranicza ani nie zawiesza tych uprawnień.") in text
    assert squash("王小明 Żółć") in text
    assert polish.binding is True
    chinese = document_issue(contract_id=contract.pk, kind="service_contract", language="zh-hans")
    assert chinese.binding is False and squash("王小明") in squash(pdf_text(_pdf(chinese)))


# Characters Noto Sans CJK draws with the glyph of a look-alike radical (门 and ⻔).
LOOK_ALIKES = "门户见长马鸟龙车贝页风飞鱼齿"


def _chinese_names(contract):
    contract.customer.first_name, contract.customer.last_name = LOOK_ALIKES[:7], LOOK_ALIKES[7:]
    contract.customer.save()
    return contract


def test_chinese_copied_out_of_the_pdf_is_the_documents_own_text(contract):
    contract = _chinese_names(_in_jurisdiction(contract, "PL", "PLN"))
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="zh-hans")
    text = pdf_text(_pdf(document))
    assert LOOK_ALIKES[:7] in text and LOOK_ALIKES[7:] in text  # exact: no folding
    assert not [c for c in text if 0x2E80 <= ord(c) <= 0x2FDF]  # no radicals at all
    layer = next(c for c in document.compliance_report["clauses"] if c["id"] == "text_layer")
    assert layer["passed"] is True


@override_settings(DOCUMENT_CJK_FONT="Noto Sans CJK SC")
def test_a_font_whose_text_layer_reads_back_radicals_is_refused(contract):
    contract = _chinese_names(_in_jurisdiction(contract, "PL", "PLN"))
    with pytest.raises(DocumentNotCompliant) as refused:
        document_issue(contract_id=contract.pk, kind="service_contract", language="zh-hans")
    assert "text_layer: the PDF's text layer reads characters" in str(refused.value)
    assert "⻔ (U+2ED4)" in str(refused.value)


def test_a_missing_field_refuses_issue_and_says_what_is_missing(contract):
    snapshot = contract.plan_snapshot
    snapshot["provider"]["toll_free_phone"] = ""
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    with pytest.raises(DocumentNotCompliant) as refused:
        document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    assert "provider.toll_free_phone is empty" in str(refused.value.message)
    document = Document.objects.get()
    assert document.state == "failed" and not document.file
    assert (
        "naic.parties: provider.toll_free_phone is empty" in document.compliance_report["missing"]
    )
    with pytest.raises(DocumentNotCompliant):  # a repeat does not issue it either
        document_issue(contract_id=contract.pk, kind="service_contract", language="en")


def test_a_template_that_drops_a_clause_or_a_field_is_refused(contract, tmp_path, settings):
    from pathlib import Path

    version = contract.template_version.split("/")[1]
    original = (
        Path(settings.BASE_DIR)
        / f"legal_templates/templates/documents/service_contract/{version}.html"
    ).read_text()
    copy = tmp_path / "documents" / "service_contract"
    copy.mkdir(parents=True)
    (copy / f"{version}.html").write_text(
        original.replace("{{ clause.text }}", "")
        .replace(
            '{% translate "Provider\'s toll-free number" %}: {{ provider.toll_free_phone }}', ""
        )
        .replace('{% translate "Toll-free" %}: {{ provider.toll_free_phone }}', "")
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates), pytest.raises(DocumentNotCompliant):
        document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    missing = Document.objects.get().compliance_report["missing"]
    assert "naic.backing: its required wording is not in the HTML" in missing
    assert "ca.obligation: its required wording is not in the HTML" in missing
    assert "naic.claims: provider.toll_free_phone is not shown in the HTML" in missing


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_shopper_and_merchant_text_is_escaped_and_fetches_nothing(contract):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    hostile = (
        f'<img src="{url}/img"><script>fetch("{url}/js")</script>'
        f'<iframe src="file:///etc/passwd"></iframe><link rel=stylesheet href="{url}/css">'
    )
    product = contract.product_snapshot
    product["title"] = hostile
    Contract.objects.filter(pk=contract.pk).update(product_snapshot=product)
    contract.customer.first_name = f'<img src="{url}/name">'  # the column holds 100
    contract.customer.save()
    try:
        document = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    finally:
        server.shutdown()
    assert document.state == "issued"
    text = squash(pdf_text(_pdf(document)))
    assert squash('<img src="') in text and squash("<script>") in text  # shown as text
    assert "root:" not in text
    assert _Recorder.hits == []


def test_issue_is_idempotent_and_a_crashed_attempt_is_finished(contract):
    first = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    again = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert Document.objects.count() == 1
    # A worker that died after claiming the row leaves it rendering: the retry issues it.
    other = Contract.objects.exclude(pk=contract.pk).get()
    Document.objects.create(
        contract=other, kind="service_contract", language="en", pack="US-CA", template="v1"
    )
    finished = document_issue(contract_id=other.pk, kind="service_contract", language="en")
    assert finished.state == "issued" and Document.objects.count() == 2


def test_verify_documents_detects_a_tampered_file(contract):
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    call_command("verify_documents")  # all good: no error
    pdf = _pdf(document)
    default_storage.delete(document.file.name)
    default_storage.save(document.file.name, ContentFile(pdf + b"% appended after issue\n"))
    with pytest.raises(CommandError, match="1 of 1 issued documents failed"):
        call_command("verify_documents")
    default_storage.delete(document.file.name)  # and a file that is gone
    with pytest.raises(CommandError, match="1 of 1 issued documents failed"):
        call_command("verify_documents")


def test_staff_see_a_failed_document_and_retry_it_after_the_fix(
    contract, admin_client, django_capture_on_commit_callbacks
):
    snapshot = contract.plan_snapshot
    phone = snapshot["provider"]["toll_free_phone"]
    snapshot["provider"]["toll_free_phone"] = ""
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    with pytest.raises(DocumentNotCompliant):
        document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    document = Document.objects.get()
    listing = admin_client.get("/admin/documents/document/?state__exact=failed")
    assert listing.status_code == 200 and contract.number in listing.content.decode()
    page = admin_client.get(f"/admin/documents/document/{document.pk}/change/")
    assert "provider.toll_free_phone is empty" in page.content.decode()

    snapshot["provider"]["toll_free_phone"] = phone  # the data is corrected
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    from backend.documents.services import document_retry

    with django_capture_on_commit_callbacks(execute=True):
        document_retry(document_id=document.pk)
    document.refresh_from_db()
    assert document.state == "issued" and document.compliance_report["passed"]


def test_verify_documents_reports_a_file_that_is_no_pdf_at_all(contract):
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    default_storage.delete(document.file.name)
    default_storage.save(document.file.name, ContentFile(b"MZ\x90\x00 not a PDF"))
    with pytest.raises(CommandError):
        call_command("verify_documents")


def test_a_new_template_version_never_changes_what_a_contract_was_sold_under(
    contract, tmp_path, settings, monkeypatch
):
    from pathlib import Path

    from backend.common.packs import load_packs

    v2 = Path(settings.BASE_DIR) / "legal_templates/templates/documents/service_contract/v2.html"
    (tmp_path / "documents" / "service_contract").mkdir(parents=True)
    (tmp_path / "documents" / "service_contract" / "v3.html").write_text(
        v2.read_text().replace("<h2>", "<h2>VERSION THREE ", 1)
    )
    monkeypatch.setitem(load_packs()["US-CA"].data["documents"], "service_contract", "v3")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        sold_before = document_issue(
            contract_id=contract.pk, kind="service_contract", language="en"
        )
        assert contract.template_version == "service_contract/v2"
        assert sold_before.template == "v2"
        assert "VERSIONTHREE" not in squash(pdf_text(_pdf(sold_before)))
        # A contract sold under v3 is issued from v3.
        other = Contract.objects.exclude(pk=contract.pk).get()
        Contract.objects.filter(pk=other.pk).update(template_version="service_contract/v3")
        sold_after = document_issue(contract_id=other.pk, kind="service_contract", language="en")
        assert sold_after.template == "v3"
        assert "VERSIONTHREE" in squash(pdf_text(_pdf(sold_after)))


def test_a_duplicate_task_that_loses_the_race_keeps_the_winners_file(contract, monkeypatch):
    """Two tasks render at once; the second to save finds the row issued and drops its PDF."""
    from backend.documents import services

    real_render = services.render_document
    winner = {}

    def render_then_lose(*args, **kwargs):
        result = real_render(*args, **kwargs)
        if not winner:  # while this task renders, another issues the document
            monkeypatch.setattr(services, "render_document", real_render)
            winner["document"] = document_issue(
                contract_id=contract.pk, kind="service_contract", language="en"
            )
        return result

    monkeypatch.setattr(services, "render_document", render_then_lose)
    loser = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    assert loser.pk == winner["document"].pk and loser.sha256 == winner["document"].sha256
    assert Document.objects.count() == 1
    files = default_storage.listdir(f"documents/{contract.number}")[1]
    assert files == [winner["document"].file.name.rpartition("/")[2]]


def test_a_missing_cjk_font_is_a_system_check_warning():
    assert cjk_font_installed() == []
    with override_settings(DOCUMENT_CJK_FONT="No Such Font Sans"):
        [warning] = cjk_font_installed()
    assert warning.id == "documents.W001" and "No Such Font Sans" in warning.msg
