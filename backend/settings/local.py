"""Developer and demo settings: the embedded default (SQLite, local files, filesystem broker)."""

from .base import *  # noqa: F403
from .base import (
    DEBUG_REQUESTED,
    EMAIL_BACKEND,
    PUBLIC_BASE_URL,
    SECRET_KEY,
    STRIPE_API_BASE,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
)

DEBUG = DEBUG_REQUESTED is not False
# A fixed, public development key: local settings are never used in production.
SECRET_KEY = SECRET_KEY or "coverdesk-local-development-key-not-secret"
SECURE_SSL_REDIRECT = False
# The demo pays through localstripe, which scripts/run starts on this port.
STRIPE_API_BASE = STRIPE_API_BASE or "http://127.0.0.1:8420"
STRIPE_SECRET_KEY = STRIPE_SECRET_KEY or "sk_test_coverdesk_local"
STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY or "pk_test_coverdesk_local"
STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_coverdesk_local"
WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the demo store receives them on localhost
# Links in e-mails are absolute: to the local server unless told otherwise (scripts/run).
PUBLIC_BASE_URL = PUBLIC_BASE_URL or "http://127.0.0.1:8000"
# The worker prints the demo's e-mails itself (Celery would log each line as a warning).
CELERY_WORKER_REDIRECT_STDOUTS = False
# Demo e-mail goes to the console, summarised (attachments by name, not as base64).
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "backend.notifications.backends.ConsoleBackend"
