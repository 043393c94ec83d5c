import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation
from rest_framework.test import APIClient

from backend.accounts.choices import Role
from backend.accounts.services import user_create
from backend.merchants.services import merchant_api_key_create
from backend.plans import catalog_cache
from tests.checkout_fixtures import (  # noqa: F401 - shared fixtures
    offer,
    order_body,
    paid_order,
    plan,
    put_order,
    sell,
    texas_plan,
)
from tests.factories import CategoryFactory, MerchantFactory


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need PostgreSQL: skipped on SQLite, and a failure in CI."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _source_language():
    """Each test starts in the source language: a request in another one leaves its
    language active on the thread (LocaleMiddleware activates, nothing deactivates)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_joins_allowed():
    """Celery's eager ``apply_async`` sets a process-wide "joining would block" flag and
    restores what it found; two threads applying eagerly at once (the concurrency tests)
    can restore it set, and every later ``result.get()`` then refuses to wait."""
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache():
    """Each test starts with no snapshot and no version token, as a new process would."""
    cache.clear()
    catalog_cache._current = None
    catalog_cache._checked_at = 0.0
    yield
    catalog_cache._current = None


@pytest.fixture
def phones(db):
    return CategoryFactory(slug="phones", name="Phones")


@pytest.fixture
def merchant(db):
    return MerchantFactory(slug="acme", name="Acme Electronics")


@pytest.fixture
def other_merchant(db):
    return MerchantFactory(slug="globex", name="Globex Appliances")


def _key_client(merchant) -> APIClient:
    _, key = merchant_api_key_create(merchant=merchant, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.key = key
    return client


@pytest.fixture
def api(merchant) -> APIClient:
    """A client authenticated with an API key of ``merchant``."""
    return _key_client(merchant)


@pytest.fixture
def other_api(other_merchant) -> APIClient:
    return _key_client(other_merchant)


@pytest.fixture
def make_user(db):
    counter = iter(range(10_000))

    def make(*roles: Role, merchant=None, provider=None, password="s3cret-pass-word"):
        n = next(counter)
        return user_create(
            username=f"u{n}",
            email=f"u{n}@example.com",
            password=password,
            roles=list(roles),
            merchant=merchant,
            provider=provider,
        )

    return make


@pytest.fixture
def merchant_admin_client(make_user, merchant) -> APIClient:
    client = APIClient()
    client.force_login(make_user(Role.MERCHANT_ADMIN, merchant=merchant))
    return client


@pytest.fixture(scope="session")
def localstripe_url():
    """A real localstripe process on a free port of 127.0.0.1, for the whole session."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = Path(__file__).resolve().parent.parent / "scripts" / "run_localstripe.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"localstripe did not start: {process.stderr.read()!r}") from exc
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_api(localstripe_url, settings):
    """Point Coverdesk at localstripe, with an empty store for this test."""
    settings.STRIPE_API_BASE = localstripe_url
    requests.delete(f"{localstripe_url}/_config/data", timeout=5)
    return localstripe_url


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, one request at a time when it shares the tests' in-memory
    SQLite connection. Its request threads would otherwise use that one connection at once,
    and they deadlock: a thread stepping a query holds SQLite's connection mutex and waits
    for the GIL to call one of Django's SQL functions, while another holds the GIL and
    waits for the mutex to bind its parameters. (PostgreSQL, and SQLite on a file, give
    each thread its own connection.)"""
    if any(c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()):
        server = live_server.thread.httpd
        application = server.get_app()
        one_at_a_time = threading.Lock()

        def serialised(environ, start_response):
            with one_at_a_time:
                return application(environ, start_response)

        server.set_app(serialised)
    return live_server


@pytest.fixture
def chromium():
    """Debian's headless Chromium through Playwright (skipped where it is not installed,
    except in CI). Pages record uncaught script errors for the test to assert on."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (scripts/bootstrap installs it).")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        # ORM calls made while Playwright's loop runs get a connection of their own (Django
        # keys connections by async context); close it here, in that context.
        connections.close_all()
        browser.close()


def new_page(browser, errors: list, **options):
    options = {"viewport": {"width": 1280, "height": 1000}, "locale": "en-US", **options}
    page = browser.new_page(**options)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Anything the Content-Security-Policy refused is an error of the page too.
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def fill_test_card(page) -> None:
    """Type localstripe's always-approved test card into the widget's card fields."""
    for placeholder, value in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "94110"),
    ):
        page.fill(f"#cd-card input[placeholder={placeholder}]", value)


@pytest.fixture
def browser_page(chromium):
    errors = []
    yield new_page(chromium, errors), errors
