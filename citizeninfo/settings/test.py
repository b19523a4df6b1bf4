"""Test settings: in-memory SQLite unless DATABASE_URL points at PostgreSQL (as CI does)."""

import os
import tempfile

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import DATABASES

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
# A stand-in "replica": a second SQLite database, set up only by the tests that ask for it
# (core/tests/test_db_router.py), which also turn the replica reads on.
DATABASES["replica"] = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": ":memory:",
    "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"citizeninfo-replica-{os.getpid()}.db")},
}
DATABASE_REPLICA_READS = False
# The tests of other apps sign administrators in without an authenticator; the two-factor
# tests (accounts/tests/test_two_factor.py) turn the requirement on.
TWO_FACTOR_REQUIRED_ROLES: list[str] = []
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
