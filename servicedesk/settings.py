"""Settings for the service desk, driven by environment variables with safe defaults.

Business targets (SLA, KPI) are data in the database, not settings.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SERVICEDESK_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key serves management commands, tests and DEBUG runs only: with DEBUG=0 the web
# process refuses to start without SECRET_KEY (servicedesk/wsgi.py). `make run` sets its own.
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = env_str("SECRET_KEY", "") or "insecure-demo-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "servicedesk",
    "incidents",
    "contacts",
    "changes",
    "sla",
    "catalogue",
    "imports",
    "audit",
    "reports",
    # Self-service portal and knowledge base.
    "knowledge",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "servicedesk.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "servicedesk.middleware.UserLanguageMiddleware",
    "portal.middleware.EndUserConsoleRedirect",  # end users see the portal, never the console
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Writes the access-log rows a view recorded, after the response is sent (audit/).
    "audit.middleware.AccessLogMiddleware",
    # Last: turns a lockout flagged while signing in into the 429 page (servicedesk/login_throttle.py).
    "axes.middleware.AxesMiddleware",
]

# Form widgets render with Django's own Jinja2 copies of its widget templates (the same markup;
# the admin's own widgets stay on Django templates): a long option list costs a third of the time
# of one Django template per <option> (docs/benchmarks.md, the ticket list at 1,000,000 tickets).
FORM_RENDERER = "servicedesk.form_renderer.FastFormRenderer"

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "servicedesk.navigation.main_navigation",
            ],
        },
    },
]

# SQLite is the zero-setup default for `make run`; PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'servicedesk.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let web, worker and beat share the demo database.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A test database per test process, so that parallel runs on one server never collide.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str("TEST_DATABASE_NAME", f"test_{DATABASES['default']['NAME']}_{os.getpid()}")
    }

# A read replica for reports and exports (servicedesk/db.py): same schema, kept by replication.
# Tests point it at the test database (MIRROR), so the routing is exercised on one server.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["servicedesk.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "servicedesk.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # each role to its own home (servicedesk/navigation.py)
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes) for the login form, the admin's and the token endpoint: after
# LOGIN_FAILURE_LIMIT failures for one account, or from one client address, further attempts
# are refused with 429 until LOGIN_LOCKOUT_MINUTES have passed since the last counted failure.
# Failures while locked out are not counted, so nobody can keep a real user locked out forever.
AUTHENTICATION_BACKENDS = [
    "servicedesk.login_throttle.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one: by account and by address
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"  # the shared cache below: every web process
AXES_LOCKOUT_CALLABLE = "servicedesk.login_throttle.lockout_response"
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "servicedesk.login_throttle.client_address"
# Behind reverse proxies: how many of them append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# API tokens: people's tokens expire after API_TOKEN_HOURS; integration accounts get named,
# long-lived tokens from an admin (manage.py api_token, or the admin), listed and revoked there.
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 10)
# Token requests per client address, whatever their outcome (a second, coarser brake).
API_TOKEN_REQUEST_RATE = env_str("API_TOKEN_REQUEST_RATE", "60/minute")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Request limits: a JSON body over 1 MB is refused; uploads are limited per attachment below.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
# A signed-in session lasts a working day (from sign-in), not Django's 14 days.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 10) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# Behind HTTPS in production (DEBUG=0 and SECURE_COOKIES=1): redirect plain HTTP and send HSTS.
_https = SECURE_COOKIES and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # The proxy in front terminates TLS and says so in X-Forwarded-Proto (set it only then).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy: no inline script or style anywhere, so the policy is strict.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
# (Django 6.1 prefers MAILERS; kept on EMAIL_* until pytest-django's test mailbox supports MAILERS.)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@example.org")
# Where the service desk is reached: links in e-mails (one-time approval links) point here.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_str('SERVICEDESK_PORT', '8000')}")
# Group mailboxes are shared by a team: written in the desk's working language.
LANGUAGE_CODE_FOR_GROUPS = env_str("LANGUAGE_CODE_FOR_GROUPS", "nb")

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "servicedesk.api_support.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "servicedesk.api_support.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "servicedesk.api_support.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "servicedesk.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Service desk API",
    "DESCRIPTION": "Tickets, queues and reference data of the service desk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "incidents.models.LEVEL_CHOICES",
        "PendingReasonEnum": "incidents.models.PendingReason",
        "ResolutionCodeEnum": "incidents.models.ResolutionCode",
        "TicketStateEnum": "incidents.models.State",
        "TicketChannelEnum": "incidents.models.Channel",
        "ContactStateEnum": "contacts.models.ContactState",
        "ContactChannelEnum": "contacts.models.ContactChannel",
        "TicketEventActionEnum": "incidents.models.EventAction",
    },
}

# The cache holds sign-in throttling state, shared by every web process: Redis when REDIS_URL
# is set (CACHE_URL chooses another Redis), else a database table for the SQLite demo
# (created by `manage.py createcachetable`; gunicorn runs several processes, so not local memory).
CACHE_URL = env_str("CACHE_URL", env_str("REDIS_URL", ""))
CACHES: dict[str, dict[str, object]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "sd"}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "servicedesk_cache"}
    )
}

# Celery: Redis in production and tests; a filesystem broker (no server) for the demo.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = str(VAR_DIR / "broker")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker_dir,
        "data_folder_out": _broker_dir,
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Bound every publish (beat, the web): nothing hangs on an unreachable broker.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        # No acknowledgement emulation: a worker takes a message off the queue when it receives
        # it. Why: with emulation, kombu keeps each delivered message in an "unacked" hash in
        # Redis and, when the broker connection drops, the worker puts them back while closing
        # the broken channel. If the worker was waiting in BRPOP at that moment (a free pool
        # slot) and held any unacknowledged message (a late-acked task running), kombu 5.7
        # first detaches the transport and then closes the channel again; the restore then
        # builds a new Redis pool from the detached transport and raises AttributeError
        # ("'NoneType' object has no attribute 'hostname'"). Celery only survives connection
        # and channel errors there, so the worker logs "Unrecoverable error" and exits for
        # good (reproduced with a real redis-server, see tests/operations/test_broker_outage.py).
        # Without emulation the plain virtual QoS restores message by message and logs what
        # it could not restore instead of raising. Nothing is lost that matters: every task
        # here is a periodic trigger (dispatch, sweep, auto-close) whose work is read from
        # PostgreSQL (outbox rows, clocks' next_check_at), and beat sends the next one within
        # seconds; a trigger lost with a killed worker or a restarted Redis costs one interval.
        "ack_emulation": False,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A worker rides out a broker outage of any length: it retries connecting forever (Celery's
# default gives up after 100 attempts, about 45 minutes, and exits), also when it starts while
# the broker is still down, and keeps running the tasks it holds meanwhile (they need only
# PostgreSQL) instead of cancelling them on the connection loss.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES: int | None = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# No result backend: every task ignores its result, so a broker outage cannot fail a task
# through storing one.
CELERY_RESULT_BACKEND: str | None = None
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 50
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "dispatch-outbox": {
        "task": "servicedesk.tasks.dispatch_outbox",
        "schedule": 5.0,
        "options": {"expires": 5},
    },
    "sla-sweep": {
        "task": "sla.tasks.sweep_clocks",
        "schedule": float(env_int("SLA_SWEEP_SECONDS", 15)),
        "options": {"expires": env_int("SLA_SWEEP_SECONDS", 15)},
    },
    "close-resolved-tickets": {
        "task": "incidents.tasks.close_resolved_tickets",
        "schedule": 3600.0,
        "options": {"expires": 3000},  # a late run is dropped: the next one does the same work
    },
}
# Health: a periodic job whose last completed run is older than this fails the health check
# (/healthz answers 503): beat or every worker has stopped. A few sweep intervals, at least 60 s
# (dispatch runs every 5 s, but a large backlog can keep one run busy for a while).
HEARTBEAT_MAX_AGE_SECONDS = env_int(
    "HEARTBEAT_MAX_AGE_SECONDS", max(60, 4 * env_int("SLA_SWEEP_SECONDS", 15))
)
# Monthly KPI report (reports/): beat computes the previous Oslo month on the 1st and the month to
# date every night (UTC times). REPORTS_SCHEDULE_SECONDS runs both every N seconds instead
# (tests and demos); the runs are keyed, so repeats write nothing.
REPORTS_MONTHLY_HOUR_UTC = env_int("REPORTS_MONTHLY_HOUR_UTC", 2)
REPORTS_NIGHTLY_HOUR_UTC = env_int("REPORTS_NIGHTLY_HOUR_UTC", 1)
REPORTS_SCHEDULE_SECONDS = env_int("REPORTS_SCHEDULE_SECONDS", 0)
# Service requests whose catalogue item is in this category (or below it) are access orders.
REPORTS_ACCESS_CATEGORY = env_str("REPORTS_ACCESS_CATEGORY", "Tilgang")
if REPORTS_SCHEDULE_SECONDS:
    _previous_month: object = float(REPORTS_SCHEDULE_SECONDS)
    _month_to_date: object = float(REPORTS_SCHEDULE_SECONDS)
else:
    _previous_month = crontab(minute=0, hour=REPORTS_MONTHLY_HOUR_UTC, day_of_month=1)
    _month_to_date = crontab(minute=30, hour=REPORTS_NIGHTLY_HOUR_UTC)
CELERY_BEAT_SCHEDULE["reports-previous-month"] = {
    "task": "reports.tasks.compute_previous_month",
    "schedule": _previous_month,
    "options": {"expires": 6 * 3600},
}
CELERY_BEAT_SCHEDULE["reports-month-to-date"] = {
    "task": "reports.tasks.compute_month_to_date",
    "schedule": _month_to_date,
    "options": {"expires": 6 * 3600},
}

# Clocks claimed per sweep transaction: small enough to keep locks short, large enough to be fast.
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 2000)
# Resolved tickets the caller has not reopened within this many days are closed.
AUTO_CLOSE_AFTER_DAYS = env_int("AUTO_CLOSE_AFTER_DAYS", 7)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- access log and retention (audit/) ---


def env_days(name: str, default: int) -> int:
    """A retention age in days; refused below one day (a typo must not anonymise everything)."""
    days = env_int(name, default)
    if days < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 (days), not {days}.")
    return days


# Closed tickets lose their caller's personal data, free text and files this long after closing.
RETENTION_TICKET_DAYS = env_days("RETENTION_TICKET_DAYS", 3 * 365)
# Access-log rows are kept this long, then deleted.
RETENTION_ACCESS_LOG_DAYS = env_days("RETENTION_ACCESS_LOG_DAYS", 2 * 365)
# How many proxies in front of the web processes append to X-Forwarded-For. 0: the client's
# address is REMOTE_ADDR and the header is ignored (anyone can send it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Only the benchmark turns the access log off, to measure what it costs. Deliberately not read
# from the environment: no deployment can switch the log off.
ACCESS_LOG_ENABLED = True
CELERY_BEAT_SCHEDULE.update(
    {
        "anonymise-closed-tickets": {
            "task": "audit.tasks.anonymise_closed_tickets",
            "schedule": 86400.0,
            "options": {"expires": 3600},  # a missed day is done by the next run
        },
        "purge-access-log": {
            "task": "audit.tasks.purge_access_log",
            "schedule": 86400.0,
            "options": {"expires": 3600},
        },
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "servicedesk.log_filters.OneLineClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A 403 is one line with its reason, not a traceback (the filter's docstring).
        "django.request": {"filters": ["one_line_client_errors"]},
    },
}
