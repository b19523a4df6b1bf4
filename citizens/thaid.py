"""ThaiD sign-in: the portal as an OpenID Connect relying party, through Authlib (ADR 0110).

Authlib does the protocol: discovery, the authorization-code flow with PKCE (S256), `state`
and `nonce` kept in the session and checked, the ID token's signature checked against the
provider's JWKS, and its `iss`, `aud`, `exp` and `nonce`. This module only says where the
provider is and turns the verified claims into `Claims`. Tokens are never stored or logged:
the access token is dropped once the claims are read.
"""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.mail import public_base_url
from core.memo import ProcessCache

log = logging.getLogger(__name__)

DEMO_PREFIX = "demo-thaid"
# One Authlib client per configuration: it keeps the discovery document and the JWKS it read.
_clients: ProcessCache[Any] = ProcessCache("citizens.thaid_clients", max_entries=8)


class SignInFailedError(Exception):
    """The provider refused, the user cancelled, or a check (state, nonce, signature) failed.
    `code` is a short word safe to log and show; never a token."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Claims:
    pid: str
    name_th: str
    name_en: str
    birthdate: str
    ial: str


def demo_issuer() -> str:
    return public_base_url() + DEMO_PREFIX


def discovery_url() -> str:
    if settings.THAID_DISCOVERY_URL:
        return settings.THAID_DISCOVERY_URL
    if settings.THAID_DEMO_PROVIDER:
        return demo_issuer() + "/.well-known/openid-configuration"
    return ""


def is_configured() -> bool:
    return bool(discovery_url() and settings.THAID_CLIENT_ID)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def form_action_origins() -> list[str]:
    """Where the sign-in form's POST is redirected: the page's CSP `form-action` must allow it,
    because browsers apply it to a form's redirects too (Chrome blocks the hop to ThaiD
    otherwise). The provider's origin, and its authorization endpoint's once Authlib has read
    the discovery document (without fetching it here)."""
    origins = {_origin(discovery_url())}
    client = _clients.get((discovery_url(), settings.THAID_CLIENT_ID, settings.THAID_CLIENT_SECRET))
    metadata = getattr(client, "server_metadata", None) or {}
    origins.add(_origin(str(metadata.get("authorization_endpoint", ""))))
    return sorted(origin for origin in origins if origin)


def _client():
    key = (discovery_url(), settings.THAID_CLIENT_ID, settings.THAID_CLIENT_SECRET)
    client = _clients.get(key)
    if client is None:
        oauth = OAuth()
        oauth.register(
            "thaid",
            client_id=settings.THAID_CLIENT_ID,
            client_secret=settings.THAID_CLIENT_SECRET,
            server_metadata_url=key[0],
            client_kwargs={
                "scope": settings.THAID_SCOPE,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": 15,
            },
        )
        client = _clients.set(key, oauth.create_client("thaid"))
    return client


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider; state, nonce and the PKCE verifier go to the session."""
    try:
        return _client().authorize_redirect(request, redirect_uri)
    except (OAuthError, OSError, ValueError) as error:
        log.warning("ThaiD sign-in could not start: %s", type(error).__name__)
        raise SignInFailedError("provider_unreachable") from error


def finish(request: HttpRequest) -> Claims:
    """Checks the callback (state), redeems the code with the verifier, verifies the ID token
    (signature, iss, aud, exp, nonce) and returns its claims."""
    if request.GET.get("error"):
        raise SignInFailedError(
            "cancelled" if request.GET["error"] == "access_denied" else "refused"
        )
    try:
        token = _client().authorize_access_token(request)
    except OAuthError as error:
        # error.error is the OAuth error code ("mismatching_state", "invalid_grant"...);
        # its description may echo request data, so only the code is logged.
        log.warning("ThaiD sign-in refused: %s", error.error)
        raise SignInFailedError(str(error.error or "refused")) from None
    except (OSError, ValueError) as error:
        log.warning("ThaiD sign-in failed: %s", type(error).__name__)
        raise SignInFailedError("provider_unreachable") from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailedError("no_id_token")
    return claims_from(dict(claims))


def _text(claims: dict[str, Any], *names: str) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def claims_from(claims: dict[str, Any]) -> Claims:
    """ThaiD's claims: `pid`, `name`/`given_name`+`family_name` (Thai), `name_en` (or
    `given_name_en`+`family_name_en`), `birthdate`, `ial`."""
    name_th = _text(claims, "name") or " ".join(
        p for p in (_text(claims, "given_name"), _text(claims, "family_name")) if p
    )
    name_en = _text(claims, "name_en") or " ".join(
        p for p in (_text(claims, "given_name_en"), _text(claims, "family_name_en")) if p
    )
    ial = claims.get("ial")
    return Claims(
        pid=_text(claims, "pid"),
        name_th=name_th[:200],
        name_en=name_en[:200],
        birthdate=_text(claims, "birthdate"),
        ial=str(ial)[:8] if ial is not None else "",
    )
