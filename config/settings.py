"""Settings from environment variables, with defaults that run on a fresh machine.

Embedded default: SQLite in var/ and Celery on a SQLite-backed broker in var/.
Production: DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://… or amqp://….
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_pair(name: str) -> tuple[str, str] | None:
    pair = env_list(name, "")
    if pair and len(pair) != 2:
        raise ImproperlyConfigured(f"{name} must be two comma-separated values, e.g. HTTP_X_FORWARDED_PROTO,https")
    return tuple(pair) or None


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me-in-production")
# Former SECRET_KEYs, comma-separated, still accepted after a rotation (sessions, and webhook secrets at rest).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS deployments (docs/operations.md). Off by default, so that `make run` serves plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
# Behind a TLS-terminating proxy that sets the header (and drops a client's own): HTTP_X_FORWARDED_PROTO,https
SECURE_PROXY_SSL_HEADER = env_pair("SECURE_PROXY_SSL_HEADER")

# The staff pages load only their own static files: no inline script or style, no CDN. An empty value turns it off.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Its expressions in indexes (OpClass in orders' migrations) and its operations; harmless on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "orders",
    "pickpack",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "orders.audit.RequestIdMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Sessions, CSRF, login, messages and htmx, for the staff pages only: API requests skip them (config/browser.py).
    "config.browser.BrowserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "orders.api.errors.ApiErrorMiddleware",
    "orders.api.limits.RequestBodyLimitMiddleware",
    "orders.api.idempotency.IdempotencyMiddleware",
]
# The API's hot reads that succeed are answered in front of this stack, with the headers it gives (config/wsgi.py,
# orders/api/hot.py): a middleware added here must be looked at there.

# The admin looks for the session, login and messages middleware in MIDDLEWARE, the deploy checks for the CSRF
# middleware (W003); BrowserMiddleware runs them, and config/browser.py runs the cookie checks that depend on them.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_settings() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    database = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
        # instead of failing with "database is locked" when a read upgrades to a write.
        database["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        database["CONN_MAX_AGE"] = 0
        database["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # The API's hot statements (orders/statements.py) are prepared once per connection; the ORM's never are.
    # Off (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that moves sessions between connections.
    elif database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
        database.setdefault("OPTIONS", {})["prepare_threshold"] = 0
    return database


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# The largest API request body accepted (413 above it): an order of MAX_ENTRIES_PER_ORDER entries fits well.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(4 * 1024 * 1024)))
# Staff forms, and the API's bodies when they are read whole (to fingerprint an idempotent POST), share the cap.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# How long an Idempotency-Key and its stored answer are kept (docs/integrations.md).
IDEMPOTENCY_KEY_TTL_SECONDS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_SECONDS", str(24 * 3600)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["orders.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["orders.api.permissions.HasTenantScope"],
    "DEFAULT_PARSER_CLASSES": [
        "orders.api.rendering.DecimalJSONParser",
        "orders.api.rendering.MergePatchJSONParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["orders.api.rendering.DecimalJSONRenderer"],
    "EXCEPTION_HANDLER": "orders.api.errors.emporix_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "orders.api.openapi.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Order back office API",
    "DESCRIPTION": "Emporix-compatible Order Service (tenant-managed) and Pick-pack recalculation jobs.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The named shapes of our bodies (orders/api/openapi.py, pickpack/api/openapi.py), after the enum hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orders.api.openapi.add_components",
        "pickpack.api.openapi.add_components",
        "orders.api.openapi_oauth.add_token_endpoints",
    ],
}

OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "orders.scopes.ApiClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "orders.api.oauth.ApiClientOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("ACCESS_TOKEN_EXPIRE_SECONDS", "3600")),
    "PKCE_REQUIRED": False,
    # Keep only a checksum of each access token at rest (RFC 9700).
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic housekeeping: `celery -A config beat` in production, the worker's embedded beat in `make run`.
CELERY_BEAT_SCHEDULE = {
    "prune-idempotency-keys": {"task": "orders.prune_idempotency_keys", "schedule": 3600.0},
    "prune-exports": {"task": "orders.prune_exports", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Order list exports (orders/staff/exports.py): more orders than this are written to a file by a worker instead of
# streamed in the request; the files live in EXPORTS_DIR (shared by web and workers) for EXPORT_RETENTION_HOURS.
EXPORT_BACKGROUND_ABOVE = int(os.environ.get("EXPORT_BACKGROUND_ABOVE", "10000"))
EXPORTS_DIR = Path(os.environ.get("EXPORTS_DIR", VAR_DIR / "exports"))
EXPORT_RETENTION_HOURS = int(os.environ.get("EXPORT_RETENTION_HOURS", "24"))
# Redis hands a task that no worker acknowledged (its worker was killed, say) to another worker after this many
# seconds. Longer than any retry countdown; a job task that runs longer just gains a helper (jobs are idempotent).
visibility_timeout = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://", "sentinel://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": visibility_timeout,
        # Look for such tasks every few seconds rather than kombu's default of about 100.
        "unacked_restore_interval": min(10, max(1, visibility_timeout // 2)),
        "unacked_restore_throttle": 1,
    }
# Recalculation jobs whose worker died (docs/operations.md). PostgreSQL ends a job's database session that sits idle
# inside a transaction this long, which frees the order held by a worker machine that vanished without closing its
# connection. 0 turns the limit off.
RECALCULATION_IDLE_TRANSACTION_SECONDS = int(os.environ.get("RECALCULATION_IDLE_TRANSACTION_SECONDS", "30"))
# A worker with a free pool process queues again a job IN_PROGRESS in which no order was done for this long: its tasks
# were lost with a dead worker. 0 turns the check off.
RECALCULATION_STALL_SECONDS = int(os.environ.get("RECALCULATION_STALL_SECONDS", "20"))

# Webhooks (docs/operations.md). Endpoints on loopback, link-local or private addresses are refused unless allowed
# here (development and tests only: it lets anyone who may add an endpoint reach the servers inside).
WEBHOOKS_ALLOW_PRIVATE_URLS = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS", False)
# Seconds an endpoint has to accept the connection, and then to answer.
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "5"))
# A failed delivery is retried after FIRST_DELAY seconds, then each wait is BACKOFF_FACTOR times longer, at most
# MAX_DELAY; it is marked failed when the next attempt would come more than RETRY_FOR seconds after it was queued.
WEBHOOKS_RETRY_FIRST_DELAY_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_FIRST_DELAY_SECONDS", "15"))
WEBHOOKS_RETRY_BACKOFF_FACTOR = float(os.environ.get("WEBHOOKS_RETRY_BACKOFF_FACTOR", "4"))
WEBHOOKS_RETRY_MAX_DELAY_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_MAX_DELAY_SECONDS", str(6 * 3600)))
WEBHOOKS_RETRY_FOR_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_FOR_SECONDS", str(24 * 3600)))
# Every worker queues again, this often, the pending deliveries whose task was lost. 0 turns the periodic sweep off
# (a starting worker still sweeps once).
WEBHOOKS_SWEEP_SECONDS = float(os.environ.get("WEBHOOKS_SWEEP_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
