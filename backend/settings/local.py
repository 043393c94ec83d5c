"""Developer and demo settings: the embedded default (SQLite, local files, filesystem broker)."""

from .base import *  # noqa: F403
from .base import DEBUG_REQUESTED, SECRET_KEY

DEBUG = DEBUG_REQUESTED is not False
# A fixed, public development key: local settings are never used in production.
SECRET_KEY = SECRET_KEY or "coverdesk-local-development-key-not-secret"
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
