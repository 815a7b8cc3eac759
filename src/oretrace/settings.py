"""Django settings for oretrace, read from ``ORETRACE_*`` environment variables.

Every variable is documented in ``docs/reference/configuration.md``. Production mode (the
default, ``ORETRACE_DEBUG`` off) refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

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

# Django's generic classes take type arguments at run time too (``ModelAdmin[Any]`` as a base).
django_stubs_ext.monkeypatch()

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
    # before risk: its demo's audits are in place when the risk demo computes the red flags
    "oretrace.audits",
    "oretrace.risk",
    "oretrace.grievances",
    "oretrace.programmes",
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

# --- Accounts: login throttling, session timeouts, second factor (OWASP ASVS level 2) --------
# Everything the accounts slice adds to the settings lives in this one block; see
# docs/reference/configuration.md, "Accounts".
INSTALLED_APPS += [
    "axes",  # failed-login log and lockout per account and per address
    "django_otp",
    "django_otp.plugins.otp_totp",  # authenticator apps (RFC 6238)
    "django_otp.plugins.otp_static",  # one-time backup codes
]
# Axes' backend refuses locked-out credentials before Django's own backend checks the password.
AUTHENTICATION_BACKENDS = [
    "oretrace.web.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_after_auth = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after_auth:_after_auth] = [
    "oretrace.web.sessions.SessionTimeoutMiddleware",  # idle and absolute timeouts
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "oretrace.web.twofactor.SecondFactorMiddleware",  # code first; enrolment first where required
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # turns a lockout into the lockout page

ORETRACE_LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
ORETRACE_LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = ORETRACE_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=ORETRACE_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: account, or address
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "oretrace.web.auth.attempted_email"
AXES_CLIENT_IP_CALLABLE = "oretrace.web.auth.client_address"
AXES_LOCKOUT_CALLABLE = "oretrace.web.auth.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failed attempt, shown in the admin
AXES_RESET_ON_SUCCESS = False  # a correct password of one's own account must not reset an address
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]

# A session ends after this long without a request, and this long after its login in any case.
ORETRACE_SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
ORETRACE_SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = ORETRACE_SESSION_MAX_HOURS * 3600

# A second factor (TOTP app + backup codes) for staff and organisation administrators: required
# in production, optional in a local trial (ORETRACE_DEBUG), where the pages say so.
ORETRACE_REQUIRE_2FA = env_bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "oretrace")

# Password-reset mails: one per account per window; requests per address per window.
ORETRACE_PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 15, minimum=1)
ORETRACE_PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 5, minimum=1)

# Sign-up of organisations (the operator approves each): open or not, and its rate limit.
ORETRACE_SIGNUP_OPEN = env_bool("SIGNUP_OPEN", default=True)
ORETRACE_SIGNUP_WINDOW_MINUTES = env_int("SIGNUP_WINDOW_MINUTES", 60, minimum=1)
ORETRACE_SIGNUP_PER_ADDRESS = env_int("SIGNUP_PER_ADDRESS", 5, minimum=1)
# Invitation links (to join an organisation) work once and expire after this many days.
ORETRACE_INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)
# How often the worker mails due notification digests and looks whether the daily checks
# (overdue campaign requests and assessments) are due.
ORETRACE_NOTIFICATION_TICK_SECONDS = env_int("NOTIFICATION_TICK_SECONDS", 900, minimum=60)

# API tokens may not be set to expire further away than this.
ORETRACE_API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 730, minimum=1)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LOCALE_PATHS = [PACKAGE_DIR / "locale"]


def _languages(locale_dir: Path) -> list[tuple[str, str | Promise]]:
    """English (the language of the source) and every language that has a catalogue in
    ``locale_dir``: adding a language is adding its folder (docs/development/adding-a-language.md).
    """
    from django.conf.locale import LANG_INFO
    from django.utils.translation import to_language

    found: list[tuple[str, str | Promise]] = []
    for catalogue in sorted(locale_dir.glob("*/LC_MESSAGES/django.po")):
        code = to_language(catalogue.parts[-3])
        if code not in LANG_INFO:
            raise ImproperlyConfigured(
                f"{catalogue}: {code!r} is not a language Django knows (django.conf.locale)"
            )
        # Django's own catalogues translate the names of the languages it knows.
        found.append((code, _(LANG_INFO[code]["name"])))
    return [("en", _("English")), *(entry for entry in found if entry[0] != "en")]


LANGUAGES = _languages(LOCALE_PATHS[0])
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
# Source maps are fetched only by a browser's developer tools; compressing them (the API docs'
# 11 MB of .map files, with Brotli at its highest level) took most of `oretrace setup`'s minute.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Every page names its static files through `static` (the hashed name), so the copies under the
# original names were never served: collected and Brotli-compressed for nothing, they doubled
# `oretrace setup`'s work on the static files and their size on disk.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

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
# A running job's worker renews a lease on it; a job whose lease ran out lost its worker and is
# queued again, at most JOB_MAX_ATTEMPTS runs in all (docs/reference/configuration.md).
ORETRACE_JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60, minimum=2)
ORETRACE_JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)
# Watched folders (`oretrace declarations watch`): how often the folder is looked at, and how
# long a dropped file's size must stand still before it is taken (a copy still being written
# is left alone).
ORETRACE_WATCH_INTERVAL_SECONDS = env_int("WATCH_INTERVAL_SECONDS", 5, minimum=1)
ORETRACE_WATCH_SETTLE_SECONDS = env_int("WATCH_SETTLE_SECONDS", 2, minimum=0)

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
# A refused CSRF token gets the site's own 403 page, in the reader's language.
CSRF_FAILURE_VIEW = "oretrace.web.error_pages.csrf_failure"
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
# The longest list an XLSX download of a list page holds (CSV downloads are streamed, unbounded).
ORETRACE_EXPORT_XLSX_MAX_ROWS = env_int("EXPORT_XLSX_MAX_ROWS", 10_000, minimum=1)
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
# How many of them must cosign a checkpoint before the verify pages call a record witnessed
# (a majority by default); fewer, and they say "signed by the operator only — not witnessed".
ORETRACE_LEDGER_WITNESS_QUORUM = env_int(
    "LEDGER_WITNESS_QUORUM",
    len(ORETRACE_LEDGER_WITNESSES) // 2 + 1 if ORETRACE_LEDGER_WITNESSES else 0,
    minimum=1 if ORETRACE_LEDGER_WITNESSES else 0,
)
if len(ORETRACE_LEDGER_WITNESSES) < ORETRACE_LEDGER_WITNESS_QUORUM:
    raise ImproperlyConfigured(
        f"ORETRACE_LEDGER_WITNESS_QUORUM={ORETRACE_LEDGER_WITNESS_QUORUM} exceeds the "
        f"{len(ORETRACE_LEDGER_WITNESSES)} witness(es) of ORETRACE_LEDGER_WITNESSES."
    )
ORETRACE_LEDGER_CHECKPOINT_INTERVAL = env_int("LEDGER_CHECKPOINT_INTERVAL", 300, minimum=5)
ORETRACE_LEDGER_AUDIT_INTERVAL = env_int("LEDGER_AUDIT_INTERVAL", 86_400, minimum=60)
# Every signed checkpoint is also written here, outside the database (one file per size); the
# tamper audit compares the log with them. Default: "published" beside the signing key.
_LEDGER_PUBLISH_DIR = env_str("LEDGER_PUBLISH_DIR")
ORETRACE_LEDGER_PUBLISH_DIR: Path | None = (
    Path(_LEDGER_PUBLISH_DIR) if _LEDGER_PUBLISH_DIR else None
)

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

# --- Limits on input (issue 14): every upload and parser stays bounded ------------------------
# Defaults keep one web or worker process under 256 MB resident whatever the input (zip bombs,
# deep JSON, huge bodies); see docs/reference/configuration.md, "Limits on input".
# A request body without files (JSON, XML, form fields), in KB: larger is a 413.
ORETRACE_BODY_MAX_KB = env_int("BODY_MAX_KB", 2560, minimum=16)
DATA_UPLOAD_MAX_MEMORY_SIZE = ORETRACE_BODY_MAX_KB * 1024
# A request carrying files, in MB: larger is refused (413) from its Content-Length, before any
# byte is read, and counted again while the files arrive.
ORETRACE_UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 64, minimum=1)
# Uploaded files larger than this (KB) are streamed to a temporary file, not kept in memory.
ORETRACE_UPLOAD_MEMORY_KB = env_int("UPLOAD_MEMORY_KB", 512, minimum=0)
FILE_UPLOAD_MAX_MEMORY_SIZE = ORETRACE_UPLOAD_MEMORY_KB * 1024
FILE_UPLOAD_HANDLERS = [
    "oretrace.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Any zip package (.xlsx, .xlsm): what all its parts may inflate to (MB) and how many parts it
# may hold, read from its central directory before anything is inflated and enforced again
# while inflating. A filled CMRT inflates to ~10 MB in ~90 parts.
ORETRACE_ZIP_MAX_INFLATED_MB = env_int("ZIP_MAX_INFLATED_MB", 20, minimum=1)
ORETRACE_ZIP_MAX_ENTRIES = env_int("ZIP_MAX_ENTRIES", 2000, minimum=10)
# A blank template opened for writing (openpyxl holds ~10x the inflated size in memory), in MB.
ORETRACE_BLANK_MAX_INFLATED_MB = env_int("BLANK_MAX_INFLATED_MB", 12, minimum=1)
# How deep JSON (API bodies, EPCIS documents) may nest.
ORETRACE_JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 64, minimum=8)
MIDDLEWARE = [*MIDDLEWARE, "oretrace.web.middleware.RequestLimitMiddleware"]

# --- Grievances (issue 20): anonymous reports, sealed at rest -----------------------------------
# The keys that seal reports, replies and notes (AES-256-GCM), and the receipts' hash pepper:
# files outside the database, made at first use (mode 0600). Back this folder up apart from the
# database; see docs/user-guide/grievances.md for rotation.
ORETRACE_GRIEVANCE_KEY_DIR = env_path("GRIEVANCE_KEY_DIR", DATA_DIR / "grievances" / "keys")
# A closed case's texts are purged this many days after its closure (states and counts stay).
ORETRACE_GRIEVANCE_RETENTION_DAYS = env_int("GRIEVANCE_RETENTION_DAYS", 90, minimum=1)
# Statutory deadlines from the day a report arrives (EU Directive 2019/1937: 7 days, 3 months).
ORETRACE_GRIEVANCE_ACKNOWLEDGE_DAYS = env_int("GRIEVANCE_ACKNOWLEDGE_DAYS", 7, minimum=1)
ORETRACE_GRIEVANCE_FEEDBACK_MONTHS = env_int("GRIEVANCE_FEEDBACK_MONTHS", 3, minimum=1)
# Flood limits that count nobody: reports and wrong receipts per channel and day, the
# reporter's messages per receipt and day, and the longest text kept.
ORETRACE_GRIEVANCE_REPORTS_PER_DAY = env_int("GRIEVANCE_REPORTS_PER_DAY", 200, minimum=1)
ORETRACE_GRIEVANCE_WRONG_RECEIPTS_PER_DAY = env_int(
    "GRIEVANCE_WRONG_RECEIPTS_PER_DAY", 500, minimum=1
)
ORETRACE_GRIEVANCE_MESSAGES_PER_DAY = env_int("GRIEVANCE_MESSAGES_PER_DAY", 20, minimum=1)
ORETRACE_GRIEVANCE_MAX_CHARS = env_int("GRIEVANCE_MAX_CHARS", 5000, minimum=200)
# SMS intake through the SMS Gateway for Android (its webhooks, local mode): the signing key set
# in the app (Settings → Webhooks → Signing Key); empty turns the webhook off (404). A request
# whose X-Timestamp is further than this from the server's clock is refused (no stale replays).
ORETRACE_GRIEVANCE_SMS_ANDROID_KEY = env_str("GRIEVANCE_SMS_ANDROID_KEY") or ""
ORETRACE_GRIEVANCE_SMS_MAX_SKEW_SECONDS = env_int("GRIEVANCE_SMS_MAX_SKEW_SECONDS", 300, minimum=1)
# Sending SMS (receipts, replies, surveys): the gateway of every channel, or per channel
# ("slug=twilio,other=android"); empty: the first adapter whose sending settings are set.
ORETRACE_GRIEVANCE_SMS_GATEWAY = env_str("GRIEVANCE_SMS_GATEWAY") or ""
ORETRACE_GRIEVANCE_SMS_CHANNEL_GATEWAYS = env_str("GRIEVANCE_SMS_CHANNEL_GATEWAYS") or ""
# The Android phone's local server: its send address (http://<phone>:8080/message) and the
# user and password its app shows (basic authentication).
ORETRACE_GRIEVANCE_SMS_ANDROID_URL = env_str("GRIEVANCE_SMS_ANDROID_URL") or ""
ORETRACE_GRIEVANCE_SMS_ANDROID_USER = env_str("GRIEVANCE_SMS_ANDROID_USER") or ""
ORETRACE_GRIEVANCE_SMS_ANDROID_PASSWORD = env_str("GRIEVANCE_SMS_ANDROID_PASSWORD") or ""
# A Twilio-compatible API: the account SID and auth token (the token also checks the inbound
# webhook's X-Twilio-Signature; empty turns that webhook off), the sending number (or an MG…
# messaging service) and the API's base address (another provider that copies Twilio's API).
ORETRACE_GRIEVANCE_SMS_TWILIO_ACCOUNT_SID = env_str("GRIEVANCE_SMS_TWILIO_ACCOUNT_SID") or ""
ORETRACE_GRIEVANCE_SMS_TWILIO_AUTH_TOKEN = env_str("GRIEVANCE_SMS_TWILIO_AUTH_TOKEN") or ""
ORETRACE_GRIEVANCE_SMS_TWILIO_FROM = env_str("GRIEVANCE_SMS_TWILIO_FROM") or ""
ORETRACE_GRIEVANCE_SMS_TWILIO_API_URL = (
    env_str("GRIEVANCE_SMS_TWILIO_API_URL") or "https://api.twilio.com/2010-04-01"
)
# Africa's Talking: the app's user name and API key, the short code or sender id to send from,
# the SMS API's address (the sandbox's: https://api.sandbox.africastalking.com/version1/messaging)
# and the secret its callback URL carries as ?key= (it does not sign; empty: callback off).
ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_USERNAME = (
    env_str("GRIEVANCE_SMS_AFRICASTALKING_USERNAME") or ""
)
ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_KEY = (
    env_str("GRIEVANCE_SMS_AFRICASTALKING_API_KEY") or ""
)
ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_FROM = env_str("GRIEVANCE_SMS_AFRICASTALKING_FROM") or ""
ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_API_URL = (
    env_str("GRIEVANCE_SMS_AFRICASTALKING_API_URL")
    or "https://api.africastalking.com/version1/messaging"
)
ORETRACE_GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY = (
    env_str("GRIEVANCE_SMS_AFRICASTALKING_WEBHOOK_KEY") or ""
)
# How long one send may wait for the gateway, and how many tries before an SMS is given up
# (the waits between them double from 30 s up to an hour).
ORETRACE_GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS = env_int(
    "GRIEVANCE_SMS_SEND_TIMEOUT_SECONDS", 10, minimum=1
)
ORETRACE_GRIEVANCE_SMS_SEND_ATTEMPTS = env_int("GRIEVANCE_SMS_SEND_ATTEMPTS", 6, minimum=1)
# SMS webhooks keep each message in an inbox and answer at once; the worker files the inbox
# into cases in batches (for volume: hundreds of webhooks a second). Off: filed in the request.
ORETRACE_GRIEVANCE_SMS_INBOX = env_bool("GRIEVANCE_SMS_INBOX", False)
# The SMS webhooks (/voice/<channel>/sms/<gateway>/) go through a handler with a short middleware
# chain (oretrace/webhooks.py, ADR 0009); "full": through the site's, as every other page.
ORETRACE_SMS_WEBHOOK_HANDLER = env_choice("SMS_WEBHOOK_HANDLER", "slim", ("slim", "full"))

# A corrective action of an audit is recalled to the auditee this many days before it is due
# (once per action and due date; moving the date reminds again). Past the date, every side is
# told it is overdue.
ORETRACE_AUDIT_ACTION_REMINDER_DAYS = env_int("AUDIT_ACTION_REMINDER_DAYS", 7, minimum=1)

# --- Community programmes (issue 21): children's records sealed at rest -------------------------
# The keys that seal children's names, birth dates and locations (AES-256-GCM): files outside
# the database, made at first use (mode 0600), apart from the grievance keys. Back this folder
# up apart from the database; see docs/user-guide/programmes.md.
ORETRACE_PROGRAMME_KEY_DIR = env_path("PROGRAMME_KEY_DIR", DATA_DIR / "programmes" / "keys")
# A form sent from a phone that worked offline keeps its receipt (what it became, under the key
# the phone gave it) this many days, so a phone that did not hear the answer and sends it again
# is answered without a second write; after that the receipt is deleted by the daily check. A
# form older than that is still never applied twice: a second visit the same day, or a follow-up
# against a case changed since, is refused as a conflict.
ORETRACE_PROGRAMME_SYNC_KEEP_DAYS = env_int("PROGRAMME_SYNC_KEEP_DAYS", 90, minimum=1)
