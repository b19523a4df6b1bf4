"""The portal's side of the GDX pseudonym: the citizen's ID → the hub log's keyed hash.

Uses the members' pseudonym key (CITIZEN_PSEUDONYM_KEY_FILE), so a signed-in citizen finds
exactly the log entries member nodes wrote about them; the ID itself is dropped at once.
"""

from pathlib import Path

from django.conf import settings

from gdx_protocol import citizen_pseudonym
from gdx_protocol.encoding import b64d
from gdx_protocol.errors import GdxError
from gdx_protocol.thai_id import thai_id_is_valid


class PseudonymKeyMissingError(Exception):
    """No pseudonym key is configured: citizens cannot sign in."""


def pseudonym_key() -> bytes:
    path = Path(settings.CITIZEN_PSEUDONYM_KEY_FILE)
    try:
        return b64d(path.read_text(encoding="utf-8").strip(), field="pseudonym")
    except (OSError, ValueError, GdxError) as error:
        raise PseudonymKeyMissingError(str(path)) from error


def is_thai_id(value: object) -> bool:
    return thai_id_is_valid(value)


def pseudonym_for(citizen_id: str) -> str:
    return citizen_pseudonym(pseudonym_key(), citizen_id)
