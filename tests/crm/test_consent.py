"""Withdrawing consent: one-click unsubscribe (RFC 8058), SMS stop keywords through the
signed provider webhook, GPC; each effective at once, and the state derived from records."""

import base64
import hashlib
import hmac
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory

from backend.crm import consent
from backend.crm.segments import reachable
from backend.customers.models import ConsentRecord, Customer
from backend.customers.services import consent_state_rebuild

pytestmark = pytest.mark.django_db


def test_one_click_unsubscribe_takes_effect_at_once(customer):
    person = customer("ana@example.com")
    headers = consent.unsubscribe_headers(person)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and b"Unsubscribe from marketing e-mail?" in page.content
    person.refresh_from_db()
    assert person.marketing_email
    one_click = browser.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200 and b"You are unsubscribed" in one_click.content
    person.refresh_from_db()
    assert not person.marketing_email
    assert not reachable(Customer.objects.all(), "email").exists()
    browser.post(url)  # again: nothing new is written
    assert ConsentRecord.objects.filter(kind="marketing_email", granted=False).count() == 1


def test_forged_and_expired_unsubscribe_links_are_400(customer, settings):
    person = customer("ana@example.com")
    url = consent.unsubscribe_url(person)
    assert Client().post(url.rstrip("/") + "x/").status_code == 400
    assert Client().get("/u/not-a-token/").status_code == 400
    settings.CRM_UNSUBSCRIBE_LINK_DAYS = -1
    expired = Client().post(url)
    assert expired.status_code == 400 and b"expired" in expired.content
    person.refresh_from_db()
    assert person.marketing_email


def _sms(params, signature=None):
    return Client().post(
        "/api/v1/sms/inbound/",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        **({"HTTP_X_TWILIO_SIGNATURE": signature} if signature is not None else {}),
    )


def _signed(url, params, token="sms-secret"):
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    ).decode()


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Opt  Out ", "QUIT", "END", "REVOKE", "CANCEL", "UNSUBSCRIBE"]
)
def test_sms_stop_keywords_withdraw_sms_consent(customer, settings, word):
    settings.SMS_WEBHOOK_AUTH_TOKEN = "sms-secret"
    person = customer("ana@example.com", sms=True, phone="(415) 555-0100")
    other = customer("bob@example.com", sms=True, phone="+1 212 555 0199")
    url = "http://testserver/api/v1/sms/inbound/"
    params = {"From": "+14155550100", "Body": word, "To": "+15550001111"}
    response = _sms(params, _signed(url, params))
    assert response.status_code == 200 and b"unsubscribed" in response.content
    person.refresh_from_db()
    other.refresh_from_db()
    assert not person.marketing_sms and other.marketing_sms
    assert person.marketing_email  # e-mail consent is its own
    assert ConsentRecord.objects.filter(customer=person, source="sms_keyword").count() == 1


def test_sms_webhooks_need_a_valid_signature_and_other_words_change_nothing(customer, settings):
    settings.SMS_WEBHOOK_AUTH_TOKEN = "sms-secret"
    person = customer("ana@example.com", sms=True, phone="+14155550100")
    url = "http://testserver/api/v1/sms/inbound/"
    params = {"From": "+14155550100", "Body": "STOP"}
    forged = _sms(params, _signed(url, params, "guess"))
    assert forged.status_code == 403
    missing = _sms(params)
    assert missing.status_code == 403
    chat = {"From": "+14155550100", "Body": "Please stop the rain"}
    response = _sms(chat, _signed(url, chat))
    assert response.status_code == 200 and b"<Message>" not in response.content
    person.refresh_from_db()
    assert person.marketing_sms


def test_gpc_is_a_do_not_sell_request(customer):
    person = customer("ana@example.com")
    request = RequestFactory().post("/", HTTP_SEC_GPC="1")
    assert consent.honour_gpc(person, request)
    assert not consent.honour_gpc(person, request)  # recorded once
    assert person.do_not_sell
    assert not reachable(Customer.objects.all(), "email").exists()
    assert not consent.honour_gpc(customer("bo@example.com"), RequestFactory().post("/"))


def test_consent_state_is_derived_from_the_records(customer):
    person = customer("ana@example.com", sms=True)
    Customer.objects.filter(pk=person.pk).update(marketing_email=False, marketing_sms=False)
    consent_state_rebuild()
    person.refresh_from_db()
    assert person.marketing_email and person.marketing_sms and not person.do_not_sell
