"""Local development and the `script/server` demo: embedded SQLite, mail written to var/mail."""

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import MEDIA_STORAGE, env_bool

DEBUG = env_bool("DEBUG", True)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
