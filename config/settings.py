"""Settings, read from the environment with embedded development defaults.

With nothing set, the project runs on SQLite with Celery tasks executed in-process, so the
demo needs no server. ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis) switch
to the production shape. ``DJANGO_ENV=production`` refuses to start without
``DJANGO_SECRET_KEY`` and turns on the secure defaults that ``manage.py check --deploy`` wants.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# The development key is public (it is in this file): ``check --deploy`` refuses it with DEBUG
# off (matchmaking.E002), whatever DJANGO_ENV says.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# A form from an out-of-date page (signed in again in another tab) is told so in words, with a
# way back, instead of Django's "CSRF verification failed" page.
CSRF_FAILURE_VIEW = "matchmaking.pages.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "matchmaking",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 413 for a body over the limit before anything reads it (CsrfViewMiddleware reads every
    # POST's form, file parts included, which DATA_UPLOAD_MAX_MEMORY_SIZE does not count)
    "config.middleware.BodySizeLimitMiddleware",
    # The organiser's grid of a busy day is ~1.6 MB of HTML, ~110 KB compressed. CSRF tokens are
    # masked per response, which is Django's answer to BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
# Our catalogue first: an app listed earlier (the admin's French "Change" is "Modification")
# would otherwise win over the console's own words.
LOCALE_PATHS = [BASE_DIR / "matchmaking" / "locale"]
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

# Database: SQLite file by default; DATABASE_URL (postgres://USER@HOST:5432/NAME) otherwise.
# ATOMIC_REQUESTS stays off: services open their own (durable) transactions around scarce resources.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Wait for the write lock instead of failing at once when two requests write together:
    # the timeout, and transactions that take the write lock when they begin (a transaction
    # that began reading cannot wait for it later: SQLite refuses its first write at once, and
    # five of six parallel bookings answered "busy" within 0.07 s)
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["timeout"] = 20
    options["transaction_mode"] = "IMMEDIATE"
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
TIME_ZONE = "UTC"  # storage and server time; every event has its own time zone for display
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGIN_URL = "/admin/login/"

# Request bodies: Django's default limit (2.5 MB, DATA_UPLOAD_MAX_MEMORY_SIZE) for every page
# and API call, so that no one can make a worker read 32 MB before signing in; the event import
# alone takes up to this many bytes of JSON (10,000 participants are ~15 MB). Larger bodies answer
# 413 ``too_large`` (config.middleware.BodySizeLimitMiddleware, from their Content-Length).
IMPORT_MAX_BODY_SIZE = int(os.environ.get("DJANGO_IMPORT_MAX_BODY_SIZE", str(32 * 1024 * 1024)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser answers 500 for a body nested thousands deep; ours answers 400. Our form
    # parser refuses a JSON document sent as a form (curl -d's default type) with 415.
    # No endpoint takes a file: multipart bodies are not read (415).
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser", "api.parsers.FormParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Expo matchmaking API",
    "DESCRIPTION": (
        "B2B matchmaking for trade fairs: participants, meeting requests, meetings booked into "
        "slots and tables. Authenticate with `Authorization: Token <key>` (see "
        "`python manage.py participant_token EMAIL`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets are served from the installed sidecar package: no network needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # the error answers of every operation (drf-spectacular's enum hook first, as by default)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
        "api.schema.answers_give_every_field",
        "api.schema.one_directory_shape",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MeetingStatusEnum": "matchmaking.models.Meeting.Status",
        "RequestStatusEnum": "matchmaking.models.MeetingRequest.Status",
        "ScheduleRunStatusEnum": "matchmaking.models.ScheduleRun.Status",
        "ParticipantKindEnum": "matchmaking.models.Participant.Kind",
        "SessionPreferenceEnum": "matchmaking.models.MeetingRequest.SessionPreference",
    },
}

# How many reverse proxies in front of the site add to X-Forwarded-For (0: clients connect
# directly). The sign-in throttle counts failures per client address: behind a proxy that
# forgets this, every client looks like the proxy.
TRUSTED_PROXY_HOPS = int(os.environ.get("DJANGO_TRUSTED_PROXY_HOPS", "0"))

# The cache counts failed sign-ins (matchmaking.pages.forms.ThrottledLogin). Per process by
# default; with several server processes, point them at one Redis (e.g. redis://host:6379/1).
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: in-process (eager) unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-requests": {"task": "matchmaking.expire_requests", "schedule": 300.0},
    "send-reminders": {"task": "matchmaking.send_reminders", "schedule": 300.0},
    "ask-feedback": {"task": "matchmaking.ask_feedback", "schedule": 900.0},
    "send-pending-notifications": {
        "task": "matchmaking.send_pending_notifications",
        "schedule": 300.0,
    },
    "fail-stalled-runs": {"task": "matchmaking.fail_stalled_runs", "schedule": 300.0},
    "learn-rankers": {"task": "matchmaking.learn_rankers", "schedule": 24 * 3600.0},
    "purge-idempotency-keys": {
        "task": "matchmaking.purge_idempotency_keys",
        "schedule": 24 * 3600.0,
    },
    "purge-sign-ins": {"task": "matchmaking.purge_sign_ins", "schedule": 24 * 3600.0},
    # an edited, new or re-timed profile reaches everyone's list within this many minutes
    "refresh-stale-events": {
        "task": "matchmaking.refresh_stale_events",
        "schedule": 60.0 * int(os.environ.get("MATCHING_REFRESH_MINUTES", "15")),
    },
}
# The sign-in form sends at most this many links an hour for one client address (an IPv6 /64),
# whatever the addresses typed in: beyond, the same answer and no email. A fair's Wi-Fi may put
# every visitor behind one address: raise it there.
SIGN_IN_LINKS_PER_CLIENT = int(os.environ.get("SIGN_IN_LINKS_PER_CLIENT", "60"))
# A participant may have at most this many requests waiting for an answer (organisers: no cap).
MAX_PENDING_REQUESTS = int(os.environ.get("MAX_PENDING_REQUESTS", "50"))
# Reminders go out this many minutes before a meeting starts.
REMINDER_MINUTES = int(os.environ.get("REMINDER_MINUTES", "30"))
# The "how were your meetings?" email goes this long after a participant's last meeting of a day.
FEEDBACK_ASK_MINUTES = int(os.environ.get("FEEDBACK_ASK_MINUTES", "15"))
# Check-in opens this many minutes before a meeting starts (participants: until the end of its day).
CHECK_IN_OPENS_MINUTES = int(os.environ.get("CHECK_IN_OPENS_MINUTES", "30"))

# Booking: how long a booking waits for a row lock before answering 409 "busy, retry".
BOOKING_LOCK_TIMEOUT_MS = int(os.environ.get("BOOKING_LOCK_TIMEOUT_MS", "3000"))
# The guard (row locks + recount) around bookings. Only the negative-control test turns it off.
BOOKING_GUARD = True

# Matching: the primary sentence encoder (a name ml.encoders knows, or any sentence-transformers
# model name/path installed locally), the secondary one, MMR diversity strength, ranker cache size.
MATCHING_ENCODER = os.environ.get("MATCHING_ENCODER", "use-multilingual")
# The secondary English encoder (all-MiniLM-L6-v2) is off by default: on the evaluation sets it
# changes nothing on mixed-language data and little on English-only data, and it doubles the
# encoding time (docs/benchmarks.md). Set MATCHING_AUX_ENCODER=all-MiniLM-L6-v2 to use it.
MATCHING_AUX_ENCODER = os.environ.get("MATCHING_AUX_ENCODER", "")
MATCHING_DIVERSITY = float(os.environ.get("MATCHING_DIVERSITY", "0.3"))
# At most this many colleagues of one organisation in a participant's list while other
# organisations are left (0 = no cap): three people of one exhibitor should not fill a top 6.
MATCHING_PER_ORGANISATION = int(os.environ.get("MATCHING_PER_ORGANISATION", "2"))
MATCHING_RANKER_CACHE = int(os.environ.get("MATCHING_RANKER_CACHE", "4"))

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "matchmaking@localhost")
# Where participants open the site (scheme and host, no path): emails link to the page they are
# about (the request, the meeting in the agenda, the conversation). Empty: emails carry no link
# (a production site should set it; `manage.py check --deploy` warns).
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
# The mail server of the SMTP backend (django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL are exclusive: set one of them."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
