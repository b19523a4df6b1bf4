"""Domain-separated signatures over canonical JSON.

Every signature covers ``b"gdx/v1/<label>\\x00" || canonical_json(body)`` so a
signature made for one message kind can never be replayed as another.
"""

from __future__ import annotations

from typing import Any

from .encoding import canonical_json

LABEL_REQUEST = "request"
LABEL_FORWARD = "forward"
LABEL_RESPONSE = "response"
LABEL_DOCUMENT = "document"
LABEL_DIRECTORY = "directory"
LABEL_STH = "sth"

INFO_REQUEST_SUBJECT = "request-subject"
INFO_RESPONSE = "response-document"


def signed_message(label: str, body: Any) -> bytes:
    return b"gdx/v1/" + label.encode("ascii") + b"\x00" + canonical_json(body)


def hpke_info(label: str, header: Any) -> bytes:
    """HPKE ``info``: binds the canonical routing header into the key schedule."""
    return b"gdx/v1/hpke/" + label.encode("ascii") + b"\x00" + canonical_json(header)
