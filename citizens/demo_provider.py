"""The demo's own OpenID provider, standing in for ThaiD (on only with THAID_DEMO_PROVIDER).

Built on Authlib's authorization server: discovery, JWKS, the authorization-code flow with
PKCE required and a nonce required, ID tokens signed RS256 with a key kept in
var/demo-thaid/. Its "citizens" are the first people of the sample civil registry that the
demo GDX provider node serves, so an exchange about them shows under "who read my data".
Codes live in Django's cache for 5 minutes and are used once.
"""

import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from joserfc.jwk import RSAKey

from citizens import thaid
from exchange import demo

CODE_SECONDS = 300
DEMO_CITIZENS = 3
_ROMAN = {
    "สมชาย": "Somchai", "สมศักดิ์": "Somsak", "ประเสริฐ": "Prasert", "วิชัย": "Wichai",
    "สุรชัย": "Surachai", "อนุชา": "Anucha", "ธนากร": "Thanakorn", "กิตติพงษ์": "Kittiphong",
    "ณัฐวุฒิ": "Nattawut", "พงศกร": "Phongsakorn", "สมหญิง": "Somying", "มาลี": "Malee",
    "วันเพ็ญ": "Wanphen", "สุภาพร": "Suphaporn", "กนกวรรณ": "Kanokwan", "ปิยะนุช": "Piyanuch",
    "ศิริพร": "Siriporn", "อรทัย": "Orathai", "ณัฐธิดา": "Nattida", "พิมพ์ชนก": "Pimchanok",
}  # fmt: skip


@dataclass(frozen=True)
class DemoCitizen:
    pid: str
    name_th: str
    name_en: str
    given_name: str
    family_name: str
    birthdate: str
    ial: str = "2.3"


@functools.cache
def demo_citizens() -> tuple[DemoCitizen, ...]:
    from agency_node.sample_provider import SampleCivilRegistry  # lazy: demo

    registry = SampleCivilRegistry(**demo.SAMPLE_OPTIONS)
    found = []
    for pid in registry.citizen_ids()[:DEMO_CITIZENS]:
        p = registry.people[pid]
        given_en = _ROMAN.get(p.first_name, "Demo")
        found.append(
            DemoCitizen(
                pid=pid,
                name_th=f"{p.title}{p.first_name} {p.last_name}",
                name_en=f"{given_en} (demo)",
                given_name=p.first_name,
                family_name=p.last_name,
                birthdate=p.birth_date.isoformat(),
            )
        )
    return tuple(found)


def citizen_by_pid(pid: str) -> DemoCitizen | None:
    return next((c for c in demo_citizens() if c.pid == pid), None)


# --- keys -------------------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-thaid" / "signing-key.json"


@functools.cache
def _signing_key_at(path: str) -> RSAKey:
    file = Path(path)
    if file.exists():
        return RSAKey.import_key(json.loads(file.read_text(encoding="utf-8")))
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(key.as_dict(private=True), fh)
    return key


def signing_key() -> RSAKey:
    return _signing_key_at(str(_key_file()))


def jwks() -> dict[str, Any]:
    return {"keys": [signing_key().as_dict(private=False)]}


def metadata() -> dict[str, Any]:
    issuer = thaid.demo_issuer()
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks.json",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "pid", "name", "name_en", "birthdate"],
        "claims_supported": [
            "sub", "pid", "name", "given_name", "family_name", "name_en", "birthdate", "ial",
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }  # fmt: skip


# --- the client and the codes ---------------------------------------------------------


class DemoClient:
    """The portal, registered with the demo provider by THAID_CLIENT_ID / _SECRET."""

    client_id = property(lambda self: settings.THAID_CLIENT_ID)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(metadata()["scopes_supported"])
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Any host (the demo runs at any HOST:PORT), but only the portal's own callback path.
        path = reverse("citizens:callback")
        return redirect_uri.startswith(("http://", "https://")) and (
            redirect_uri.split("?", 1)[0].endswith(path)
        )

    def check_client_secret(self, client_secret: str) -> bool:
        return constant_time_compare(client_secret, settings.THAID_CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    pid: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


def _code_key(code: str) -> str:
    return f"demo-thaid:code:{code}"


def _nonce_key(nonce: str) -> str:
    return f"demo-thaid:nonce:{nonce}"


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request) -> None:
        data = request.payload.data
        cache.set(
            _code_key(code),
            Code(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope,
                pid=request.user.pid,
                nonce=data.get("nonce", ""),
                code_challenge=data.get("code_challenge", ""),
                code_challenge_method=data.get("code_challenge_method", ""),
            ),
            CODE_SECONDS,
        )
        if data.get("nonce"):
            cache.set(_nonce_key(data["nonce"]), 1, CODE_SECONDS * 2)

    def query_authorization_code(self, code: str, client) -> Code | None:
        found = cache.get(_code_key(code))
        if isinstance(found, Code) and found.client_id == client.get_client_id():
            return found
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        cache.delete(_code_key(authorization_code.code))

    def authenticate_user(self, authorization_code: Code) -> DemoCitizen | None:
        return citizen_by_pid(authorization_code.pid)


class DemoOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request) -> bool:
        # A nonce a code was already issued for is refused (replay).
        return cache.get(_nonce_key(nonce)) is not None

    def resolve_client_private_key(self, client):
        return signing_key()

    def get_client_algorithm(self, client) -> str:
        return "RS256"

    def get_client_claims(self, client) -> dict[str, Any]:
        return {"iss": thaid.demo_issuer(), "aud": [client.get_client_id()]}

    def get_encode_header(self, client) -> dict[str, Any]:
        return {"alg": "RS256", "kid": signing_key().kid}

    def generate_user_info(self, user: DemoCitizen, scope: str) -> UserInfo:
        scopes = set(scope.split())
        info = UserInfo(sub=f"demo-{user.pid[-4:]}-{user.pid[:4]}", ial=user.ial)
        if "pid" in scopes:
            info["pid"] = user.pid
        if "name" in scopes:
            info.update(name=user.name_th, given_name=user.given_name, family_name=user.family_name)
        if "name_en" in scopes:
            info["name_en"] = user.name_en
        if "birthdate" in scopes:
            info["birthdate"] = user.birthdate
        return info


class DemoServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(client_model=None, token_model=None)
        self.register_grant(
            CodeGrant, [CodeChallenge(required=True), DemoOpenIDCode(require_nonce=True)]
        )

    def query_client(self, client_id: str) -> DemoClient | None:
        client = DemoClient()
        return client if client_id and constant_time_compare(client_id, client.client_id) else None

    def save_token(self, token: dict[str, Any], request) -> None:
        """Access tokens are not kept: the demo has no userinfo or API to spend them on."""


@functools.cache
def server() -> DemoServer:
    return DemoServer()


__all__ = ["OAuth2Error", "demo_citizens", "jwks", "metadata", "server"]
