"""Production: `script/web` (Granian) behind TLS, PostgreSQL from DATABASE_URL, a task worker beside it."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import MEDIA_STORAGE, env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").strip().rstrip("/")
if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", PUBLIC_BASE_URL):
    raise ImproperlyConfigured(
        "Set PUBLIC_BASE_URL to the address citizens reach the portal at, e.g. https://info.go.th "
        "(QR posters, open data and emailed links are built from it)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "info.go.th")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Citizens sign in through the real ThaiD only; the demo provider is refused (ADR 0110).
if env_bool("THAID_DEMO_PROVIDER", False):
    raise ImproperlyConfigured("THAID_DEMO_PROVIDER is for the demo and tests only.")
THAID_DEMO_PROVIDER = False
CITIZEN_SMS_BACKEND = os.environ.get("CITIZEN_SMS_BACKEND", "")
THAID_CLIENT_ID = os.environ.get("THAID_CLIENT_ID", "")
THAID_CLIENT_SECRET = os.environ.get("THAID_CLIENT_SECRET", "")
