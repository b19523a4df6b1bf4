"""LINE channel settings: Django settings, else environment variables of the same name.

LINE_CHANNEL_SECRET          the channel secret (signs webhooks); empty: the channel is off
LINE_CHANNEL_ACCESS_TOKEN    the long-lived channel access token; empty: the channel is off
LINE_API_BASE_URL            the Messaging API (tests point it at a local stand-in)
LINE_DATA_API_BASE_URL       the content API (photos, rich-menu images)
LINE_PUSH_MONTHLY_QUOTA      pushes a month before state changes go by email only (ADR 0121)
LINE_CONVERSATION_MINUTES    how long a half-finished chat (rating, report) is remembered
LINE_BOT_BASIC_ID            the Official Account's basic ID ("@citizeninfo"): /me/ opens the
                             chat with it to link LINE (optional; without it /me/ says how)
"""

import os

from django.conf import settings

DEFAULTS: dict[str, str] = {
    "LINE_CHANNEL_SECRET": "",
    "LINE_CHANNEL_ACCESS_TOKEN": "",
    "LINE_API_BASE_URL": "https://api.line.me",
    "LINE_DATA_API_BASE_URL": "https://api-data.line.me",
    # LINE Official Account Thailand's free plan: 300 messages a month (ADR 0121).
    "LINE_PUSH_MONTHLY_QUOTA": "300",
    "LINE_CONVERSATION_MINUTES": "30",
    "LINE_BOT_BASIC_ID": "",
}


def get(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or DEFAULTS[name]
    return str(value)


def get_int(name: str) -> int:
    return int(get(name))


def enabled() -> bool:
    """The channel is on only with both credentials."""
    return bool(get("LINE_CHANNEL_SECRET") and get("LINE_CHANNEL_ACCESS_TOKEN"))
