"""A LINE user id is never stored in clear (ADR 0120).

`user_hash` (a keyed HMAC) is what every table keys on: the chat, the feedback and complaint
rate limits (as the "device"), the link to a citizen's own space. Pushing a complaint's news
needs the id itself, so a complaint filed from LINE keeps it sealed (AES-GCM, key derived from
SECRET_KEY) until the complaint is done; the raw webhook event is sealed the same way from the
moment it is stored until it is handled.
"""

import base64
import functools
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.crypto import salted_hmac

_AAD = b"line_channel.user_id"


def user_hash(user_id: str) -> str:
    return salted_hmac("line_channel.user", user_id or "", algorithm="sha256").hexdigest()


@functools.cache
def _cipher(secret_key: str) -> AESGCM:
    key = salted_hmac("line_channel.seal", "aes-256-gcm", secret=secret_key, algorithm="sha256")
    return AESGCM(key.digest())


def seal(user_id: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(settings.SECRET_KEY).encrypt(nonce, user_id.encode(), _AAD)
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str) -> str:
    """Raises ValueError when the token was not sealed with this SECRET_KEY."""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        return _cipher(settings.SECRET_KEY).decrypt(raw[:12], raw[12:], _AAD).decode()
    except Exception as error:  # InvalidTag, binascii.Error, UnicodeError
        raise ValueError("not a sealed LINE user id") from error
