"""Reference data the frontends and merchants' integrations read from the API instead of
keeping copies: where plans are sold, and the reasons a claim can give."""

import pytest
from rest_framework.test import APIClient

from backend.claims.choices import ClaimReason
from backend.common.jurisdictions import is_shopper_jurisdiction
from backend.common.packs import pack_for

pytestmark = pytest.mark.django_db


def test_jurisdictions_are_every_home_a_pack_governs_with_names_in_each_language():
    response = APIClient().get("/api/v1/jurisdictions/")
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    rows = {row["code"]: row for row in response.json()}
    # The 50 states and DC under the US packs, and the 27 member states under EU and PL.
    assert len([c for c in rows if c.startswith("US-")]) == 51
    assert {"PL", "DE", "FR", "IE", "US-DC", "US-CA"} <= rows.keys()
    assert "US" not in rows and "US-PR" not in rows and "GB" not in rows
    for code, row in rows.items():
        assert is_shopper_jurisdiction(code)
        assert row["pack"] == pack_for(code).code
        assert set(row["names"]) == {"en", "pl", "zh-hans"}
    assert rows["US-CA"]["pack"] == "US-CA" and rows["US-AZ"]["pack"] == "US"
    assert rows["DE"]["names"]["pl"] == "Niemcy"
    assert rows["US-OH"]["names"]["zh-hans"] == "俄亥俄州"


def test_every_listed_jurisdiction_is_accepted_for_offers(api, plan):
    codes = [row["code"] for row in APIClient().get("/api/v1/jurisdictions/").json()]
    product = {"title": "Phone 9", "category": "phones", "price": 79_900, "currency": "USD"}
    for code in ("US-AK", "US-DC", codes[0], codes[-1]):
        body = {"product": product, "jurisdiction": code}
        response = api.post("/api/v1/offers/", body, format="json")
        assert response.status_code == 200, (code, response.json())


def test_the_widget_reads_the_same_list_with_its_key_only(merchant):
    public = APIClient().get("/api/v1/jurisdictions/").json()
    assert APIClient().get("/api/v1/widget/jurisdictions/").status_code == 401
    widget = APIClient()
    widget.credentials(HTTP_COVERDESK_KEY=merchant.publishable_key)
    response = widget.get("/api/v1/widget/jurisdictions/")
    assert response.status_code == 200
    assert response.json() == public


def test_claim_reasons_are_the_backend_choices_in_every_language():
    response = APIClient().get("/api/v1/claims/reasons/")
    assert response.status_code == 200
    reasons = response.json()
    assert [r["value"] for r in reasons] == list(ClaimReason.values)
    by_value = {r["value"]: r for r in reasons}
    breakdown = by_value["mechanical_failure"]
    assert breakdown["label"]["en"] == "Mechanical or electrical failure"
    assert breakdown["shopper_label"] == {
        "en": "It stopped working (breakdown)",
        "pl": "Przestało działać (awaria)",
        "zh-hans": "无法正常工作（故障）",
    }
    assert by_value["other"]["shopper_label"]["pl"] == "Coś innego"
    assert [r["value"] for r in reasons if r["needs_accident_cover"]] == ["accidental_damage"]
    for reason in reasons:
        for labels in (reason["label"], reason["shopper_label"]):
            assert set(labels) == {"en", "pl", "zh-hans"} and all(labels.values())
        # Translated, not English under another language's key.
        assert reason["label"]["zh-hans"] != reason["label"]["en"]
