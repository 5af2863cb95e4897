"""Fanfold's one settings module: every deploy-specific value comes from the environment."""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FANFOLD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Build the discovery index when the app is loaded (with gunicorn --preload: once, before the workers fork and
# share it) instead of on the first listing request, which at a million works takes about a minute.
DISCOVERY_BUILD_AT_START = env_bool("FANFOLD_BUILD_INDEX_AT_START", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = os.environ.get("SITE_NAME", "Fanfold")
# The archive's public address (https://archive.example.org), for full links in emails.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# How many reverse proxies in front of the app append to X-Forwarded-For (0: trust no header).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "fanfold.core",
    "fanfold.accounts",
    "fanfold.tags",
    "fanfold.works",
    "fanfold.interactions",
    "fanfold.discovery",
    "fanfold.series",
    "fanfold.readings",
    "fanfold.bookmarks",
]

MIDDLEWARE = [
    "fanfold.core.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the headers too.
    "csp.middleware.CSPMiddleware",
    "fanfold.core.headers.SecurityHeadersMiddleware",
    # Early too, so even a refused request's 400 page cannot be framed.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the session or a form: see its docstring.
    "fanfold.core.middleware.ControlCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fanfold.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "fanfold.core.middleware.RecentWriteMiddleware",
]

ROOT_URLCONF = "fanfold.urls"
WSGI_APPLICATION = "fanfold.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fanfold" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanfold.core.context_processors.site",
            ],
        },
    },
]

# Form fields, labels and error lists are drawn with Django's own Jinja2 widget templates (see FormRenderer).
FORM_RENDERER = "fanfold.core.forms.FormRenderer"

# SQLite (WAL) under var/ by default; DATABASE_URL=postgres://... for production.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Persistent connections, checked before each request's first query: after PostgreSQL restarts (or kills a
    # connection), a thread's stale connection is replaced instead of failing that thread's next request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "fanfold.sqlite3",
            "OPTIONS": {
                # WAL: readers never wait for the one writer; NORMAL sync is safe with WAL (a power cut can lose
                # the last commits, never corrupt the file).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                # Every transaction.atomic() takes the write lock when it begins. A deferred transaction that
                # reads and then writes cannot wait for the lock (SQLite fails it at once with "database is
                # locked"); an immediate one waits its turn. So write transactions must stay short: slow work
                # (password hashing, rendering, email) happens before or after them, never inside.
                "transaction_mode": "IMMEDIATE",
                # Seconds a writer waits for the lock before "database is locked"; a write transaction takes
                # milliseconds, so this is only reached when something holds the lock far too long.
                "timeout": 20,
            },
            # A file, not memory: an in-memory test database makes the live server share the test's one
            # connection among all its threads, so requests could not race as they do in production.
            "TEST": {"NAME": str(VAR_DIR / "test_fanfold.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("TEST_DATABASE_NAME", "test_fanfold")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    # Django's Argon2, hashing one password at a time per process (see fanfold/accounts/hashers.py).
    "fanfold.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # The sign-in throttle, for every page that signs people in (the admin's too); it authenticates nobody.
    "fanfold.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "fanfold" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email: the console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fanfold <noreply@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# A chapter may hold 510,000 characters (up to ~2 MB of UTF-8); leave room so an over-long text gets
# the form's own message rather than a bare "bad request".
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Comments: how many one person may post in a window before being asked to wait.
COMMENT_RATE_LIMIT = env_int("COMMENT_RATE_LIMIT", 5)
COMMENT_RATE_WINDOW_SECONDS = env_int("COMMENT_RATE_WINDOW_SECONDS", 15 * 60)
# Guests' listings apply the change log at most this often (signed-in readers' on every request).
GUEST_LISTING_LAG_SECONDS = env_float("GUEST_LISTING_LAG_SECONDS", 1.0)
# Each web process catches its indexes up in a thread of its own rather than in one of its requests.
INDEX_CATCH_UP_IN_BACKGROUND = env_bool("INDEX_CATCH_UP_IN_BACKGROUND", True)
# How long the discovery change log keeps its notes; an index that has not read it for half as long rebuilds.
CHANGE_LOG_RETENTION_SECONDS = env_int("CHANGE_LOG_RETENTION_SECONDS", 24 * 60 * 60)
# Visits (hits, readers' history) are written by each process in batches this often, so reading a work never
# waits for the database's write lock; 0 writes each one on its request. A process killed with -9 loses its
# last batch.
VISIT_WRITE_BEHIND_SECONDS = env_float("VISIT_WRITE_BEHIND_SECONDS", 1.0)

# Caches. "default" is each process's own memory. "throttle" holds the sign-in, password-reset and sign-up
# counters, which every web process must share: a table in the database (created by `migrate`), or Redis
# when REDIS_URL is set (needs the `redis` extra: pip install -e '.[redis]').
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "fanfold.core.cache.AtomicDatabaseCache", "LOCATION": "fanfold_throttle_cache"}
    ),
}
# django-ratelimit counts in this cache; its app is not installed because its system check knows only the
# cache backends it ships with, and ours increments atomically too (see fanfold/core/cache.py).
RATELIMIT_USE_CACHE = "throttle"

# Throttles, as "count/period" with the period in s, m, h or d ("5/20s": five per twenty seconds). Every
# attempt counts, right or wrong, and over the limit even the right password is refused until the window ends.
_RATE = re.compile(r"[1-9][0-9]*/[0-9]*[smhd]")


def env_rate(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip() or default
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(f'{name} must look like "5/20s" (a count, "/", then seconds s, m, h or d).')
    return value


# Sign-in attempts per account and, separately, per address (AO3's limit).
LOGIN_RATE = env_rate("LOGIN_RATE", "5/20s")
# Password-reset emails asked for per email address, and per address they are asked from.
PASSWORD_RESET_RATE = env_rate("PASSWORD_RESET_RATE", "3/h")
PASSWORD_RESET_IP_RATE = env_rate("PASSWORD_RESET_IP_RATE", "20/h")
# Sign-up forms sent per address: generous, for a household or a school behind one address.
SIGNUP_RATE = env_rate("SIGNUP_RATE", "30/h")
ACCOUNT_ACTIVATION_DAYS = env_int("ACCOUNT_ACTIVATION_DAYS", 14)  # then an account never activated is removed

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts and styles come only from our own static files: no inline code, so an injected <script> or
# style="" would not run. Images may come from the web because writers embed them in works
# (fanfold.core.html allows <img src="http(s)://…">; browsers upgrade http images on an https page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
