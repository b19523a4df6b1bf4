"""Local development and the `script/server` demo: embedded SQLite, mail written to var/mail."""

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# The demo signs citizens in through its own OpenID provider at /demo-thaid/ (ADR 0110).
THAID_DEMO_PROVIDER = env_bool("THAID_DEMO_PROVIDER", True)
