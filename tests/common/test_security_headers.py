"""Every page is sent with the strict Content-Security-Policy, and none needs what it forbids:
no inline script or event handler anywhere, and inline style only where a document's own
<style> is allowed by its hash. Production sends HSTS for at least a year."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from backend.accounts.choices import Role
from backend.demo.seeding import seed_catalogue, seed_reference_data, seed_warranties

pytestmark = pytest.mark.django_db


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.handlers, self.style_attrs = [], [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.style_attrs.append(tag)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self._in = "script"
        elif tag == "style":
            self._in = "style"

    def handle_endtag(self, tag):
        self._in = None if tag in ("script", "style") else self._in

    def handle_data(self, data):
        if self._in == "script" and data.strip():
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def pages(make_user):
    seed_reference_data()
    merchants = seed_catalogue()
    seed_warranties(merchants)
    from backend.catalog.models import WrittenWarranty
    from backend.plans.models import Plan

    warranty = WrittenWarranty.objects.select_related("merchant").first()
    plan = Plan.objects.filter(is_active=True).first()
    return [
        "/portal/",
        "/desk/",
        "/marketing/",
        "/admin/login/",
        "/demo/store/",
        "/offers/forged-token/",
        "/u/not-a-token/",
        "/api/docs/",
        f"/plans/{plan.code}/terms/?jurisdiction=US-CA",
        f"/warranties/{warranty.merchant.slug}/{warranty.code}/",
    ]


def test_every_page_has_a_strict_policy_and_needs_nothing_it_forbids(pages):
    client = Client()
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 400), (path, response.status_code)
        policy = _policy(response)
        assert policy["default-src"] == ["'none'"], path
        assert policy["script-src"][0] == "'self'", path
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[directive], (path, directive)
            assert "'unsafe-eval'" not in policy[directive], (path, directive)
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        inline = _Inline()
        inline.feed(response.content.decode())
        assert inline.scripts == [], (path, "inline script")
        assert inline.handlers == [], (path, "inline event handler")
        assert inline.style_attrs == [], (path, "style attribute")
        for block in inline.styles:
            assert _sha256(block) in policy["style-src"], (
                path,
                "inline <style> not allowed by hash",
            )


def test_only_the_checkout_pages_may_load_stripe(pages, settings):
    settings.STRIPE_API_BASE = ""
    client = Client()
    for path in pages:
        policy = _policy(client.get(path))
        stripe = "https://js.stripe.com" in policy["script-src"]
        assert stripe == path.startswith(("/demo/store/", "/offers/")), path
    store = _policy(client.get("/demo/store/"))
    assert "https://api.stripe.com" in store["connect-src"]
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(store["frame-src"])
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    local = _policy(client.get("/demo/store/"))
    assert (
        "http://127.0.0.1:8420" in local["script-src"]
        and "https://js.stripe.com" not in local["script-src"]
    )


def test_the_api_docs_start_up_script_is_a_file(pages):
    client = Client()
    page = client.get("/api/docs/").content.decode()
    [script_url] = [src for src in re.findall(r'<script src="([^"]+)"', page) if "script" in src]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_admin_after_sign_in_has_the_policy_too(make_user):
    client = Client()
    client.force_login(make_user(Role.PLATFORM_ADMIN))
    response = client.get("/admin/")
    assert (
        response.status_code == 200 and "script-src 'self'" in response["Content-Security-Policy"]
    )


def _production_settings(monkeypatch, **env):
    import importlib
    import sys

    for name, value in {
        "DJANGO_SECRET_KEY": "x" * 40,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
        "COVERDESK_ENCRYPTION_KEYS": "Gd0Xo0ycQ2qyM1YDJ3uyF0LwUxAYh1T0i4ZgkL6yV6s=",
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    for module in ("backend.settings.production", "backend.settings.base"):
        sys.modules.pop(module, None)
    try:
        return importlib.import_module("backend.settings.production")
    finally:
        for module in ("backend.settings.production", "backend.settings.base"):
            sys.modules.pop(module, None)


def test_production_sends_hsts_for_a_year_with_subdomains_configurable(monkeypatch):
    production = _production_settings(monkeypatch)
    assert production.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    production = _production_settings(monkeypatch, DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true")
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    with pytest.raises(ImproperlyConfigured):
        _production_settings(monkeypatch, DJANGO_SECURE_HSTS_SECONDS="2592000")
