"""Local development and the `script/server` demo: embedded SQLite, mail written to var/mail."""

from citizeninfo.settings.base import *  # noqa: F403
from citizeninfo.settings.base import MEDIA_STORAGE, env_bool, env_list

DEBUG = env_bool("DEBUG", True)
# The demo's administrators sign in with the password alone (a tester may have no
# authenticator app); production requires two-factor of EGA and agency administrators.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "")
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# The demo signs citizens in through its own OpenID provider at /demo-thaid/ (ADR 0110).
THAID_DEMO_PROVIDER = env_bool("THAID_DEMO_PROVIDER", True)
