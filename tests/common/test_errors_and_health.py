"""The error body contract, and /healthz."""

import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from backend.urls import urlpatterns as real_urlpatterns


@api_view(["GET"])
@permission_classes([AllowAny])
def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*real_urlpatterns, path("api/v1/_boom/", _boom)]
handler500 = "backend.common.api.exceptions.server_error"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such endpoint.", "fields": {}}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_bug_is_a_json_500_without_details(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/_boom/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "a bug" not in response.content.decode()


@pytest.mark.django_db
def test_method_not_allowed_has_a_code(api):
    response = api.delete("/api/v1/offers/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    from backend.celery import app

    dead = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(app, "connection_for_write", lambda: app.connection(dead))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["database"]["ok"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": "x" * 40}, "DJANGO_DEBUG must be off"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        (
            {"DJANGO_SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"},
            "needs DATABASE_URL pointing at PostgreSQL",
        ),
        (
            {"DJANGO_SECRET_KEY": "x" * 40, "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"},
            "COVERDESK_ENCRYPTION_KEYS must be set",
        ),
    ],
)
def test_production_settings_refuse_unsafe_configuration(env, message):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "backend.settings.production",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_with_secrets_and_postgres():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "backend.settings.production",
            "DJANGO_SECRET_KEY": "s" * 50,
            "STRIPE_SECRET_KEY": "sk_live_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_x",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
            "COVERDESK_ENCRYPTION_KEYS": "Gd0Xo0ycQ2qyM1YDJ3uyF0LwUxAYh1T0i4ZgkL6yV6s=",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("pl-PL,pl;q=0.9", "pl"), ("zh-CN,zh;q=0.9", "zh-hans"), ("fr-FR", "en"), ("", "en")],
)
def test_the_portal_page_is_sent_in_the_language_asked_for(client, accept, lang):
    response = client.get("/portal/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert f'<html lang="{lang}">' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("page", ["/desk/", "/marketing/"])
def test_the_staff_consoles_are_sent_in_the_language_asked_for(client, page):
    response = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="zh-hans">' in response.content.decode()
