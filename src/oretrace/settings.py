"""Django settings for oretrace, read from ``ORETRACE_*`` environment variables.

Every variable is documented in ``docs/reference/configuration.md``. Production mode (the
default, ``ORETRACE_DEBUG`` off) refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from oretrace.conf import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    env_time_zone,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("DATA_DIR", Path.cwd() / "var")
DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if not DEBUG and (len(key) < 50 or len(set(key)) < 5):
            raise ImproperlyConfigured(
                "ORETRACE_SECRET_KEY is too weak for production: use 50 or more random characters, "
                "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
            )
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "ORETRACE_SECRET_KEY is not set. Production mode (ORETRACE_DEBUG off) needs a secret "
            "key of at least 50 random characters; set ORETRACE_DEBUG=true for a local trial."
        )
    # A local trial keeps a generated key on disk so that sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ORETRACE_ALLOWED_HOSTS is not set. Production mode needs the host names this site is "
        "served under, comma-separated (e.g. oretrace.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "oretrace.core",
    "oretrace.registry",
    "oretrace.ledger",
    "oretrace.declarations",
    "oretrace.assessments",
    "oretrace.traceability",
    "oretrace.api",
    "oretrace.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oretrace.web.middleware.CurrentMembershipMiddleware",
    "oretrace.web.middleware.BadInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "oretrace.urls"
WSGI_APPLICATION = "oretrace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oretrace.web.context.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'oretrace.sqlite3'}"
_database = database_from_url(DATABASE_URL)
if _database["ENGINE"].endswith("sqlite3"):
    # Django's backend, with writers that wait for each other in 1 ms steps (core/sqlite).
    _database["ENGINE"] = "oretrace.core.sqlite"
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids upgrade deadlocks.
    _database["OPTIONS"] = {
        # A capture dirties ~20 MB of pages: a 32 MiB page cache keeps them in memory until the
        # commit, and checkpoints every 10,000 pages (not 1,000) copy a hot page back once for
        # several captures; together ~12 % of a capture once the database holds 50,000 events.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database.setdefault("TEST", {})["NAME"] = None
else:
    _database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("FAST_PASSWORD_HASHING", default=False):
    # Only for test runs: password hashing would otherwise dominate their time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("hi", _("Hindi"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Background tasks -----------------------------------------------------------------------
_tasks_backend = env_choice("TASKS_BACKEND", "database", ("database", "immediate"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if _tasks_backend == "database"
            else "django.tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- E-mail ---------------------------------------------------------------------------------
# A local trial prints mail on the console; production sends it through SMTP.
_mail_backend = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
_mail_options: dict[str, object] = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": 30,
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "oretrace <noreply@localhost>")

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Checks an operator has decided to accept, e.g. security.W021 when HSTS preload is off.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_CHECKS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

from django.utils.csp import CSP  # noqa: E402  (kept beside the policy it builds)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

_LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical"))
_LOG_LEVEL = _LOG_LEVEL.upper()

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    # Django's own loggers print through the root handler only (otherwise lines appear twice).
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# --- oretrace -------------------------------------------------------------------------------
ORETRACE_API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
ORETRACE_API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 500, minimum=1)
if ORETRACE_API_PAGE_SIZE > ORETRACE_API_MAX_PAGE_SIZE:
    raise ImproperlyConfigured(
        f"ORETRACE_API_PAGE_SIZE={ORETRACE_API_PAGE_SIZE} exceeds "
        f"ORETRACE_API_MAX_PAGE_SIZE={ORETRACE_API_MAX_PAGE_SIZE}."
    )
# Where users reach this site; used in links sent by e-mail (invitations).
# Largest evidence file a supplier may upload with an assessment answer, in MB.
ORETRACE_EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 10, minimum=1)
ORETRACE_BASE_URL = (env_str("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

# --- Ledger (transparency log) ----------------------------------------------------------------
# The log's Ed25519 signing key lives outside the database (generated at first use, mode 0600).
ORETRACE_LEDGER_KEY_PATH = env_path("LEDGER_KEY_PATH", DATA_DIR / "ledger" / "log.key")
# Keys that also sign new checkpoints while verifiers move to a new key (see key rotation).
ORETRACE_LEDGER_PREVIOUS_KEY_PATHS = [Path(p) for p in env_list("LEDGER_PREVIOUS_KEY_PATHS")]
# The checkpoint origin: the scheme-less URL prefix of the tiles API by default.
ORETRACE_LEDGER_ORIGIN = env_str("LEDGER_ORIGIN") or (
    ORETRACE_BASE_URL.split("://", 1)[-1] + "/ledger"
)
# Witnesses whose cosignatures the log accepts: cosignature vkeys (type 0x04), comma-separated.
ORETRACE_LEDGER_WITNESSES = env_list("LEDGER_WITNESSES")
ORETRACE_LEDGER_CHECKPOINT_INTERVAL = env_int("LEDGER_CHECKPOINT_INTERVAL", 300, minimum=5)
ORETRACE_LEDGER_AUDIT_INTERVAL = env_int("LEDGER_AUDIT_INTERVAL", 86_400, minimum=60)

# GS1's EPCIS 2.0 JSON Schema (EPCIS-JSON-Schema.json) is not shipped with oretrace: point this
# at a copy to validate captured documents against it as well as oretrace's own checks.
_EPCIS_SCHEMA = env_str("EPCIS_SCHEMA")
ORETRACE_EPCIS_SCHEMA: Path | None = (
    Path(_EPCIS_SCHEMA).expanduser().resolve() if _EPCIS_SCHEMA else None
)
# GS1's EPCIS 2.0 XSD (EPCglobal-epcis-2_0.xsd, with the schemas it imports beside it), likewise
# optional: XML documents of its namespace are validated against it before oretrace's checks.
_EPCIS_XSD = env_str("EPCIS_XSD")
ORETRACE_EPCIS_XSD: Path | None = Path(_EPCIS_XSD).expanduser().resolve() if _EPCIS_XSD else None


def _yields(items: list[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in items:
        process, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not sep or not process.strip() or number <= 0:
            raise ImproperlyConfigured(
                f"ORETRACE_CUSTODY_MAX_YIELDS: {item!r} is not process=yield with a yield above "
                "0, e.g. sorting=0.95"
            )
        found[process.strip()] = number
    return found


# Mass balance: the highest output/input ratio each process may show (1 for any process not
# named), and how far a receipt may differ from its shipment, in percent.
ORETRACE_CUSTODY_MAX_YIELDS = _yields(env_list("CUSTODY_MAX_YIELDS"))
ORETRACE_CUSTODY_RECEIPT_TOLERANCE = env_int("CUSTODY_RECEIPT_TOLERANCE", 2, minimum=0)
