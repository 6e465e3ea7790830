"""Django settings for Arusha.

Every value comes from an environment variable (see README "Configuration"), so production
differs from a laptop only by its environment. Nothing secret lives in the repository: the
secret key is generated on first run into ``ARUSHA_VAR_DIR``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("ARUSHA_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envsecret(name: str) -> str:
    """The secret from the environment, else one generated once and kept in VAR_DIR."""
    if os.environ.get(name):
        return os.environ[name]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = envsecret("ARUSHA_SECRET_KEY")
DEBUG = envbool("ARUSHA_DEBUG", False)
ALLOWED_HOSTS = envlist("ARUSHA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("ARUSHA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "arusha_web.core",
    "arusha_web.accounts",
    "arusha_web.org",
    "arusha_web.audit",
    "arusha_web.jobs",
    "arusha_web.diagnose",
    "arusha_web.risks",
    "arusha_web.cases",
    "arusha_web.measure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "arusha_web.accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "arusha_web.accounts.middleware.TwoFactorRequiredMiddleware",
    "arusha_web.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "arusha_web.core.middleware.BadParameterPage",
    # AxesMiddleware last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arusha_web.urls"
WSGI_APPLICATION = "arusha_web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "arusha_web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "arusha_web.core.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite under var/ unless DATABASE_URL names another server (PostgreSQL in production).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ARUSHA_SQLITE_PATH", str(VAR_DIR / "arusha.sqlite3")),
            "OPTIONS": {
                # The web server and the worker write concurrently: WAL lets readers go on
                # while one writes, IMMEDIATE takes the write lock up front instead of failing
                # half-way through a transaction, and the timeout waits for it.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and security ------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failed logins (django-axes), per account *and* client address: locked by
# account alone, anyone on the internet could keep a named officer (or the integrity unit's head)
# out by typing five wrong passwords every quarter of an hour. Not by address alone either: in many
# offices every officer reaches the server through one NAT address, and locking that address would
# lock out the whole office. Behind a reverse proxy the client address is its X-Forwarded-For.
AXES_FAILURE_LIMIT = envint("ARUSHA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("ARUSHA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# TOTP two-factor authentication, required for administrators, the integrity unit and
# investigators when ARUSHA_REQUIRE_2FA is on.
ARUSHA_REQUIRE_2FA = envbool("ARUSHA_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Arusha"

SESSION_COOKIE_AGE = envint("ARUSHA_SESSION_MINUTES", 8 * 60) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The CSRF cookie is forgotten when the browser closes (Django's default keeps it a year): on
# the public reporting pages a cookie that outlives the visit would show, on a device seized
# later, that it was used to report.
CSRF_COOKIE_AGE = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (production: set ARUSHA_HTTPS=1), cookies are marked Secure, HTTP is redirected
# and HSTS is sent. `manage.py check --deploy` warns while it is off.
ARUSHA_HTTPS = envbool("ARUSHA_HTTPS", False)
SESSION_COOKIE_SECURE = ARUSHA_HTTPS
CSRF_COOKIE_SECURE = ARUSHA_HTTPS
SECURE_SSL_REDIRECT = ARUSHA_HTTPS and envbool("ARUSHA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("ARUSHA_HSTS_SECONDS", 31536000 if ARUSHA_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = ARUSHA_HTTPS
SECURE_HSTS_PRELOAD = ARUSHA_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if envbool("ARUSHA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Content Security Policy: everything from this server, scripts only with the page's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Inline style attributes (progress widths, the QR code's SVG) are harmless; scripts are not.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("ARUSHA_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "arusha_web" / "locale"]
TIME_ZONE = os.environ.get("ARUSHA_TIME_ZONE", "UTC")
USE_I18N = True
# One date format per language, unambiguous, the same on pages and PDFs (arusha_web/formats/).
FORMAT_MODULE_PATH = ["arusha_web.formats"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ARUSHA_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names after collectstatic (arusha serve runs it); plain in DEBUG.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("ARUSHA_MEDIA_ROOT", VAR_DIR / "media"))
# Without collectstatic (tests, runserver) WhiteNoise finds files in the apps directly.
WHITENOISE_USE_FINDERS = DEBUG or envbool("ARUSHA_STATIC_FINDERS", False)

# A file cache under var/ is shared by every web process on the machine; no cache server needed.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "TIMEOUT": 3600,
        # Charts and dashboard tables are cached per run; Django's default of 300 entries would
        # evict them after a dozen officers' scorecards.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
    # Receipt-code puzzles already used (cases/puzzle.py): in memory only, because a file per
    # follow-up would record its time on disk. Each entry is a few hundred bytes; evicting one
    # early would let its puzzle be sent again, so the limit is well above a window's traffic.
    "receipt_puzzles": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "receipt-puzzles",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# --- Background jobs ------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ARUSHA_WORKER_STALE_SECONDS = envint("ARUSHA_WORKER_STALE_SECONDS", 120)

# --- Arusha ---------------------------------------------------------------------------------
ARUSHA_DEMO_PASSWORD = os.environ.get("ARUSHA_DEMO_PASSWORD", "demo")
# Public address, for links in e-mails (invitations, reminders), e.g. https://arusha.customs.example
ARUSHA_BASE_URL = os.environ.get("ARUSHA_BASE_URL", "").rstrip("/")

# Audit trail: ids of sealing keys that are lost (audit/keys.py). Entries sealed with them are
# reported as unchecked by `arusha audit verify` instead of breaking it; the key itself is read
# from ARUSHA_AUDIT_KEY or VAR_DIR/audit.key, never from here.
ARUSHA_AUDIT_LOST_KEY_IDS = envlist("ARUSHA_AUDIT_LOST_KEY_IDS")
# Where the number of the first sealed audit entry is kept, beside the key (audit/keys.py); the
# environment variable ARUSHA_AUDIT_SEALED_SINCE, when set, gives the number instead.
ARUSHA_AUDIT_SEALED_SINCE_FILE = VAR_DIR / "audit.sealed-since"

# Diagnose: a breakdown by respondent group shows a group's anonymous self-assessment answers on
# their own only when it has at least this many (smaller groups are pooled; diagnose/scoring.py).
# Below 2 a group of one would be shown, which names its member.
ARUSHA_DIAGNOSE_MIN_GROUP = envint("ARUSHA_DIAGNOSE_MIN_GROUP", 3)
if ARUSHA_DIAGNOSE_MIN_GROUP < 2:
    raise ImproperlyConfigured(
        f"ARUSHA_DIAGNOSE_MIN_GROUP must be at least 2 (a group of one names its member), "
        f"not {ARUSHA_DIAGNOSE_MIN_GROUP}"
    )

# Measure: uploads of clearance files, and whether analysts see pseudonyms instead of officer ids
# until a lead is referred.
ARUSHA_UPLOAD_MAX_MB = envint("ARUSHA_UPLOAD_MAX_MB", 500)
# Server folders analysts may register as a dataset's source (os.pathsep-separated: ':' is a
# separator, so not envlist); empty means none.
ARUSHA_DATA_FOLDERS = os.environ.get("ARUSHA_DATA_FOLDERS", "")
ARUSHA_PSEUDONYMISE_OFFICERS = envbool("ARUSHA_PSEUDONYMISE_OFFICERS", False)
# The declaration risk model (arusha model train) that re-scores declarations before each analysis.
ARUSHA_RISK_MODEL = Path(os.environ.get("ARUSHA_RISK_MODEL", VAR_DIR / "risk-model.json"))

# Cases: the reporting channel and investigations.
ARUSHA_CASES_MAX_UPLOAD_MB = envint("ARUSHA_CASES_MAX_UPLOAD_MB", 10)
# The work of cleaning a reporter's files (docs/security.md, "Uploaded files"): a 24 KB upload
# can unpack to 15 MB of XML. Each file is cleaned in a child process stopped after
# ARUSHA_CASES_CLEAN_SECONDS, so one form costs at most MAX_FILES x CLEAN_SECONDS of a worker.
ARUSHA_CASES_MAX_FILES = envint("ARUSHA_CASES_MAX_FILES", 5)
ARUSHA_CASES_MAX_UNPACKED_MB = envint("ARUSHA_CASES_MAX_UNPACKED_MB", 50)
ARUSHA_CASES_MAX_XML_ELEMENTS = envint("ARUSHA_CASES_MAX_XML_ELEMENTS", 1_000_000)
ARUSHA_CASES_MAX_PDF_OBJECTS = envint("ARUSHA_CASES_MAX_PDF_OBJECTS", 100_000)
ARUSHA_CASES_CLEAN_SECONDS = envint("ARUSHA_CASES_CLEAN_SECONDS", 10)
ARUSHA_CASES_CLEAN_MEMORY_MB = envint("ARUSHA_CASES_CLEAN_MEMORY_MB", 1024)
ARUSHA_CASES_EXCLUDE_OWN_OFFICE = envbool("ARUSHA_CASES_EXCLUDE_OWN_OFFICE", True)
# Each guess at a receipt code costs a puzzle of 2^bits hashes (cases/puzzle.py), valid this long.
ARUSHA_CASES_RECEIPT_PUZZLE_BITS = envint("ARUSHA_CASES_RECEIPT_PUZZLE_BITS", 20)
ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS = envint("ARUSHA_CASES_RECEIPT_PUZZLE_SECONDS", 3600)
ARUSHA_ADMINISTRATION_NAME = os.environ.get("ARUSHA_ADMINISTRATION_NAME", "")

EMAIL_BACKEND = os.environ.get("ARUSHA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("ARUSHA_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("ARUSHA_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("ARUSHA_EMAIL_FROM", "arusha@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Warnings about the public reporting pages (a CSRF failure, a 404) would record, with the
    # log's time stamp, the moment a reporter acted; server errors are still logged.
    "filters": {"reporting_channel": {"()": "arusha_web.cases.log_filters.ReportingChannelWarnings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["reporting_channel"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("ARUSHA_LOG_LEVEL", "WARNING")},
}
