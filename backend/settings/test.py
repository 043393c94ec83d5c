"""Test settings. Same database and broker selection as everywhere (DATABASE_URL,
CELERY_BROKER_URL); Celery runs eagerly for unit tests only, and the worker tests
start a real worker explicitly."""

from .base import *  # noqa: F403

SECRET_KEY = "coverdesk-test-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURE_SSL_REDIRECT = False
# Tests look at the shared catalogue version on every request; one test covers the interval.
CATALOG_VERSION_CHECK_MS = 0
# Tests start localstripe on a free port and point STRIPE_API_BASE at it (tests/conftest.py).
STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: a test that forgets localstripe fails
STRIPE_SECRET_KEY = "sk_test_coverdesk_tests"
STRIPE_PUBLISHABLE_KEY = "pk_test_coverdesk_tests"
STRIPE_WEBHOOK_SECRET = "whsec_coverdesk_tests"
STRIPE_TIMEOUT_SECONDS = 5
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WEBHOOKS_ALLOW_PRIVATE_URLS = True
SHOPIFY_API_KEY = "shopify-test-client-id"
SHOPIFY_API_SECRET = "shopify-test-client-secret"
SHOPIFY_ADMIN_URL = "http://127.0.0.1:9/{shop}"  # tests start a stand-in (tests/connectors)
SHOPIFY_TIMEOUT_SECONDS = 5
