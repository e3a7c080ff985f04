"""Settings, read from the environment only.

Development (the default) needs nothing set: a SQLite file and a generated secret key live under
``var/`` in the checkout. Production (``FINSAM_ENV=production``) refuses to start without
``SECRET_KEY``, ``FINSAM_PERSON_KEY``, ``DATABASE_URL`` and ``ALLOWED_HOSTS``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent  # the checkout (editable install)
VAR_DIR = Path(os.environ.get("FINSAM_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("FINSAM_ENV", "development")
if ENV not in ("development", "production"):
    raise ImproperlyConfigured("FINSAM_ENV must be 'development' or 'production'.")
PRODUCTION = ENV == "production"


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_secret(name):
    """A secret from NAME or from the file named by NAME_FILE; in development, generated once
    and kept under var/ so that sessions and identity keys survive restarts."""
    value = os.environ.get(name)
    if value is None and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text().strip()
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production (or {name}_FILE).")
    stored = VAR_DIR / name.lower()
    if not stored.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:  # created private (never readable by others, not even for a moment), and only once
            descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(50))
    return stored.read_text().strip()


SECRET_KEY = env_secret("SECRET_KEY")
# Key of the HMAC that replaces identity numbers (see docs/privacy.md for rotation).
FINSAM_PERSON_KEY = env_secret("FINSAM_PERSON_KEY")
# During a key rotation: the key before, so that people are still found (and re-keyed).
FINSAM_PERSON_KEY_PREVIOUS = os.environ.get("FINSAM_PERSON_KEY_PREVIOUS", "")

DEBUG = env_bool("DEBUG", not PRODUCTION)

if PRODUCTION:
    ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (comma-separated).")
else:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

if PRODUCTION and "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'finsam.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
# How long a writer waits for a lock held by another transaction (SQLite: the database's one
# write lock; PostgreSQL: a row, table or advisory lock) before it gives up; the request then
# answers a Swedish 503 (core/busy.py). A large import holds SQLite's lock for minutes.
FINSAM_LOCK_WAIT_SECONDS = env_int("FINSAM_LOCK_WAIT_SECONDS", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of failing
    # half-way; WAL lets readers go on while one writes. secure_delete zeroes a deleted row's bytes
    # (a used survey code, deleted participant data) instead of leaving them in the page's free
    # space; some builds have it on by default, not all (docs/privacy.md, "Indicator surveys").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": FINSAM_LOCK_WAIT_SECONDS,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA secure_delete=ON;",
    }
    # Participant data: the file is created with mode 600 (and a new var/ with 700) before
    # SQLite would create it readable by everyone; core.sqlite explains the rest.
    from finsam.core.sqlite import create_private_database

    create_private_database(DATABASES["default"]["NAME"])
    # SQLite builds the covering indexes of participants.Participation on their key columns only;
    # the INCLUDE columns serve national reports on PostgreSQL (docs/performance.md).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reports are ~20 short aggregate queries; PostgreSQL's JIT compiled some of them for
    # 50-110 ms each (EXPLAIN ANALYZE, national data) and saved less than that.
    options = f"-c jit=off -c lock_timeout={FINSAM_LOCK_WAIT_SECONDS}s"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = options

# Computed reports (statistics/cache.py). In-process memory: each gunicorn worker keeps its own
# copy, which is correct because entries are keyed by the association's data version, and needs
# no service beside the database. ~200 reports of ≈ 100 kB each per process at most.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "finsam",
        "OPTIONS": {"MAX_ENTRIES": env_int("FINSAM_REPORT_CACHE_ENTRIES", 200)},
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "finsam.core",
    "finsam.tenancy",
    "finsam.interventions",
    "finsam.participants",
    "finsam.statistics",
    "finsam.reports",
    "finsam.audit",
    "finsam.jobs",
    "finsam.demo",
    "finsam.finance",
    "finsam.activities",
    "finsam.surveys",
    "finsam.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Every request starts without a förbund's scope; association_view activates one (tenancy/scope.py).
    "finsam.tenancy.scope.RequestScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "finsam.core.middleware.RefuseNulCharactersMiddleware",
    "finsam.core.middleware.AbsoluteSessionTimeoutMiddleware",
    "finsam.core.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "finsam.core.middleware.NoStoreForAuthenticatedMiddleware",
    # A view that waited in vain for a database lock answers 503 "försök igen om en minut".
    "finsam.core.busy.DatabaseBusyMiddleware",
    # Last, so that it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files from the app process (after `finsam collectstatic`); in development
    # runserver serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "finsam.urls"
WSGI_APPLICATION = "finsam.wsgi.application"

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
                "finsam.core.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "finsam.core.forms.FormRenderer"

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for the same user name from the same address lock that
# combination for 15 minutes. Locking by user name alone would let anyone lock a user out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions: 30 minutes idle (renewed on each request), 10 hours absolute.
SESSION_COOKIE_AGE = 30 * 60
# Django's database sessions, whose renewal is skipped while the database is busy.
SESSION_ENGINE = "finsam.core.sessions"
SESSION_SAVE_EVERY_REQUEST = False  # renewed at most once a minute by core.middleware (idle timeout)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
FINSAM_SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads (issue 9): a file is refused as soon as it is known to exceed FINSAM_UPLOAD_MAX_BYTES,
# before it is read (core/uploads.py); over 1 MB it is streamed to a temporary file (mode 0600,
# removed at the end of the request) rather than held in memory, and read into memory only by
# an importer that has checked its size. Form fields besides files: at most 1 MB and 1 000
# fields; at most 5 files per request. Over a limit, the request gets a Swedish page (413/400).
FINSAM_UPLOAD_MAX_BYTES = env_int("FINSAM_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "finsam.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Background jobs (jobs/, docs/architecture.md "Background jobs"). Their files (uploaded input,
# results with participant data) live under FINSAM_JOBS_DIR, which `finsam worker` and the web
# processes must share. A running job whose heartbeat (every 5 s) is older than the lease lost its
# worker and is marked failed; finished jobs and their files are deleted after the retention.
FINSAM_JOBS_DIR = Path(os.environ.get("FINSAM_JOBS_DIR", VAR_DIR / "jobs"))
FINSAM_JOBS_SYNC = env_bool("FINSAM_JOBS_SYNC", False)  # run jobs in the request, after commit (tests)
FINSAM_JOB_LEASE_SECONDS = env_int("FINSAM_JOB_LEASE_SECONDS", 60)
FINSAM_JOB_RETENTION_DAYS = env_int("FINSAM_JOB_RETENTION_DAYS", 7)
# A participant file larger than this (≈ 2 000 rows of CSV; an xlsx file over a quarter of it, as
# it is compressed) is read in by a job; an export of more rows than this too.
FINSAM_JOB_IMPORT_BYTES = env_int("FINSAM_JOB_IMPORT_BYTES", 256 * 1024)
FINSAM_JOB_EXPORT_ROWS = env_int("FINSAM_JOB_EXPORT_ROWS", 5000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint (core/pdf.py) logs each page it lays out at INFO; its warnings (a refused URL) stay.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
