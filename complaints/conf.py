"""Complaint settings: Django settings, else environment variables of the same name.

COMPLAINTS_DEVICE_LIMIT_PER_HOUR    complaints one device may file in an hour before they are held
COMPLAINTS_NETWORK_LIMIT_PER_HOUR   the same for one network address (offices share one)
COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR  beyond this a network is refused (HTTP 429)
COMPLAINTS_QUESTIONNAIRE_DAYS       days after "fixed" the reporter is asked if it still is
COMPLAINTS_NEARBY_METRES            how far "me too" looks for open complaints of the category
COMPLAINTS_CACHE_SECONDS            how long a process keeps its copy of the categories and of
                                    the deadlines (0: no copy; ADR 0101)
"""

import os

from django.conf import settings

from core.mail import public_base_url

DEFAULTS = {
    "COMPLAINTS_DEVICE_LIMIT_PER_HOUR": 3,
    "COMPLAINTS_NETWORK_LIMIT_PER_HOUR": 30,
    "COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR": 300,
    "COMPLAINTS_QUESTIONNAIRE_DAYS": 28,
    "COMPLAINTS_NEARBY_METRES": 100,
    "COMPLAINTS_CACHE_SECONDS": 300,
}


def get(name: str) -> int:
    if hasattr(settings, name):
        return int(getattr(settings, name))
    value = os.environ.get(name)
    return DEFAULTS[name] if not value else int(value)


def base_url() -> str:
    """Where links in complaint mail point: the portal's configured public address (never the
    request's Host header)."""
    return public_base_url()
