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
    "django_prometheus",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "citizens",
    "line_channel",
]

MIDDLEWARE = [
    # First: the request id is on every log line of the request (core/observability.py).
    "core.observability.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff two-factor (ADR 0131): who has verified a code, and who must before going on.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "citizens.middleware.CitizenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last but the metrics: chooses the replica for the heavy public reads (core/db_router.py).
    "core.db_router.ReplicaMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "citizens.context_processors.citizen",
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
    # PgBouncer in transaction mode cannot keep a server-side cursor across transactions.
    if env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", False):
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
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

# A PostgreSQL streaming replica for the heavy public reads (core/db_router.py, ADR 0130).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == DATABASES["default"]["ENGINE"]:
        DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
        if DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS"):
            DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Tests never read a real standby: the replica alias is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# Heavy public reads go to the replica when there is one (off: everything reads the primary).
DATABASE_REPLICA_READS = env_bool("DATABASE_REPLICA_READS", True)
# After a write, that browser reads the primary for this many seconds (read-your-writes).
DATABASE_READ_YOUR_WRITES = env_bool("DATABASE_READ_YOUR_WRITES", True)
DATABASE_READ_YOUR_WRITES_SECONDS = int(os.environ.get("DATABASE_READ_YOUR_WRITES_SECONDS", "30"))
# A replica that failed to answer is not asked again by that process for this long.
DATABASE_REPLICA_RETRY_SECONDS = int(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "30"))

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
# Uploaded files: the local file system (MEDIA_ROOT) unless S3_BUCKET names a bucket of
# S3-compatible object storage, which every web node then shares (django-storages, ADR 0130).
# The bucket stays private: files still go out through core.media's access check.
if os.environ.get("S3_BUCKET"):
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # Unset: boto3's own chain (AWS_* variables, the machine's role).
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": 300,
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
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

# Redis, when REDIS_URL is set, is the cache every web node shares: the map's version, the
# in-process caches' versions, the rate limits' counters (core/ratelimit.py) and the sessions'
# fast copy. An outage is a cache miss, not an error (core/cache.py, ADR 0130); sessions stay
# in the database too (cached_db), so a Redis restart signs no one out.
REDIS_RETRY_SECONDS = int(os.environ.get("REDIS_RETRY_SECONDS", "5"))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "citizeninfo"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# How often (seconds) a process asks the shared cache whether another process changed what a
# shared in-process cache holds (core/memo.py): the most another node's copy lags a write.
PROCESS_CACHE_SYNC_SECONDS = float(os.environ.get("PROCESS_CACHE_SYNC_SECONDS", "1"))

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
# Staff two-factor sign-in (ADR 0131): these roles must use an authenticator app; other
# staff may choose to. Comma-separated User.Role values; empty: nobody is made to.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "ega_admin,agency_admin")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "CITIZENinfo")
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

# Logs: plain text by default; LOG_FORMAT=json for one JSON object per line, every record
# carrying the request id (core/observability.py). LOG_REQUESTS=1 adds a line per request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOG_REQUESTS = env_bool("LOG_REQUESTS", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # Authlib logs PKCE verifiers and token requests at DEBUG: tokens are never logged.
        "authlib": {"level": "INFO"},
    },
}

# Operators (core/operators.py): /metrics and /healthz's details answer only requests whose
# every address is inside these networks; HEALTHZ_TOKEN (Bearer) opens the details elsewhere.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
# /healthz says "degraded" past these (the load balancer still keeps the node: status 200).
HEALTHZ_TASK_AGE_SECONDS = int(os.environ.get("HEALTHZ_TASK_AGE_SECONDS", "300"))
HEALTHZ_REPLICA_LAG_SECONDS = int(os.environ.get("HEALTHZ_REPLICA_LAG_SECONDS", "30"))
# Prometheus metrics at /metrics (django-prometheus), to the operators' network only. With
# several worker processes per node set PROMETHEUS_MULTIPROC_DIR to an empty folder.
METRICS_ENABLED = env_bool("METRICS_ENABLED", True)

# Sign-in (issue 17): every failed attempt computes this many password hashes, whatever the
# identifier, and the agency identity tries at most this many members (ADR 0007).
SIGN_IN_AGENCY_MEMBERS_TRIED = int(os.environ.get("SIGN_IN_AGENCY_MEMBERS_TRIED", "3"))

# Uploaded files go out through core.media's access check. Behind nginx, set
# MEDIA_ACCEL_REDIRECT to an `internal` location that maps to MEDIA_ROOT (e.g.
# "/protected-media/"); behind Apache or lighttpd, MEDIA_X_SENDFILE=1.
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
MEDIA_X_SENDFILE = os.environ.get("MEDIA_X_SENDFILE", "") in ("1", "true", "yes")

# --- The citizen's own space (issue 14, ADR 0110) ---
# ThaiD (DOPA) as the OpenID provider. Without THAID_DISCOVERY_URL the demo's own provider at
# /demo-thaid/ is used when THAID_DEMO_PROVIDER is on (script/server, tests), else sign-in is off.
THAID_DISCOVERY_URL = os.environ.get("THAID_DISCOVERY_URL", "")
THAID_CLIENT_ID = os.environ.get("THAID_CLIENT_ID", "citizeninfo-demo")
THAID_CLIENT_SECRET = os.environ.get("THAID_CLIENT_SECRET", "demo-client-secret-not-for-production")
THAID_SCOPE = os.environ.get("THAID_SCOPE", "openid pid name name_en birthdate")
# Refuse sign-ins below this identity assurance level ("" accepts whatever ThaiD sends).
THAID_MIN_IAL = os.environ.get("THAID_MIN_IAL", "")
# The demo's local OpenID provider (citizens/demo_provider.py): never in production.
THAID_DEMO_PROVIDER = env_bool("THAID_DEMO_PROVIDER", False)
# The portal's copy of the GDX members' pseudonym key (base64, 32+ bytes): how a citizen's ID
# becomes the pseudonym the hub logs. The demo's is written by `manage.py gdx_demo_setup`.
CITIZEN_PSEUDONYM_KEY_FILE = os.environ.get(
    "CITIZEN_PSEUDONYM_KEY_FILE", str(VAR_DIR / "gdx-nodes" / "pseudonym.key")
)
# A citizen's session ends after this many seconds without a request (staff keep Django's).
CITIZEN_SESSION_SECONDS = int(os.environ.get("CITIZEN_SESSION_SECONDS", "1800"))
# Retention enforced by `manage.py citizens_retention` (in `nightly`), see docs/privacy.md.
CITIZEN_INACTIVE_DAYS = int(os.environ.get("CITIZEN_INACTIVE_DAYS", "730"))
CITIZEN_CODE_MINUTES = int(os.environ.get("CITIZEN_CODE_MINUTES", "15"))
COMPLAINT_CONTACT_RETENTION_DAYS = int(os.environ.get("COMPLAINT_CONTACT_RETENTION_DAYS", "730"))
FEEDBACK_CONTACT_RETENTION_DAYS = int(os.environ.get("FEEDBACK_CONTACT_RETENTION_DAYS", "365"))
# Where phone confirmation codes go: "file" writes them to var/sms/ (demo), "" turns phone
# linking off (production until an SMS gateway is wired in citizens/sms.py).
CITIZEN_SMS_BACKEND = os.environ.get("CITIZEN_SMS_BACKEND", "file")
CITIZEN_SMS_DIR = os.environ.get("CITIZEN_SMS_DIR", str(VAR_DIR / "sms"))
# Whom citizens ask about their personal data (the privacy notice).
DATA_PROTECTION_EMAIL = os.environ.get("DATA_PROTECTION_EMAIL", "dpo@ega.or.th")
