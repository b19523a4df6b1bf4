import base64
import hashlib
import hmac
import itertools
import json
import time

import pytest

from line_channel.tests import standin as standin_module

SECRET = "test-channel-secret"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"
_ids = itertools.count(1)


@pytest.fixture
def standin():
    server = standin_module.start()
    yield server
    assert server.server is not None
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def line(settings, standin, tmp_path):
    settings.LINE_CHANNEL_SECRET = SECRET
    settings.LINE_CHANNEL_ACCESS_TOKEN = "test-access-token"
    settings.LINE_API_BASE_URL = standin.url
    settings.LINE_DATA_API_BASE_URL = standin.url
    settings.PUBLIC_BASE_URL = "https://info.example.go.th"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return standin


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event(kind: str = "message", *, user: str = USER, redelivery: bool = False, **fields):
    n = next(_ids)
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": f"01HLINETEST{n:015d}",
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": f"reply-token-{n}",
        **fields,
    }


def message(content: dict, **kwargs):
    n = next(_ids)
    return event(
        "message", message={"id": str(100000 + n), "quoteToken": f"q{n}", **content}, **kwargs
    )


def location(lat: float, lon: float, **kwargs):
    return message(
        {"type": "location", "latitude": lat, "longitude": lon, "address": "กรุงเทพ"}, **kwargs
    )


def text(body: str, **kwargs):
    return message({"type": "text", "text": body}, **kwargs)


def image(message_id: str, **kwargs):
    return event(
        "message",
        message={
            "id": message_id,
            "quoteToken": "qi",
            "contentProvider": {"type": "line"},
            "type": "image",
        },
        **kwargs,
    )


def postback(data: str, **kwargs):
    return event("postback", postback={"data": data}, **kwargs)


def post(client, *events, secret: str = SECRET, signature: str | None = None):
    body = json.dumps({"destination": "Ubot", "events": list(events)}).encode()
    return client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": signature if signature is not None else sign(body, secret)},
    )


def linked_citizen(user: str = USER, *, pseudonym: str = "a" * 64, email: str = ""):
    """A citizen whose space the LINE user linked (through the services, as the flow does)."""
    from django.utils import timezone

    from citizens.models import Citizen, CitizenContact
    from line_channel import services

    citizen = Citizen.objects.create(pseudonym=pseudonym, name_th="นายทดสอบ")
    if email:
        CitizenContact.objects.create(
            citizen=citizen, kind="email", value=email, confirmed_at=timezone.now()
        )
    nonce = services.line_link_begin(citizen=citizen)
    assert services.line_link_complete(user_id=user, nonce=nonce, ok=True) == citizen
    return citizen
