"""Feedback for tests: `submit(point, overall=5, ...)` goes through the service, so the
per-day figures stay consistent with the answers."""

import itertools
from typing import Any

from feedback.services import response_submit

_counter = itertools.count(1)

ANSWER = {
    "overall": 5,
    "process": 4,
    "staff": 5,
    "facilities": 3,
    "outcome": 4,
    "asked_for_copy": False,
}


def answer(**overrides: Any) -> dict[str, Any]:
    return {**ANSWER, **overrides}


def submit(
    point, *, service=None, device_token: str | None = None, ip: str | None = None, **overrides: Any
):
    """A counted answer from a fresh device and network unless told otherwise."""
    n = next(_counter)
    return response_submit(
        point=point,
        service=service,
        device_token=device_token if device_token is not None else f"device-{n}",
        ip=ip if ip is not None else f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        **answer(**overrides),
    )


def form_post(**overrides: Any) -> dict[str, str]:
    """What the citizen's browser posts."""
    data = {
        "service": "other",
        "service_other": "",
        "overall": "5",
        "process": "4",
        "staff": "5",
        "facilities": "3",
        "outcome": "4",
        "asked_for_copy": "no",
        "comment": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "website": "",
    }
    data.update({k: str(v) for k, v in overrides.items()})
    return data
