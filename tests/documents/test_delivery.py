"""Documents reach the shopper: attached to the activation and cancellation e-mails."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from backend.checkout.cancellation import contract_cancel
from backend.common.actors import Actor
from backend.contracts.models import Contract
from backend.documents.models import Document
from backend.legal.pdf import pdf_text
from backend.legal.text import squash
from tests import stripe_helpers as sh

pytestmark = pytest.mark.django_db


def test_activation_email_carries_the_contract_in_english_and_the_holders_language(
    put_order, order_body, client, stripe_api, django_capture_on_commit_callbacks
):
    body = order_body(quantity=1)
    body["customer"]["locale"] = "zh-hans"
    order = put_order("DOCS-1", body).json()
    intent = order["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent)
    with django_capture_on_commit_callbacks(execute=True):
        response = sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent))
    assert response.status_code == 200
    [contract] = Contract.objects.filter(state="active")
    assert contract.template_version == "service_contract/v2"
    documents = Document.objects.filter(contract=contract).order_by("language")
    assert [(d.language, d.state, d.binding) for d in documents] == [
        ("en", "issued", True),
        ("zh-hans", "issued", False),
    ]
    [message] = [m for m in mail.outbox if contract.number in m.body]
    assert "您的合同以 PDF 附件形式附上" in message.body  # the holder's language, zh-hans
    names = sorted(name for name, _content, _type in message.attachments)
    assert names == [
        f"{contract.number}-service_contract-en.pdf",
        f"{contract.number}-service_contract-zh-hans.pdf",
    ]
    english = next(c for n, c, _t in message.attachments if n.endswith("-en.pdf"))
    insured = "are insured under a service contract reimbursement insurance policy"
    assert squash(insured) in squash(pdf_text(english))


def test_cancellation_email_carries_the_refund_notice_with_its_arithmetic(
    paid_order, django_capture_on_commit_callbacks
):
    _intent, [number, _other] = paid_order()
    contract = Contract.objects.get(number=number)
    with django_capture_on_commit_callbacks(execute=True):
        contract_cancel(
            contract_id=contract.pk, actor=Actor.system("test"), reason="customer_request"
        )
    notice = Document.objects.get(contract=contract, kind="refund_notice")
    assert notice.state == "issued" and notice.compliance_report["passed"]
    [message] = [m for m in mail.outbox if number in m.body]
    assert "The refund notice, with this arithmetic, is attached as a PDF." in message.body
    [(name, content, mimetype)] = message.attachments
    assert name == f"{number}-refund_notice-en.pdf" and mimetype == "application/pdf"
    text = squash(pdf_text(content))
    assert squash("$99.99") in text and squash(number) in text


def test_the_holder_downloads_their_documents_and_nobody_else_can(paid_order):
    from backend.documents.services import document_issue
    from tests.portal.test_portal import signed_in

    _intent, [number] = paid_order(quantity=1)
    contract = Contract.objects.get(number=number)
    document = document_issue(contract_id=contract.pk, kind="service_contract", language="en")
    url = f"/api/v1/portal/contracts/{number}/documents/service_contract/en/"
    assert APIClient().get(url).status_code == 401  # not signed in
    paid_order(order_id="OTHER-1", quantity=1, email="eve@example.com")
    assert signed_in("eve@example.com").get(url).status_code == 404  # not theirs

    client = signed_in(contract.customer.email)
    [listed] = client.get("/api/v1/portal/contracts/").json()["results"]
    assert listed["documents"][0]["url"] == url and listed["documents"][0]["binding"] is True
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Coverdesk-Document-SHA256"] == document.sha256
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    missing = client.get(f"/api/v1/portal/contracts/{number}/documents/refund_notice/en/")
    assert missing.status_code == 404 and missing.json()["code"] == "document_not_found"


def test_checkout_records_e_delivery_consent_with_the_esign_disclosures(
    put_order, order_body, stripe_api
):
    from backend.customers.models import ConsentRecord

    assert put_order("ESIGN-1", order_body(quantity=1)).status_code == 201
    consent = ConsentRecord.objects.get(kind="e_delivery")
    assert consent.granted and consent.text_version == "esign-1"
    for disclosure in ("paper copy", "withdraw this consent", "update my e-mail", "PDF"):
        assert disclosure in consent.text
    assert consent.ip_address == "203.0.113.9" and consent.user_agent == "pytest"


def test_a_paper_copy_is_due_in_ten_business_days_in_california_and_staff_post_it(
    paid_order, admin_client
):
    import datetime

    from django.utils import timezone as tz

    from backend.documents.models import PaperCopyRequest
    from backend.documents.services import add_business_days
    from tests.portal.test_portal import signed_in

    assert add_business_days(datetime.date(2026, 11, 20), 10) == datetime.date(2026, 12, 4)
    _intent, [number] = paid_order(quantity=1)
    client = signed_in("ana@example.com")
    url = f"/api/v1/portal/contracts/{number}/paper-copy/"
    response = client.post(url, {"mailing_address": "1 Elm St\nSpringfield"}, format="json")
    assert response.status_code == 201
    expected = add_business_days(tz.localdate(), 10)
    assert response.json()["due_on"] == expected.isoformat()
    again = client.post(url, {"mailing_address": "1 Elm St"}, format="json")
    assert again.status_code == 201 and PaperCopyRequest.objects.count() == 1  # still one open
    assert client.post(url, {}, format="json").status_code == 400

    listing = admin_client.get("/admin/documents/papercopyrequest/?state__exact=requested")
    assert number in listing.content.decode()
    paper = PaperCopyRequest.objects.get()
    admin_client.post(
        "/admin/documents/papercopyrequest/",
        {"action": "mark_sent", "_selected_action": [paper.pk]},
    )
    paper.refresh_from_db()
    assert paper.state == "sent" and paper.sent_by
