"""Settings shared by every environment.

Every environment variable the project reads is read here, in one place. The
environment modules (local, test, production) only choose defaults and refuse
unsafe combinations.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from django.utils.translation import gettext_lazy as _

from backend.settings.openapi import OPENAPI_SETTINGS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core ---------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# None means "the environment's default": on for local development, refused in production.
DEBUG_REQUESTED = env.bool("DJANGO_DEBUG", default=None)
DEBUG = bool(DEBUG_REQUESTED)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
ALLOW_SQLITE_IN_PRODUCTION = env.bool("COVERDESK_ALLOW_SQLITE_IN_PRODUCTION", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env.str("COVERDESK_PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "backend.common",
    "backend.events",
    "backend.accounts",
    "backend.merchants",
    "backend.catalog",
    "backend.plans",
    "backend.customers",
    "backend.contracts",
    "backend.payments",
    "backend.checkout",
    "backend.ledger",
    "backend.settlement",
    "backend.obligors",
    "backend.notifications",
    "backend.webhooks",
    "backend.widget",
    "backend.portal",
    "backend.documents",
    "backend.claims",
    "backend.crm",
    "backend.connectors.shopify",
    "backend.console",
    "backend.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "backend.common.middleware.RejectNulMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a lockout flagged during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates", BASE_DIR / "legal_templates" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL comes in through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'coverdesk.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Hot queries (API-key lookup, product by SKU) are planned once per connection instead
    # of on every request. Turn off behind a transaction-pooling PgBouncer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- Cache --------------------------------------------------------------------------------
# The cache must be shared by every process (it carries the catalogue version used for
# invalidation), so the embedded default is file-based, not per-process memory.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# axes first: it refuses a locked-out account before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Content-Security-Policy (django-csp; per-view additions in backend/common/csp.py) ------
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [],
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# HSTS (sent by SecurityMiddleware on HTTPS responses; production turns it on).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)

# --- Client addresses and sign-in protection ------------------------------------------------
# How many reverse proxies or load balancers in front of the web processes append to
# X-Forwarded-For. 0: the socket's peer address is the client, and the header is ignored.
# Every per-address rule (throttles, sign-in limits, recorded addresses) follows it
# (backend/common/clientip.py).
TRUSTED_PROXIES = env.int("COVERDESK_TRUSTED_PROXIES", default=0)
# Per-account lockout of staff sign-in (django-axes): after this many wrong passwords the
# account is locked for the cool-off; attempts while locked are refused and not counted.
AXES_FAILURE_LIMIT = env.int("COVERDESK_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("COVERDESK_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that a username-only lockout leaves guessing across accounts unlimited per
# address: here the per-address limit is the staff_login rate below, on every sign-in path.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "backend.common.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "backend.accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pl", _("Polish")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [("app", BASE_DIR / "frontend_static")]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backend.merchants.api.authentication.MerchantAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["backend.common.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.common.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "backend.common.api.schema.CoverdeskAutoSchema",
    "EXCEPTION_HANDLER": "backend.common.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_VERSIONING_CLASS": None,
    # Public endpoints (the widget, portal sign-in) are throttled per client address.
    "DEFAULT_THROTTLE_RATES": {
        "widget": "300/min",
        # Reference data anyone may read (jurisdictions, claim reasons).
        "reference": "300/min",
        "portal_login": "10/hour",
        "claim_rate": "60/hour",
        # Every staff sign-in attempt (desk, marketing, /admin/) per client address.
        "staff_login": "30/hour",
    },
    # Only used by DRF's own get_ident; the product's throttles call common.clientip.
    "NUM_PROXIES": TRUSTED_PROXIES,
}
# The OpenAPI schema's title, enums and hooks (no environment): settings/openapi.py.
SPECTACULAR_SETTINGS = OPENAPI_SETTINGS

# --- Celery -------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport with a real worker. Redis or RabbitMQ in
# production and CI through CELERY_BROKER_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = VAR_DIR / "broker"
# Redis re-delivers a task a worker took but never acknowledged (tasks are acknowledged
# late, so a killed worker's task is one) after the visibility timeout. It must be longer
# than the longest task (CELERY_TASK_TIME_LIMIT, 300 s) and the longest retry countdown
# (Celery's backoff cap, 600 s), or running and delayed tasks would be delivered twice;
# Celery's default is an hour. Work a killed worker held is recovered sooner than this by
# the sweepers (CELERY_BEAT_SCHEDULE, "recover-*"). RabbitMQ re-delivers as soon as the
# dead worker's connection closes, and the filesystem transport never does: the sweepers
# are what recovers its work.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # Redis: a worker empties its queues in the order given (critical, fast, slow) instead of
    # round-robin, so a backlog of notifications cannot delay an activation.
    {"queue_order_strategy": "priority", "visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "processed"),
        "store_processed": False,
        # How often an idle worker looks for new messages (kombu's default is a second,
        # which a payment's activation waited through): a directory listing, ten a second.
        "polling_interval": 0.1,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'results'}")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Connections are recycled per task by CONN_MAX_AGE (backend/celery.py), not closed by
# Celery's Django fix-up after every task.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Tasks report through the database, not return values: storing every result would cost a
# backend write per task. A task whose caller waits on it opts in (ignore_result=False).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "fast"
# Slow, batch work never delays webhooks and e-mails.
CELERY_TASK_ROUTES = {
    # Payment events activate contracts: they never wait behind e-mails or webhooks.
    "payments.process_stripe_event": {"queue": "critical"},
    "shopify.process_webhook": {"queue": "critical"},
    "shopify.webhooks_sweep": {"queue": "slow"},
    "contracts.expire_due": {"queue": "slow"},
    # Documents have a queue of their own: only the workers that consume it load MuPDF
    # (backend/celery.py), 130 MB an export worker has no use for.
    "documents.issue": {"queue": "documents"},
    "documents.issue_warranty": {"queue": "documents"},
    "payments.reconcile": {"queue": "slow"},
    "claims.sweep": {"queue": "slow"},
    "payments.refunds_retry_and_accrue": {"queue": "slow"},
    "crm.recompute": {"queue": "slow"},
    "crm.export_run": {"queue": "slow"},
    "crm.exports_purge": {"queue": "slow"},
    "crm.leads": {"queue": "slow"},
    "ledger.earn": {"queue": "slow"},
    "ledger.reconcile_stripe": {"queue": "slow"},
    "settlement.close_statements": {"queue": "slow"},
    "settlement.retry_payouts": {"queue": "slow"},
}
CELERY_BEAT_SCHEDULE = {
    "events-sweep": {"task": "events.sweep", "schedule": 15.0},
    "events-purge": {"task": "events.purge", "schedule": 3600.0},
    "reconcile-payments": {"task": "payments.reconcile", "schedule": 60.0},
    "expire-contracts": {"task": "contracts.expire_due", "schedule": 3600.0},
    "webhooks-retry-due": {"task": "webhooks.retry_due", "schedule": 30.0},
    "refunds-retry-and-accrue": {"task": "payments.refunds_retry_and_accrue", "schedule": 900.0},
    "claims-sweep": {"task": "claims.sweep", "schedule": 300.0},
    "crm-recompute": {"task": "crm.recompute", "schedule": 3600.0},
    "crm-exports-purge": {"task": "crm.exports_purge", "schedule": 3600.0},
    "crm-leads": {"task": "crm.leads", "schedule": 900.0},
    # The books: premium earned for each day gone by (hourly, each day once), and
    # yesterday (UTC) reconciled with Stripe once Stripe's day has settled.
    "ledger-earn": {"task": "ledger.earn", "schedule": 3600.0},
    "ledger-reconcile-stripe": {
        "task": "ledger.reconcile_stripe",
        "schedule": crontab(hour=2, minute=30),
    },
    # Merchants' statements close when their period ends (hourly, each once), and the
    # payouts they leave due are tried again until made.
    "settlement-close-statements": {"task": "settlement.close_statements", "schedule": 3600.0},
    "settlement-retry-payouts": {"task": "settlement.retry_payouts", "schedule": 900.0},
    # Work a killed worker or a lost task left half done, run again (each task is
    # idempotent): refunds, documents still rendering. What follows a state change
    # (webhooks, documents, e-mail, tags) is recovered by events-sweep, outbound webhooks
    # by webhooks-retry-due.
    "recover-refunds": {"task": "payments.refunds_sweep", "schedule": 15.0},
    "recover-documents": {"task": "documents.sweep", "schedule": 20.0},
    "recover-shopify-webhooks": {"task": "shopify.webhooks_sweep", "schedule": 60.0},
}

DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Coverdesk <plans@coverdesk.example>"
)
EMAIL_URL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_URL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_URL.get("EMAIL_HOST", "")
EMAIL_PORT = EMAIL_URL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_URL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_URL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_URL.get("EMAIL_USE_TLS", False)

# --- Stripe -------------------------------------------------------------------------------
# STRIPE_API_BASE points the official client at localstripe in the demo and tests; empty
# means Stripe itself. Stripe.js is then loaded from the same place (localstripe serves a
# fake one), so nothing reaches the internet.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)

# --- Coverdesk ----------------------------------------------------------------------------
# How long a payout Stripe refused (or a merchant not yet onboarded) waits before the next try.
SETTLEMENT_PAYOUT_RETRY_SECONDS = env.int("COVERDESK_PAYOUT_RETRY_SECONDS", default=3600)
# The bank accounts claim payouts are sent from, per currency, as JSON: for EUR and PLN
# {"name", "iban", "bic"} (pain.001), for USD {"name", "destination_routing",
# "destination_name", "origin_id"} (NACHA). The defaults are test accounts for the demo.
SETTLEMENT_BANK_ACCOUNTS = env.json(
    "COVERDESK_BANK_ACCOUNTS",
    default={
        "EUR": {"name": "Coverdesk", "iban": "DE02120300000000202051", "bic": "BYLADEM1001"},
        "PLN": {"name": "Coverdesk", "iban": "PL61109010140000071219812874", "bic": "WBKPPLPP"},
        "USD": {
            "name": "Coverdesk",
            "destination_routing": "021000021",
            "destination_name": "Demo Bank",
            "origin_id": "1234567890",
        },
    },
)
# Outbound webhooks may only reach public https URLs, except in development and tests.
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("COVERDESK_WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
# Cross-origin calls are for the widget only, from the sites each merchant lists
# (backend/widget/cors.py decides per request); static files carry their own CORS header.
CORS_URLS_REGEX = r"^/api/v1/widget/"
CORS_ALLOW_HEADERS = (*default_cors_headers, "coverdesk-key")
CORS_PREFLIGHT_MAX_AGE = 3600

LEGAL_TEMPLATES_DIR = BASE_DIR / "legal_templates"
# wkhtmltopdf renders contract PDFs; empty means the one on PATH.
WKHTMLTOPDF_BINARY = env.str("WKHTMLTOPDF_BINARY", default="")
# The font family documents draw Chinese with (Debian's fonts-wqy-zenhei). It must draw
# every character with a glyph of its own: the PDF's text layer maps each glyph back to one
# character, and Noto Sans CJK, which shares glyphs between ideographs and radicals, read
# back as look-alike radicals (门 as ⻔). The documents app checks fontconfig has it.
DOCUMENT_CJK_FONT = env.str("DOCUMENT_CJK_FONT", default="WenQuanYi Zen Hei")
# The domain-event outbox (backend/events): how long a worker holds a delivery before
# another may take it over, how long a committed event may wait for its relay before the
# sweep relays it, and how long delivered events are kept.
EVENTS_LEASE = timedelta(seconds=env.int("COVERDESK_EVENTS_LEASE_SECONDS", default=60))
EVENTS_RELAY_GRACE = timedelta(seconds=env.int("COVERDESK_EVENTS_RELAY_GRACE_SECONDS", default=10))
EVENTS_RETENTION = timedelta(days=env.int("COVERDESK_EVENTS_RETENTION_DAYS", default=30))
OFFER_TOKEN_TTL = timedelta(seconds=env.int("COVERDESK_OFFER_TOKEN_TTL_SECONDS", default=24 * 3600))
OFFER_MAX_QUANTITY = 99
# How stale another process's catalogue snapshot may be after a committed change.
CATALOG_VERSION_CHECK_MS = env.int("COVERDESK_CATALOG_VERSION_CHECK_MS", default=1000)
BULK_UPSERT_MAX_ROWS = 1000
API_KEY_LAST_USED_RESOLUTION = timedelta(seconds=60)
# How long a merchant admin's e-mailed invite link stays usable (it is usable once).
MERCHANT_INVITE_TTL = timedelta(days=env.int("COVERDESK_MERCHANT_INVITE_TTL_DAYS", default=7))

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The Stripe client logs every request at INFO: noise and CPU at volume.
        "stripe": {"level": "WARNING"},
        # axes logs every sign-in at INFO; failures and lockouts stay (WARNING).
        "axes": {"level": "WARNING"},
    },
}

# --- Claims and the warranty desk ---------------------------------------------------------
# Default SLA targets where no plan or merchant policy applies (SquareTrade's 5-day anchor).
CLAIMS_SLA_DEFAULT = {
    "first_response_hours": env.int("CLAIMS_FIRST_RESPONSE_HOURS", default=24),
    "decision_hours": env.int("CLAIMS_DECISION_HOURS", default=120),
}
# Approval limits per currency, in minor units, for desk users without their own profile:
# an agent's approval above it goes to a supervisor.
CLAIMS_AGENT_APPROVAL_LIMITS = {"USD": 50_000, "EUR": 50_000, "PLN": 200_000}
CLAIMS_SUPERVISOR_APPROVAL_LIMITS = {"USD": 500_000, "EUR": 500_000, "PLN": 2_000_000}
CLAIMS_REMINDER_AFTER_DAYS = env.int("CLAIMS_REMINDER_AFTER_DAYS", default=3)
CLAIMS_MAX_REMINDERS = 2
CLAIMS_AUTO_CLOSE_AFTER_DAYS = env.int("CLAIMS_AUTO_CLOSE_AFTER_DAYS", default=14)
CLAIMS_APPEAL_DAYS = 30
CLAIMS_CLOSE_RESOLVED_AFTER_DAYS = 14
# Fraud signals (claims/fraud.py).
CLAIMS_SOON_AFTER_PURCHASE_DAYS = 30
CLAIMS_MANY_PER_CUSTOMER = 3  # claims in a year, this one included
# Evidence uploads (claims/uploads.py).
CLAIMS_MAX_UPLOAD_BYTES = env.int("CLAIMS_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
CLAIMS_MAX_FILES_PER_REQUEST = 5
CLAIMS_MAX_FILES_PER_CLAIM = 12

# --- CRM and marketing ----------------------------------------------------------------------
# Export files are deleted after this many days (the audit record stays); download links
# expire after this many minutes.
CRM_EXPORT_RETENTION_DAYS = env.int("CRM_EXPORT_RETENTION_DAYS", default=7)
CRM_EXPORT_LINK_MINUTES = env.int("CRM_EXPORT_LINK_MINUTES", default=15)
# One-click unsubscribe links work this long after the e-mail (CAN-SPAM asks for 30 days).
CRM_UNSUBSCRIBE_LINK_DAYS = env.int("CRM_UNSUBSCRIBE_LINK_DAYS", default=365)
# Inbound SMS (STOP keywords): the provider's auth token signs its webhooks (Twilio's
# X-Twilio-Signature scheme). Empty: the endpoint refuses every request.
SMS_WEBHOOK_AUTH_TOKEN = env.str("SMS_WEBHOOK_AUTH_TOKEN", default="")
# Post-purchase offers: a lead's offer e-mail goes out this long after the merchant reports
# the line sold without a plan (once per order, to customers who consented).
CRM_LEAD_OFFER_DELAY = timedelta(hours=env.int("CRM_LEAD_OFFER_DELAY_HOURS", default=24))

# Keys that encrypt secrets at rest (a Shopify shop's access token): Fernet keys, the first
# encrypts, all decrypt (put a new key first to rotate). Required in production; elsewhere
# a key derived from SECRET_KEY.
ENCRYPTION_KEYS = env.list("COVERDESK_ENCRYPTION_KEYS", default=[])

# The Shopify connector (backend/connectors/shopify): the app's credentials from Shopify's
# Partner dashboard, the scopes it asks a shop for, and the Admin API version it speaks.
# SHOPIFY_ADMIN_URL is where a shop's Admin API is ({shop} is its myshopify.com domain);
# tests point it at a local stand-in.
SHOPIFY_API_KEY = env.str("SHOPIFY_API_KEY", default="")
SHOPIFY_API_SECRET = env.str("SHOPIFY_API_SECRET", default="")
SHOPIFY_SCOPES = env.str("SHOPIFY_SCOPES", default="read_orders,read_products,read_fulfillments")
SHOPIFY_API_VERSION = env.str("SHOPIFY_API_VERSION", default="2025-07")
SHOPIFY_ADMIN_URL = env.str("SHOPIFY_ADMIN_URL", default="https://{shop}")
SHOPIFY_TIMEOUT_SECONDS = env.float("SHOPIFY_TIMEOUT_SECONDS", default=10)
# How long an install link lives, and how old an OAuth callback may be.
SHOPIFY_INSTALL_TTL_SECONDS = 600
