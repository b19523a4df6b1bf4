"""Feedback settings: Django settings, else environment variables of the same name.

FEEDBACK_DEVICE_LIMIT_PER_HOUR     answers one device may give in an hour before they are held
FEEDBACK_NETWORK_LIMIT_PER_HOUR    the same for one network address (offices share one)
FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR  beyond this a network is refused (HTTP 429), not held
FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR  answers one network may give for ONE point in an hour
                                   before they are held: a burst from one machine cannot move a
                                   point's public figure by more than this (below
                                   FEEDBACK_PUBLIC_MIN_RESPONSES, so it cannot make one appear)
FEEDBACK_DUPLICATE_WINDOW_MINUTES  a second answer from a device for the same point is held
FEEDBACK_PUBLIC_MIN_RESPONSES      the public sees a point's figures from this many answers
FEEDBACK_HASH_RETENTION_DAYS       device and network hashes are blanked after this
FEEDBACK_TARGET_CACHE_SECONDS      how long a process keeps the published points and agencies'
                                   services in memory for the citizen's page (0: never; ADR 0044)
(The client address comes from the project-wide CLIENT_IP_META setting, as for the audit log.)
"""

import os

from django.conf import settings

DEFAULTS = {
    "FEEDBACK_DEVICE_LIMIT_PER_HOUR": 5,
    "FEEDBACK_NETWORK_LIMIT_PER_HOUR": 60,
    "FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR": 600,
    "FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR": 5,
    "FEEDBACK_DUPLICATE_WINDOW_MINUTES": 30,
    "FEEDBACK_PUBLIC_MIN_RESPONSES": 10,
    "FEEDBACK_HASH_RETENTION_DAYS": 30,
    "FEEDBACK_TARGET_CACHE_SECONDS": 300,
}


def get(name: str):
    """Django settings first, then the environment variable of the same name, then the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    default = DEFAULTS[name]
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return int(value) if isinstance(default, int) else value
