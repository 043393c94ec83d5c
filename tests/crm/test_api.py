"""The marketing console's API: who may call it, the live count, exports end to end through
the signed link, tags by hand, and bad input."""

import pytest
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.crm.models import ExportJob, Tag

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/crm/tags/", None),
    ("post", "/api/v1/crm/tags/", {"slug": "x", "name": "X"}),
    ("get", "/api/v1/crm/rules/", None),
    ("get", "/api/v1/crm/customers/", None),
    ("get", "/api/v1/crm/segments/", None),
    ("post", "/api/v1/crm/segments/", {"name": "S", "definition": {}}),
    ("post", "/api/v1/crm/segments/preview/", {"definition": {}}),
    ("get", "/api/v1/crm/exports/", None),
    ("post", "/api/v1/crm/exports/", {"definition": {}, "format": "generic"}),
]


@pytest.mark.parametrize(
    "role", [Role.SHOPPER, Role.DESK_AGENT, Role.DESK_SUPERVISOR, Role.MERCHANT_ADMIN]
)
def test_only_marketing_reaches_the_crm(make_user, role, api, merchant):
    client = APIClient()
    client.force_login(make_user(role, merchant=merchant if role == Role.MERCHANT_ADMIN else None))
    for method, url, body in ENDPOINTS:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (role, url)
        assert response.json()["code"] == "permission_denied"
    for method, url, body in ENDPOINTS:  # a merchant's API key opens nothing here either
        assert getattr(api, method)(url, body, format="json").status_code == 403
        assert getattr(APIClient(), method)(url, body, format="json").status_code in (401, 403)


def test_marketing_signs_in_and_out(make_user):
    user = make_user(Role.MARKETING)
    user.set_password("a-long-pass-1")
    user.save()
    client = APIClient(enforce_csrf_checks=False)
    assert client.get("/api/v1/crm/session/").status_code == 401
    bad = client.post(
        "/api/v1/crm/session/", {"username": user.username, "password": "no"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_credentials"
    good = client.post(
        "/api/v1/crm/session/",
        {"username": user.username, "password": "a-long-pass-1"},
        format="json",
    )
    assert good.status_code == 200
    assert client.get("/api/v1/crm/tags/").status_code == 200
    assert client.delete("/api/v1/crm/session/").status_code == 204
    assert client.get("/api/v1/crm/tags/").status_code == 401  # signed out


def test_preview_counts_reachable_customers_and_samples(marketing, customer):
    customer("a@example.com", sms=True, phone="+15555550100")
    customer("b@example.com", marketing_email=False)
    customer("c@example.com", do_not_sell=True)
    response = marketing.post("/api/v1/crm/segments/preview/", {"definition": {}}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["reachable"] == {"email": 1, "sms": 1}
    assert {row["email"] for row in body["sample"]} == {
        "a@example.com",
        "b@example.com",
        "c@example.com",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"definition": {"tags_any": ["ghost"]}}, "tags_any"),
        ({"definition": {"purchased_from": "yesterday"}}, "purchased_from"),
        ({"definition": {"shoe_size": 42}}, "shoe_size"),
        ({"definition": "everyone"}, "definition"),
    ],
)
def test_bad_definitions_are_400_with_field_errors(marketing, body, field):
    response = marketing.post("/api/v1/crm/segments/preview/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    saved = marketing.post("/api/v1/crm/segments/", {"name": "S", **body}, format="json")
    assert saved.status_code == 400


def test_an_export_through_the_api(
    marketing, customer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    customer("a@example.com", first_name="=cmd")
    customer("b@example.com", marketing_email=False)
    segment = marketing.post(
        "/api/v1/crm/segments/", {"name": "All", "definition": {}}, format="json"
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        queued = marketing.post(
            "/api/v1/crm/exports/",
            {"segment": segment["id"], "format": "mailchimp", "channel": "email"},
            format="json",
        )
    assert queued.status_code == 202
    job = marketing.get(f"/api/v1/crm/exports/{queued.json()['id']}/").json()
    assert (job["state"], job["total_rows"], job["progress"]) == ("done", 1, 1.0)
    download = marketing.get(job["download_url"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines() == [
        '"Email Address","First Name","Last Name","Phone Number","Country","Language","Tags"',
        '"a@example.com","\'=cmd","","","","en",""',
    ]
    assert download["Coverdesk-Export-SHA256"] == job["sha256"]
    forged = marketing.get(f"/api/v1/crm/exports/{job['id']}/download/?token=forged")
    assert forged.status_code == 400 and forged.json()["code"] == "download_link_invalid"
    [audit] = marketing.get("/api/v1/crm/exports/").json()
    assert audit["requested_by"] == marketing.user.username and audit["definition"] == {}
    assert ExportJob.objects.get().downloads.count() == 1


def test_exports_refuse_bad_requests(marketing):
    for body in (
        {"format": "generic"},
        {"definition": {}, "format": "excel"},
        {"definition": {}, "format": "generic", "channel": "fax"},
        {"definition": {}, "segment": 999, "format": "generic"},
    ):
        assert marketing.post("/api/v1/crm/exports/", body, format="json").status_code == 400
    assert marketing.get("/api/v1/crm/exports/12345/").status_code == 404


def test_tags_by_hand_with_history(marketing, customer):
    person = customer("a@example.com")
    Tag.objects.create(slug="vip", name="VIP")
    url = f"/api/v1/crm/customers/{person.pk}/tags/"
    added = marketing.post(url, {"tag": "vip", "reason": "Asked nicely"}, format="json")
    assert added.status_code == 201 and added.json()["tags"] == ["vip"]
    assert marketing.post(url, {"tag": "ghost"}, format="json").status_code == 400
    assert marketing.delete(f"{url}vip/", {"reason": "Oops"}, format="json").status_code == 204
    assert marketing.delete(f"{url}vip/", format="json").status_code == 404
    history = marketing.get(url).json()["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("removed", marketing.user.username),
        ("added", marketing.user.username),
    ]
    assert marketing.get("/api/v1/crm/customers/999999/tags/").status_code == 404
    assert marketing.get("/api/v1/crm/customers/", {"q": "a@ex"}).json()[0]["email"] == (
        "a@example.com"
    )


def test_rules_are_validated_for_their_trigger(marketing):
    Tag.objects.create(slug="detractor", name="Detractor")
    ok = marketing.post(
        "/api/v1/crm/rules/",
        {
            "name": "Unhappy",
            "trigger": "claim_rated",
            "tag": "detractor",
            "conditions": {"score_at_most": 2},
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    bad = marketing.post(
        "/api/v1/crm/rules/",
        {"name": "Bad", "trigger": "claim_rated", "tag": "detractor", "conditions": {"colour": 1}},
        format="json",
    )
    assert bad.status_code == 400 and "colour" in bad.json()["fields"]
    patched = marketing.patch(
        f"/api/v1/crm/rules/{ok.json()['id']}/", {"conditions": {"score_at_most": 9}}, format="json"
    )
    assert patched.status_code == 400
