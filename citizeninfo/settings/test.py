"""Test settings: in-memory SQLite unless DATABASE_URL points at PostgreSQL (as CI does)."""

import os

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import DATABASES

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
GOVERNMENT_EMAIL_DOMAINS = ["go.th", "mail.go.th"]
THAID_DEMO_PROVIDER = True
CITIZEN_SMS_BACKEND = "memory"
