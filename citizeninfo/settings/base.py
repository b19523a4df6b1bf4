"""Settings shared by every environment. Environment variables override the defaults.

The embedded default is SQLite in ./var with no other service; PostgreSQL, SMTP and
the rest are one environment variable away (see README.md, "Configuration").
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CITIZENINFO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me-0123456789abcdefghijklmnop")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "core.apps.TasksDatabaseConfig",  # django_tasks_db, its name in Thai in the admin
    "ninja",
    "csp",
    "core",
    "audit",
    "accounts",
    "agencies",
    "exchange",
    "service_points",
    "manual",
    "feedback",
    "readiness",
    "progress",
    "counter",
    "console",
    "complaints",
    "line_channel",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "citizeninfo.urls"
WSGI_APPLICATION = "citizeninfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
            "builtins": ["core.templatetags.thai_dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own queries bind on the client and never prepare; this lets the few statements
    # that ask for it (the citizen's feedback answer, ADR 0044) be planned once per
    # connection. Behind a pooler that cannot keep prepared statements (PgBouncer in
    # transaction mode before 1.21), set DB_PREPARED_STATEMENTS=off.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web process share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.IdentityBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "agencies:home"
LOGOUT_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: SMTP when EMAIL_HOST is set; otherwise readable files in var/mail (demo mode).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CITIZENinfo <no-reply@info.go.th>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Redis, when REDIS_URL is set, backs the cache (sign-in throttling uses the database either way).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("CSP_IMG_SRC")],
        "font-src": [SELF],
        "connect-src": [SELF, *env_list("COUNTER_READER_URL", "http://127.0.0.1:8765")],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- CITIZENinfo ---
# The seed's agency login identity is "<agency code>@<AGENCY_LOGIN_DOMAIN>".
AGENCY_LOGIN_DOMAIN = os.environ.get("AGENCY_LOGIN_DOMAIN", "info.go.th")
# Registrants with an email under one of these domains are activated by the emailed link;
# anyone else waits for approval by an EGA administrator or an admin of the same agency.
GOVERNMENT_EMAIL_DOMAINS = env_list("GOVERNMENT_EMAIL_DOMAINS", "go.th,mail.go.th")
EMAIL_LINK_MAX_AGE_HOURS = int(os.environ.get("EMAIL_LINK_MAX_AGE_HOURS", "48"))
# A member reminded about a survey round is not mailed about it again for this many days.
READINESS_REMINDER_INTERVAL_DAYS = int(os.environ.get("READINESS_REMINDER_INTERVAL_DAYS", "7"))
SIGN_IN_MAX_FAILURES = int(os.environ.get("SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCKOUT_MINUTES = int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "15"))
# The address citizens reach this portal at: QR posters, the open data's `url` column, the DCAT
# catalogue and emailed links are built from it. `script/server` sets it from HOST and PORT;
# production refuses to start without it (settings/production.py).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or (
    f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
)
# Whom agencies contact about the programme (the seed's EGA contact).
EGA_CONTACT_EMAIL = os.environ.get("EGA_CONTACT_EMAIL", "contact@ega.or.th")
EGA_CONTACT_PHONE = os.environ.get("EGA_CONTACT_PHONE", "02-612-6060")
# Where a request's client address is: REMOTE_ADDR, or the header a trusted reverse proxy sets
# (e.g. HTTP_X_REAL_IP). The audit log and the feedback rate limits both read it.
CLIENT_IP_META = os.environ.get("CLIENT_IP_META", "REMOTE_ADDR")
# The ID-card reader service on the officer's PC (python -m idcard serve); the counter page
# calls it from the browser, so it is also in the CSP's connect-src above.
COUNTER_READER_URL = os.environ.get("COUNTER_READER_URL", "http://127.0.0.1:8765")
# JSON, agency code -> its GDX node's local address and token, for the counter's online path:
# {"dol-kkn": {"url": "http://127.0.0.1:8702", "token": "..."}}
COUNTER_GDX_NODES = os.environ.get("COUNTER_GDX_NODES", "")
# Key of the verification records' hashes (ADR 0080); set it in production and keep it.
COUNTER_HASH_KEY = os.environ.get("COUNTER_HASH_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

# Sign-in (issue 17): every failed attempt computes this many password hashes, whatever the
# identifier, and the agency identity tries at most this many members (ADR 0007).
SIGN_IN_AGENCY_MEMBERS_TRIED = int(os.environ.get("SIGN_IN_AGENCY_MEMBERS_TRIED", "3"))

# Uploaded files go out through core.media's access check. Behind nginx, set
# MEDIA_ACCEL_REDIRECT to an `internal` location that maps to MEDIA_ROOT (e.g.
# "/protected-media/"); behind Apache or lighttpd, MEDIA_X_SENDFILE=1.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
MEDIA_X_SENDFILE = os.environ.get("MEDIA_X_SENDFILE", "") in ("1", "true", "yes")
