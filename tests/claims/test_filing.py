"""Filing a claim from the portal: eligibility, guided questions, evidence by content."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from backend.claims.eligibility import claim_eligibility
from backend.claims.models import Claim, ClaimEvidence
from backend.contracts.models import Contract
from backend.events.models import Delivery, DeliveryState
from tests.claims.conftest import file_claim, jpeg, png, shopper_client
from tests.common.test_nul_input import refused

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _codes(contract, reason="mechanical_failure", failure_date=None):
    failure_date = failure_date or TODAY() - timedelta(days=1)
    return [p.code for p in claim_eligibility(contract, reason=reason, failure_date=failure_date)]


def test_an_active_contract_past_its_waiting_period_can_claim(contract):
    assert _codes(contract) == []


@pytest.mark.parametrize(
    ("setup", "reason", "failure_days_ago", "code"),
    [
        ({"state": "cancelled"}, "mechanical_failure", 1, "contract_not_active"),
        ({"state": "expired"}, "mechanical_failure", 1, "contract_not_active"),
        ({"state": "pending_payment"}, "mechanical_failure", 1, "contract_not_active"),
        ({}, "mechanical_failure", -3, "failure_date_in_future"),
        ({"waiting_ends_in_days": 5}, "mechanical_failure", 1, "in_waiting_period"),
        ({"coverage_starts_in_days": 30}, "mechanical_failure", 1, "before_coverage"),
        ({"coverage_ended_days_ago": 3}, "mechanical_failure", 1, "after_coverage"),
        ({}, "accidental_damage", 1, "accident_not_covered"),
        ({}, "lost", 1, "loss_not_covered"),
        ({}, "stolen", 1, "loss_not_covered"),
        ({"limit_remaining": 0}, "mechanical_failure", 1, "limit_used_up"),
    ],
)
def test_the_eligibility_matrix(contract, setup, reason, failure_days_ago, code):
    today = TODAY()
    changes = {}
    if "state" in setup:
        changes["state"] = setup["state"]
    if "waiting_ends_in_days" in setup:
        changes["waiting_period_ends"] = today + timedelta(days=setup["waiting_ends_in_days"])
    if "coverage_starts_in_days" in setup:
        changes["coverage_start"] = today + timedelta(days=setup["coverage_starts_in_days"])
    if "coverage_ended_days_ago" in setup:
        changes["coverage_end"] = today - timedelta(days=setup["coverage_ended_days_ago"])
    if "limit_remaining" in setup:
        changes["limit_remaining"] = setup["limit_remaining"]
    Contract.objects.filter(pk=contract.pk).update(**changes)
    contract.refresh_from_db()
    codes = _codes(contract, reason, today - timedelta(days=failure_days_ago))
    assert code in codes


def test_accidental_damage_is_covered_by_an_adh_plan(contract):
    snapshot = {**contract.plan_snapshot, "coverage": "adh"}
    Contract.objects.filter(pk=contract.pk).update(plan_snapshot=snapshot)
    contract.refresh_from_db()
    assert _codes(contract, "accidental_damage") == []


def test_filing_creates_a_submitted_claim_with_sla_clocks_and_mails_the_shopper(
    contract, shopper, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    photo = io.BytesIO(jpeg())
    photo.name = "screen.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        response = file_claim(
            shopper, contract, photos=[photo], answers='{"restarted": "yes", "updated": "yes"}'
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    claim = Claim.objects.get(number=body["number"])
    assert claim.state == "submitted" and claim.customer_id == contract.customer_id
    assert claim.answers == {"restarted": "yes", "updated": "yes"}
    assert claim.first_response_due - claim.created_at == timedelta(hours=24)
    assert claim.decision_due - claim.created_at == timedelta(hours=120)
    assert [e["kind"] for e in body["evidence"]] == ["photo"]
    assert body["files_not_stored"] == []
    assert claim.events.get().name == "file"
    [message] = mail.outbox
    assert message.to == [contract.customer.email] and claim.number in message.subject
    assert "We are sorry your" in message.body


def test_an_ineligible_claim_is_refused_with_every_reason_and_nothing_is_written(contract, shopper):
    response = file_claim(
        shopper,
        contract,
        reason="accidental_damage",
        failure_date=(TODAY() + timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "claim_not_eligible"
    assert {r["code"] for r in body["reasons"]} == {
        "accident_not_covered",
        "failure_date_in_future",
    }
    assert not Claim.objects.exists()


def test_eligibility_can_be_asked_before_filing(contract, shopper):
    response = shopper.get(
        "/api/v1/portal/claims/eligibility/",
        {"contract": contract.number, "reason": "lost", "failure_date": TODAY().isoformat()},
    )
    assert response.status_code == 200
    assert response.json()["eligible"] is False
    assert response.json()["reasons"][0]["code"] == "loss_not_covered"


def test_the_guide_asks_category_questions_with_tips(contract, shopper):
    response = shopper.get("/api/v1/portal/claims/guide/", {"contract": contract.number})
    assert response.status_code == 200
    questions = response.json()["questions"]
    assert response.json()["category"] == "phones"
    assert {"restarted", "updated"} <= {q["id"] for q in questions}
    assert all(q["tip"] for q in questions if q["tip_if"])


def test_a_claim_on_someone_elses_contract_is_not_found(sell, contract):
    stranger = sell(email="eve@example.com")
    response = file_claim(shopper_client(stranger), contract)
    assert response.status_code == 404 and response.json()["code"] == "contract_not_found"
    guide = shopper_client(stranger).get(
        "/api/v1/portal/claims/guide/", {"contract": contract.number}
    )
    assert guide.status_code == 404


def test_bad_input_is_a_400_with_field_errors(contract, shopper):
    response = file_claim(shopper, contract, reason="bored", failure_date="yesterday")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reason", "failure_date"}
    answers = file_claim(shopper, contract, answers='{"restarted": "maybe"}')
    assert answers.status_code == 400 and "answers" in answers.json()["fields"]
    anonymous = file_claim(type(shopper)(), contract)
    assert anonymous.status_code in (401, 403)


# --- Uploads -----------------------------------------------------------------------------


def _upload(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (ELF, "photo.jpg"),  # an executable renamed .jpg
        (b"MZ\x90\x00" + b"\x00" * 100, "receipt.png"),  # a Windows executable
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.jpg"),
        (b"GIF89a" + b"\x00" * 50, "anim.gif"),
        (jpeg()[:40], "truncated.jpg"),  # a JPEG header with nothing behind it
        (b"%PDF-1.4 not really", "photo.jpg"),  # a PDF is a receipt, never a photo
    ],
)
def test_files_are_judged_by_their_content(contract, shopper, content, name):
    response = file_claim(shopper, contract, photos=[_upload(content, name)])
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "unsupported_file_type"
    assert not Claim.objects.exists()  # one bad file refuses the whole request


def test_an_empty_file_is_a_field_error(contract, shopper):
    response = file_claim(shopper, contract, photos=[_upload(b"", "empty.jpg")])
    assert response.status_code == 400 and "photos" in response.json()["fields"]


@override_settings(CLAIMS_MAX_UPLOAD_BYTES=20_000)
def test_an_oversized_file_is_413(contract, shopper):
    big = jpeg(size=(800, 800), color=(10, 200, 10))
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=100)
    assert len(out.getvalue()) > 20_000 or len(big) > 20_000
    payload = out.getvalue() if len(out.getvalue()) > 20_000 else big
    response = file_claim(shopper, contract, photos=[_upload(payload, "big.jpg")])
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert not Claim.objects.exists()


def test_too_many_files_is_400(contract, shopper, settings):
    photos = [_upload(jpeg(color=(i, 0, 0)), f"{i}.jpg") for i in range(6)]
    response = file_claim(shopper, contract, photos=photos)
    assert response.status_code == 400 and response.json()["code"] == "too_many_files"


def test_image_metadata_is_stripped_and_names_are_not_trusted(contract, shopper):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-software"  # Software
    original = jpeg(exif=exif.tobytes())
    assert b"SpyCam" in original
    receipt = _upload(png(), "../../etc/passwd<script>.png")
    response = file_claim(
        shopper, contract, photos=[_upload(original, "p.jpg")], receipts=[receipt]
    )
    assert response.status_code == 201, response.json()
    stored = {e.kind: e for e in ClaimEvidence.objects.all()}
    with stored["photo"].file.open("rb") as f:
        data = f.read()
    assert b"SpyCam" not in data and b"secret-software" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert stored["receipt"].content_type == "image/png"
    assert "/" not in stored["receipt"].original_name and "<" not in stored["receipt"].original_name
    assert (
        stored["receipt"].file.name.startswith("claims/")
        and "passwd" not in stored["receipt"].file.name
    )


def test_a_pdf_receipt_is_accepted_and_scrubbed(contract, shopper):
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Receipt: Phone 9, $799.00")
    document.set_metadata({"author": "Jane Secret", "title": "receipt"})
    pdf = document.tobytes()
    assert b"Jane Secret" in pdf
    response = file_claim(shopper, contract, receipts=[_upload(pdf, "receipt.pdf")])
    assert response.status_code == 201, response.json()
    evidence = ClaimEvidence.objects.get()
    assert evidence.content_type == "application/pdf"
    with evidence.file.open("rb") as f:
        assert b"Jane Secret" not in f.read()


def _hostile_pdf() -> bytes:
    """A receipt that runs JavaScript on opening and on page view, launches a program from a
    link, carries an attached executable and a form field with a script."""
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Receipt: Phone 9, $799.00")
    catalog = document.pdf_catalog()
    document.xref_set_key(catalog, "OpenAction", "<</S/JavaScript/JS(app.alert\\(1\\))>>")
    document.xref_set_key(catalog, "AA", "<</WC<</S/JavaScript/JS(app.alert\\(2\\))>>>>")
    document.embfile_add("payload.exe", b"MZ\x90\x00", filename="payload.exe")
    page.insert_link(
        {"kind": pymupdf.LINK_LAUNCH, "file": "calc.exe", "from": pymupdf.Rect(72, 90, 200, 110)}
    )
    field = pymupdf.Widget()
    field.field_name, field.field_type = "total", pymupdf.PDF_WIDGET_TYPE_TEXT
    field.rect, field.script = pymupdf.Rect(72, 150, 200, 170), "app.alert(3)"
    page.add_widget(field)
    document.xref_set_key(page.xref, "AA", "<</O<</S/JavaScript/JS(app.alert\\(4\\))>>>>")
    return document.tobytes()


ACTIVE_KEYS = ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/AcroForm")


def test_a_pdf_receipt_loses_scripts_actions_attachments_and_forms(contract, shopper, agent):
    import pymupdf

    pdf = _hostile_pdf()
    assert all(key.encode() in pdf for key in ACTIVE_KEYS)
    response = file_claim(shopper, contract, receipts=[_upload(pdf, "receipt.pdf")])
    assert response.status_code == 201, response.json()
    evidence = ClaimEvidence.objects.get()
    served = agent.get(f"/api/v1/desk/claims/{evidence.claim.number}/evidence/{evidence.pk}/")
    assert served.status_code == 200
    stored = b"".join(served.streaming_content) if served.streaming else served.content
    with pymupdf.open(stream=stored, filetype="pdf") as document:
        objects = "".join(
            document.xref_object(x, compressed=True) for x in range(1, document.xref_length())
        )
        text = document[0].get_text()
        assert document.embfile_count() == 0 and not document.is_form_pdf
        assert not list(document[0].links()) and not list(document[0].widgets())
    for key in ACTIVE_KEYS:
        assert key not in objects, key
    assert "Receipt: Phone 9, $799.00" in text  # what it shows is kept


def test_an_image_over_the_pixel_limit_is_refused_below_pillows_own_refusal(contract, shopper):
    # 7,000 x 7,000 = 49 megapixels: over the 40 MP limit, under the 80 MP at which Pillow
    # itself would refuse (it only warns in between).
    big = io.BytesIO()
    Image.new("1", (7_000, 7_000)).save(big, "PNG")
    response = file_claim(shopper, contract, photos=[_upload(big.getvalue(), "big.png")])
    assert response.status_code == 400 and response.json()["code"] == "unsupported_file_type"
    assert not ClaimEvidence.objects.exists()


def test_photos_get_a_thumbnail_for_the_lists_and_pdfs_do_not(contract, shopper):
    import pymupdf

    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Receipt")
    photo = _upload(jpeg(size=(2000, 1500)), "big.jpg")
    clear = io.BytesIO()
    Image.new("RGBA", (300, 900), (0, 0, 255, 0)).save(clear, "PNG")  # see-through, tall
    response = file_claim(
        shopper,
        contract,
        photos=[photo],
        receipts=[_upload(clear.getvalue(), "r.png"), _upload(document.tobytes(), "r.pdf")],
    )
    assert response.status_code == 201, response.json()
    by_type = {e["content_type"]: e for e in response.json()["evidence"]}
    big, tall, pdf = by_type["image/jpeg"], by_type["image/png"], by_type["application/pdf"]
    assert pdf["thumbnail_url"] is None
    small = shopper.get(big["thumbnail_url"])
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"
    assert small["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(small.streaming_content))) as image:
        assert (image.format, image.size) == ("JPEG", (480, 360))
    with Image.open(
        io.BytesIO(b"".join(shopper.get(tall["thumbnail_url"]).streaming_content))
    ) as im:
        assert im.size == (160, 480) and im.getpixel((80, 240)) == (255, 255, 255)  # on white
    assert shopper.get(f"{pdf['url']}?size=thumbnail").json()["code"] == "thumbnail_not_found"
    assert shopper.get(f"{pdf['url']}?size=huge").status_code == 400


def test_a_thumbnail_that_cannot_be_stored_costs_only_the_thumbnail(contract, shopper, monkeypatch):
    from django.core.files.storage import default_storage

    save = default_storage.save

    def thumbnails_fail(name, *args, **kwargs):
        if "thumbnail" in name:
            raise OSError("disk full")
        return save(name, *args, **kwargs)

    monkeypatch.setattr(default_storage, "save", thumbnails_fail)
    response = file_claim(shopper, contract, photos=[_upload(jpeg(), "a.jpg")])
    assert response.status_code == 201 and response.json()["files_not_stored"] == []
    [photo] = response.json()["evidence"]
    assert photo["thumbnail_url"] is None and shopper.get(photo["url"]).status_code == 200


def test_photos_stored_before_thumbnails_get_them_from_the_command(contract, shopper):
    from django.core.management import call_command

    file_claim(shopper, contract, photos=[_upload(jpeg(size=(900, 900)), "a.jpg")])
    evidence = ClaimEvidence.objects.get()
    evidence.thumbnail.delete(save=True)
    out = io.StringIO()
    call_command("evidence_thumbnails", stdout=out)
    assert "1 thumbnails made, 0 photos could not be read" in out.getvalue()
    evidence.refresh_from_db()
    with evidence.thumbnail.open("rb") as f, Image.open(f) as image:
        assert image.size == (480, 480)
    call_command("evidence_thumbnails", stdout=out)  # again: nothing left to do
    assert "0 thumbnails made" in out.getvalue()


def test_a_storage_failure_keeps_the_claim_and_says_which_files(contract, shopper, monkeypatch):
    from django.core.files.storage import default_storage

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", broken)
    response = file_claim(shopper, contract, photos=[_upload(jpeg(), "a.jpg")])
    assert response.status_code == 201
    body = response.json()
    assert body["files_not_stored"] == [{"name": "a.jpg", "code": "storage_unavailable"}]
    claim = Claim.objects.get(number=body["number"])
    assert claim.evidence.count() == 0
    assert "could not store" in claim.messages.get().body


def test_a_failed_email_does_not_lose_the_claim(
    contract, shopper, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    from backend.notifications.models import Notification

    def broken(self, messages):
        raise OSError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with django_capture_on_commit_callbacks() as after_commit:
        response = file_claim(shopper, contract)
    assert response.status_code == 201  # committed before any e-mail is tried
    for callback in after_commit:
        callback()
    # The e-mail's delivery failed and waits for its retry (the outbox's sweep sends it).
    delivery = Delivery.objects.get(subscriber="notifications.claim_email")
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert "smtp down" in delivery.last_error
    assert Claim.objects.filter(number=response.json()["number"]).exists()
    note = Notification.objects.get()  # kept, with the error, for the delivery's retries
    assert note.sent_at is None and "smtp down" in note.error
    assert Claim.objects.filter(number=response.json()["number"]).exists()


def test_the_shopper_sees_only_their_own_claims_and_files(sell, contract, shopper):
    filed = file_claim(shopper, contract, photos=[_upload(jpeg(), "a.jpg")]).json()
    stranger = shopper_client(sell(email="eve@example.com"))
    assert stranger.get("/api/v1/portal/claims/").json() == []
    assert stranger.get(f"/api/v1/portal/claims/{filed['number']}/").status_code == 404
    url = filed["evidence"][0]["url"]
    assert stranger.get(url).status_code == 404
    mine = shopper.get(url)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/jpeg"
    assert mine["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("locale", "subject", "body"),
    [
        ("pl", "Mamy Twoje zgłoszenie", "Przykro nam"),
        ("zh-hans", "已收到您的理赔", "很抱歉您的"),
    ],
)
def test_the_shopper_is_written_to_in_their_language(
    sell, locale, subject, body, django_capture_on_commit_callbacks
):
    contract = sell(email=f"{locale}@example.com", locale=locale)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = file_claim(shopper_client(contract), contract)
    assert response.status_code == 201
    [message] = mail.outbox
    assert subject in message.subject and body in message.body


def test_eligibility_reasons_speak_the_shoppers_language(contract, shopper):
    response = shopper.get(
        "/api/v1/portal/claims/eligibility/",
        {"contract": contract.number, "reason": "stolen", "failure_date": TODAY().isoformat()},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert "skradzionych" in response.json()["reasons"][0]["message"]


def test_a_nul_in_a_multipart_text_field_is_refused_but_files_may_hold_nul_bytes(contract, shopper):
    refused(file_claim(shopper, contract, description="Broken\x00screen"), "body")
    photo = jpeg()
    assert b"\x00" in photo
    assert file_claim(shopper, contract, photos=[_upload(photo, "p.jpg")]).status_code == 201
