"""English, Polish and Simplified Chinese, chosen by Accept-Language."""

import pytest

from tests.factories import MerchantPlanFactory, PlanFactory, PlanPriceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "jurisdiction", "heading", "months"),
    [
        ("en", "US-CA", "Service Contract", "24 months"),
        ("pl", "PL", "Umowa serwisowa", "24 miesiące"),
        ("zh-hans", "US-CA", "服务合同", "24 个月"),
    ],
)
def test_terms_page_is_translated(client, phones, language, jurisdiction, heading, months):
    PlanPriceFactory(plan=PlanFactory(code="p", term_months=24, markets=["US", "PL"]))
    html = client.get(
        f"/plans/p/terms/?jurisdiction={jurisdiction}", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert heading in html and months in html
    assert f'<html lang="{language}">' in html


def test_terms_page_falls_back_to_the_binding_language_of_the_pack(client, phones):
    """Polish is not a language of the California pack: its terms come in English."""
    PlanPriceFactory(plan=PlanFactory(code="p", term_months=24))
    html = client.get("/plans/p/terms/?jurisdiction=US-CA", HTTP_ACCEPT_LANGUAGE="pl")
    assert '<html lang="en">' in html.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The request body is not valid JSON."),
        ("pl", "Treść żądania nie jest poprawnym JSON-em."),
        ("zh-hans", "请求正文不是有效的 JSON。"),
    ],
)
def test_error_messages_are_translated_and_codes_are_not(api, language, message):
    response = api.post(
        "/api/v1/offers/", data="{", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.json()["code"] == "malformed_request"
    assert response.json()["message"] == message


def test_offer_price_display_in_polish(api, merchant, phones):
    plan = PlanFactory(code="pl-plan", markets=["PL"])
    PlanPriceFactory(plan=plan, currency="PLN", price=14_900)
    MerchantPlanFactory(merchant=merchant, plan=plan)
    response = api.post(
        "/api/v1/offers/",
        {
            "product": {
                "title": "Pralka",
                "category": "phones",
                "price": 59_900,
                "currency": "PLN",
            },
            "jurisdiction": "PL",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.json()["offers"][0]["price_display"] == "149,00\xa0zł"


def test_activation_email_in_polish(
    stripe_api, put_order, order_body, client, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests import stripe_helpers as sh

    body = order_body()
    body["customer"]["locale"] = "pl"
    order = put_order("PL-EMAIL-1", body).json()
    intent = order["payment"]["client_secret"].split("_secret")[0]
    sh.pay(intent)
    with django_capture_on_commit_callbacks(execute=True):
        sh.deliver(client, sh.intent_event("payment_intent.succeeded", intent))
    [message] = [m for m in mail.outbox if order["contracts"][0]["number"] in m.subject]
    assert message.subject.startswith("Twój plan ochrony")
    assert "Dzień dobry, Ana" in message.body and "Numer umowy" in message.body
