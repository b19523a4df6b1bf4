"""The only door to LINE's Messaging API: the maintained SDK (`linebot.v3`), pointed at
LINE_API_BASE_URL / LINE_DATA_API_BASE_URL (tests start a local stand-in there)."""

import functools
from collections.abc import Sequence
from typing import Any

from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import SignatureValidator

from line_channel import conf

TIMEOUT = 10  # seconds, per call
ApiError = ApiException


@functools.cache
def _validator(secret: str) -> SignatureValidator:
    return SignatureValidator(secret)


def signature_valid(body: str, signature: str) -> bool:
    """The SDK's check of X-Line-Signature (HMAC-SHA256 of the body with the secret)."""
    return bool(signature) and _validator(conf.get("LINE_CHANNEL_SECRET")).validate(body, signature)


def parser() -> WebhookParser:
    return WebhookParser(conf.get("LINE_CHANNEL_SECRET"))


def _configuration(base_url: str) -> Configuration:
    return Configuration(
        host=base_url.rstrip("/"), access_token=conf.get("LINE_CHANNEL_ACCESS_TOKEN")
    )


def messaging() -> tuple[ApiClient, MessagingApi]:
    api_client = ApiClient(_configuration(conf.get("LINE_API_BASE_URL")))
    return api_client, MessagingApi(api_client)


def reply(reply_token: str, messages: Sequence[Any]) -> None:
    api_client, api = messaging()
    with api_client:
        api.reply_message(
            ReplyMessageRequest(reply_token=reply_token, messages=list(messages)[:5]),
            _request_timeout=TIMEOUT,
        )


def push(user_id: str, messages: Sequence[Any], *, retry_key: str) -> None:
    """A retried push with the same key is delivered once (X-Line-Retry-Key)."""
    api_client, api = messaging()
    with api_client:
        api.push_message(
            PushMessageRequest(to=user_id, messages=list(messages)[:5]),
            x_line_retry_key=retry_key,
            _request_timeout=TIMEOUT,
        )


def blob() -> tuple[ApiClient, MessagingApiBlob]:
    """The content API (a host of its own)."""
    api_client = ApiClient(_configuration(conf.get("LINE_DATA_API_BASE_URL")))
    return api_client, MessagingApiBlob(api_client)


def content(message_id: str) -> bytes:
    """A photo the citizen sent, from LINE's content API."""
    api_client, api = blob()
    with api_client:
        return bytes(api.get_message_content(message_id, _request_timeout=TIMEOUT))


def profile_language(user_id: str) -> str:
    """ "en" for users whose LINE is in English, else "th" (also when LINE does not say)."""
    api_client, api = messaging()
    try:
        with api_client:
            profile = api.get_profile(user_id, _request_timeout=TIMEOUT)
    except ApiException:
        return "th"
    return "en" if (profile.language or "").lower().startswith("en") else "th"


def link_token(user_id: str) -> str:
    """LINE's account link: a link token for this user (valid 10 minutes, one use)."""
    api_client, api = messaging()
    with api_client:
        return api.issue_link_token(user_id, _request_timeout=TIMEOUT).link_token


def link_rich_menu(user_id: str, rich_menu_id: str) -> None:
    api_client, api = messaging()
    with api_client:
        api.link_rich_menu_id_to_user(user_id, rich_menu_id, _request_timeout=TIMEOUT)
