"""Local development and the `script/server` demo: embedded SQLite, mail written to var/mail."""

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
