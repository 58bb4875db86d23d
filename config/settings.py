"""Settings for every environment, driven by environment variables.

Development needs none of them: DEBUG defaults on, SQLite and a filesystem broker under
var/. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis). Nothing exists only in production; differences come from the
environment.
"""

import os
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.csp import CSP

from config import logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envstr(name: str, default: str) -> str:
    return os.environ.get(name) or default


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # A fixed development key: sessions survive restarts, and it can never reach
    # production because production runs with DEBUG off.
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # Sign-in hardening: lockouts, and TOTP two-factor for HR admins.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "programs",
    "pairing",
]

MIDDLEWARE = [
    # First, so that every other middleware's log lines carry the request id.
    "programs.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in hardening: personal pages never stored by a browser or a proxy (outermost,
    # so it sees every response), idle sessions ending, who has passed two-factor, and
    # HR admins sent to it when they must.
    "programs.middleware.NoStoreMiddleware",
    "programs.middleware.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "programs.middleware.TwoFactorRequiredMiddleware",
    # Every page but login, logout and password reset needs a signed-in user.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a lockout flagged during the view into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"


def _program_url(program) -> str:
    return reverse("hr:program_detail", args=[program.slug])


# A programme's page is an HR page (pairing.hr.urls), and programs/ links to none of
# pairing's: its Program.get_absolute_url is wired here, where the layers meet.
ABSOLUTE_URL_OVERRIDES = {"programs.program": _program_url}
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
                "django.template.context_processors.csp",
                "programs.context_processors.roles",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The laptop run has a web process and a Celery worker writing to one file: WAL lets
    # readers continue during a write, IMMEDIATE transactions and a busy timeout make
    # writers queue instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    # The stock similarity check, plus the person's name and work email (Employee).
    {"NAME": "programs.passwords.PersonAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# After signing in (without a ?next=): the person's proposal if one waits, else home.
LOGIN_REDIRECT_URL = "landing"
LOGOUT_REDIRECT_URL = "login"

# Getting in (programs/accounts.py): invitations are single-use set-password links that
# survive a holiday; reset links are short-lived. Both are built from SITE_URL.
SITE_NAME = envstr("SITE_NAME", "Pairwise")
INVITATION_TIMEOUT_DAYS = envint("INVITATION_TIMEOUT_DAYS", 14)
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT_HOURS", 24) * 3600

# Single sign-on (OpenID Connect), on when OIDC_ISSUER_URL and OIDC_CLIENT_ID are set. The
# provider's endpoints come from <issuer>/.well-known/openid-configuration on first use
# (programs/sso.py), never at start-up. A sign-in is linked to the employee HR brought in
# with the same email; nobody is created. PASSWORD_LOGIN=0 leaves passwords to superusers.
OIDC_ISSUER_URL = envstr("OIDC_ISSUER_URL", "").rstrip("/")
OIDC_RP_CLIENT_ID = envstr("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envstr("OIDC_CLIENT_SECRET", "")
OIDC_ALLOWED_DOMAINS = envlist("OIDC_ALLOWED_DOMAINS", [])
PASSWORD_LOGIN = envbool("PASSWORD_LOGIN", True)
if bool(OIDC_ISSUER_URL) != bool(OIDC_RP_CLIENT_ID):
    raise ImproperlyConfigured("Single sign-on needs both OIDC_ISSUER_URL and OIDC_CLIENT_ID")
if not PASSWORD_LOGIN and not OIDC_ISSUER_URL:
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN=0 needs single sign-on (OIDC_ISSUER_URL, OIDC_CLIENT_ID): "
        "otherwise only superusers could sign in"
    )
# RS256 is the one algorithm every OpenID provider must offer (Keycloak, Entra ID, Okta).
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
# client_secret_basic is the spec's default; a public client (no secret) posts its id.
OIDC_TOKEN_USE_BASIC_AUTH = bool(OIDC_RP_CLIENT_SECRET)
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10  # seconds; mozilla's default is to wait forever
LOGIN_REDIRECT_URL_FAILURE = "sso_failed"

# Sign-in hardening. axes counts failed logins (the login page and the Django admin's) in
# the database, so every web process sees the same counts. An account locks after
# AXES_FAILURE_LIMIT failures from anywhere; an IP address after LOCKOUT_IP_FAILURE_LIMIT
# failures against any accounts (higher: an office behind one address shares it). A lock
# ends AXES_COOLOFF_TIME after the failure that set it, or when an admin resets it (README).
# axes first, as its docs say; then passwords (superusers only when PASSWORD_LOGIN=0)
# and single sign-on (programs/sso.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "programs.sso.PasswordBackend",
    "programs.sso.EmployeeOIDCBackend",
]
AXES_HANDLER = "programs.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = envint("LOCKOUT_ACCOUNT_FAILURE_LIMIT", 30)
LOCKOUT_IP_FAILURE_LIMIT = envint("LOCKOUT_IP_FAILURE_LIMIT", 100)
AXES_COOLOFF_TIME = timedelta(hours=envint("LOCKOUT_HOURS", 1))
# Attempts while locked are refused but not counted, so the lock ends when the page says
# it will, however often the person (or an attacker) tries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "programs.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No start-up banner on stderr: management commands keep their one-line errors.
AXES_VERBOSE = False
# Behind the TLS proxy REMOTE_ADDR is the proxy, and one office's typos would lock all
# staff out: with TRUSTED_PROXY_COUNT proxies in front, the client is the address the
# outermost one appended to X-Forwarded-For.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "programs.lockout.client_ip"
# Two-factor (TOTP) for HR admins, people admins and superusers: required when
# REQUIRE_2FA_FOR_HR is on, and asked of anyone who has set it up either way.
REQUIRE_2FA_FOR_HR = envbool("REQUIRE_2FA_FOR_HR", False)
OTP_TOTP_ISSUER = "Pairwise"
# A session ends after this many hours without a request.
SESSION_IDLE_HOURS = envint("SESSION_IDLE_HOURS", 8)
SESSION_COOKIE_AGE = SESSION_IDLE_HOURS * 3600

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# whitenoise warns on every request while the folder is missing (before collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the bootstrap-wrapper wheel: no CDN, no vendored files.
    ("vendor/bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console in development, SMTP (or any backend) from the environment. The
# variables keep their classic names; Django 6.1 takes them through MAILERS.
EMAIL_BACKEND_PATH = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": envstr("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 25),
        "username": envstr("EMAIL_HOST_USER", ""),
        "password": envstr("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", False),
        # Seconds a stalled mail server may hold a send: well inside the reminder claim's
        # lease (pairing.reminders.CLAIM_LEASE), so a live send is never taken for a dead one.
        "timeout": envint("EMAIL_TIMEOUT", 20),
    }
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Pairwise <pairwise@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. The embedded default is kombu's filesystem transport under var/, so a laptop
# needs no broker; production points CELERY_BROKER_URL (or REDIS_URL) at Redis.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", envstr("REDIS_URL", "filesystem://"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # In and out must be the same folder: producers and consumers share one queue.
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Redis redelivers an unacknowledged task after visibility_timeout; keep it far
    # above the longest task so a slow task is never run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# Months after a pairing is over before its free text (check-in summaries and private
# notes, decline notes, the typed end reason) is deleted by the daily retention task;
# 0, the default, keeps it.
RETENTION_MONTHS = envint("RETENTION_MONTHS", 0)
if RETENTION_MONTHS < 0:
    raise ImproperlyConfigured("RETENTION_MONTHS must be 0 (off) or a number of months")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-reminders": {
        "task": "pairing.tasks.dispatch_due_reminders",
        # Every minute: https://crontab.guru/#*_*_*_*_*
        "schedule": crontab(minute="*"),
    },
    "purge-import-jobs": {
        "task": "programs.tasks.purge_import_jobs",
        # Hourly, at minute 17: https://crontab.guru/#17_*_*_*_*
        "schedule": crontab(minute=17),
    },
    "start-due-rounds": {
        "task": "pairing.tasks.start_due_rounds",
        # Daily at 06:07, before people start work: https://crontab.guru/#7_6_*_*_*
        "schedule": crontab(hour=6, minute=7),
    },
    "dispatch-resume-reminders": {
        "task": "programs.tasks.dispatch_resume_reminders",
        # Hourly, at minute 7: https://crontab.guru/#7_*_*_*_*
        "schedule": crontab(minute=7),
    },
    "dispatch-session-reminders": {
        "task": "pairing.tasks.dispatch_session_reminders",
        # Hourly, at minute 23: https://crontab.guru/#23_*_*_*_*
        "schedule": crontab(minute=23),
    },
    "apply-retention": {
        "task": "pairing.tasks.apply_retention",
        # Daily at 03:41: https://crontab.guru/#41_3_*_*_*
        "schedule": crontab(hour=3, minute=41),
    },
}

# Security: production values come from DEBUG being off; check --deploy passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe over plain HTTP inside the network; a redirect would read as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# LOG_FORMAT=json writes one JSON object a line for a log collector; either way every
# line names its request (the X-Request-ID header, see programs.middleware).
LOG_FORMAT = envstr("LOG_FORMAT", "plain")
if LOG_FORMAT not in logs.FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = logs.logging_config(log_format=LOG_FORMAT, level=envstr("LOG_LEVEL", "INFO"))

# Matching runs inline in the request up to this many people; larger programmes go to
# a Celery task with a progress page.
MATCHING_INLINE_LIMIT = envint("MATCHING_INLINE_LIMIT", 400)
# CSV imports are checked and imported in the request up to this many rows (about half a
# second each step); bigger files go to Celery tasks with a progress page.
IMPORT_INLINE_ROWS = envint("IMPORT_INLINE_ROWS", 2000)
