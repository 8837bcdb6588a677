"""Ideaportal settings, read from the environment only.

The defaults give a working laptop portal with no services (SQLite, a
filesystem broker, local-memory cache, mail written to files). Production sets
DATABASE_URL, CELERY_BROKER_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
Every variable is listed in the README's configuration table.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ideaportal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IDEAPORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Embedded defaults (SQLite, broker folders, mail files) live here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-3f9a1c7e5b2d"  # noqa: S105 - refused unless DEBUG
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Full-text search and trigram lookups for ideas; harmless on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    # The project package itself, for the Celery app's run-once ledger.
    "ideaportal",
    "accounts",
    "notifications",
    "ideas",
    "onboarding",
    "newsletter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ideaportal.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ideaportal.urls"
WSGI_APPLICATION = "ideaportal.wsgi.application"

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
                "accounts.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ideaportal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process, the worker and beat share
    # the embedded database without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and authentication ------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None  # show the "you are signed out" page
# Failed sign-ins accepted per account and per client address in one window
# before further attempts are refused without checking the password.
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 3600, minimum=60)

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("mn", _("Mongolian")),
    ("th", _("Thai")),
    ("ga", _("Irish")),
    ("ka", _("Georgian")),
    ("lv", _("Latvian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed file names (needs `collectstatic`); off for DEBUG and tests.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- E-mail ---------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ideaportal <ideaportal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- Django REST framework and OpenAPI ------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous calls 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "ideaportal.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ideaportal.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # No OPTIONS metadata: DRF's builds it by calling get_object() on views
    # that have no queryset (a 500 the fuzzer found) and it describes every
    # serializer to anyone who asks. OPTIONS answers 405 instead.
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ideaportal API",
    "DESCRIPTION": (
        "Employees submit and vote on customer-experience ideas, reviewers move them "
        "to a patent or a launch, HR runs training, editors send digests. Every 4xx "
        "answer has the shape described by the Error schema."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation documents the error answers it can give (the fuzzer
    # holds the API to its schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ideaportal.api.schema_add_error_responses",
        "ideaportal.api.schema_add_links",
        "ideaportal.api.schema_drop_unicode_slug_patterns",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # One named enum per choice set, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "IdeaStatusEnum": "ideas.workflow.Status.choices",
        "PatentStatusEnum": "ideas.workflow.PatentStatus.choices",
        "CustomerMetricEnum": "ideas.models.Metric.choices",
        "TrainingModuleStatusEnum": "onboarding.models.ModuleStatus",
        "TrainingModuleKindEnum": "onboarding.models.ModuleKind",
        "TrainingAssignmentStatusEnum": "onboarding.lifecycle.AssignmentStatus",
        "TrainingQuestionKindEnum": "onboarding.models.QuestionKind",
        "TrainingAssignmentEventKindEnum": "onboarding.models.AssignmentEvent.Kind",
    },
}

# --- Celery ---------------------------------------------------------------
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    for _name in ("queue", "control", "processed"):
        (_broker_dir / _name).mkdir(parents=True, exist_ok=True)
else:
    # Redis hands an unacknowledged message to a second worker after this
    # long. Longer than any countdown/ETA we schedule, so that does not
    # happen in normal running (BaseTask makes a delayed task run once even
    # if it does), and longer than the time limit, so a task that is still
    # running is never handed out again (see docs/operations.md).
    _visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 43200, minimum=60)
    if _visibility_timeout <= CELERY_TASK_TIME_LIMIT:
        raise ImproperlyConfigured(
            f"CELERY_VISIBILITY_TIMEOUT={_visibility_timeout} must be longer than "
            f"CELERY_TASK_TIME_LIMIT={CELERY_TASK_TIME_LIMIT}: Redis would hand a running task to a second worker."
        )
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _visibility_timeout}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Project-wide beat entries; each app adds its own here, they are synced into
# django-celery-beat's tables where admins can pause or reschedule them.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "login-counters-purge": {"task": "accounts.login_counters_purge", "schedule": 3600.0},
    # Forgets the run-once records of delayed tasks after a week.
    "task-runs-purge": {"task": "ideaportal.task_runs_purge", "schedule": 3600.0},
    # Safety net: e-mails a dead worker left pending are sent on the next sweep.
    "notification-emails-sweep": {"task": "notifications.emails_send", "schedule": 300.0},
    # Hourly rather than daily: both are idempotent, so a missed or doubled
    # run costs nothing and a reminder never waits a whole day for a retry.
    "onboarding-reminders": {"task": "onboarding.reminders_send", "schedule": 3600.0},
    "onboarding-recertifications": {"task": "onboarding.recertifications_assign", "schedule": 3600.0},
    # Ideas nobody took into review within 24 hours go to the reviewers, once.
    "ideas-triage-escalate": {"task": "ideas.triage_escalate", "schedule": 900.0},
    # Ages the stored trending scores (votes move them at once; time, here).
    "ideas-trending-refresh": {"task": "ideas.trending_refresh", "schedule": 600.0},
    # Each frequency's digest run, hourly: a run builds only finished periods
    # that have no digest yet, so the extra runs cost a query each and a run
    # missed while beat was down happens within the hour.
    "newsletter-run-daily": {"task": "newsletter.run", "schedule": 3600.0, "args": ["daily"]},
    "newsletter-run-weekly": {"task": "newsletter.run", "schedule": 3600.0, "args": ["weekly"]},
    "newsletter-run-monthly": {"task": "newsletter.run", "schedule": 3600.0, "args": ["monthly"]},
    # Safety net: copies left by a killed worker or a lost task are resent.
    "newsletter-sweep": {"task": "newsletter.sweep", "schedule": 300.0},
}

# --- Newsletter -------------------------------------------------------------
# Send a digest for a period with nothing in it (editor's note included).
NEWSLETTER_SEND_EMPTY = env_bool("NEWSLETTER_SEND_EMPTY", False)
# Copies claimed at once by one worker, sent over one mail connection.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100, minimum=1)
# Seconds after which a batch claimed by a worker that died is taken over;
# must exceed CELERY_TASK_TIME_LIMIT so a live worker's claim is never taken.
NEWSLETTER_CLAIM_TIMEOUT = env_int("NEWSLETTER_CLAIM_TIMEOUT", 600, minimum=1)
# Hard bounces in a row after which a subscriber is marked bounced.
NEWSLETTER_BOUNCE_LIMIT = env_int("NEWSLETTER_BOUNCE_LIMIT", 3, minimum=1)
# mailto: address of the List-Unsubscribe header (default: sender+unsubscribe).
NEWSLETTER_UNSUBSCRIBE_MAILTO = env_str("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
# Anonymous subscriptions (each mails a confirmation) one client address may ask for per hour.
NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR = env_int("NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR", 20, minimum=1)

# --- Security -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it; forms carry the token.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
