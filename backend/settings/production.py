"""Production settings: PostgreSQL, Redis or RabbitMQ, object storage. Refuses to start
with DEBUG on, without its secrets, or on SQLite unless that is asked for explicitly."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOW_SQLITE_IN_PRODUCTION,
    DATABASES,
    DEBUG_REQUESTED,
    ENCRYPTION_KEYS,
    SECRET_KEY,
    SECURE_HSTS_SECONDS,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
)

if DEBUG_REQUESTED:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
DEBUG = False
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 32 characters.")
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    and not ALLOW_SQLITE_IN_PRODUCTION
):
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing at PostgreSQL.")
if not ENCRYPTION_KEYS:
    raise ImproperlyConfigured("COVERDESK_ENCRYPTION_KEYS must be set in production.")

for name, value in (
    ("STRIPE_SECRET_KEY", STRIPE_SECRET_KEY),
    ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET),
):
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# At least a year (what browsers' preload lists ask); includeSubDomains and preload are the
# deployment's choice (DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS, DJANGO_SECURE_HSTS_PRELOAD).
ONE_YEAR = 365 * 24 * 3600
if SECURE_HSTS_SECONDS and SECURE_HSTS_SECONDS < ONE_YEAR:
    raise ImproperlyConfigured("DJANGO_SECURE_HSTS_SECONDS must be at least one year (31536000).")
SECURE_HSTS_SECONDS = SECURE_HSTS_SECONDS or ONE_YEAR
SECURE_CONTENT_TYPE_NOSNIFF = True
