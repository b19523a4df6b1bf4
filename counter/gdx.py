"""Asking the civil registration through the agency's own GDX node (its loopback POST /request,
the node's public client API). The hub only routes ciphertext; the node decrypts.

Where the node is: `COUNTER_GDX_NODES` (agency code → {"url": ..., "token": ...}), or in the
demo the node config `gdx_demo_setup` wrote for that agency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from exchange import selectors
from exchange.models import AuditLogLeaf
from gdx_protocol.errors import GdxError

DOCUMENT_TYPES = {
    "person_record": _("Person record (civil registration)"),
    "house_registration": _("House registration"),
    "juristic_person": _("Juristic person's record"),
}

MESSAGES = {
    "not_found": _("The registry has no record for this ID. Check the number, or read the card."),
    "no_access_right": _(
        "Your agency has no GDX right for this document and purpose. Read the card instead, "
        "and ask EGA for the right."
    ),
    "provider_unreachable": _(
        "The registry does not answer now. Read the card instead, or try again in a minute."
    ),
    "node_unreachable": _(
        "Your agency's GDX node does not answer. Read the card instead, and tell your IT staff."
    ),
    "no_node": _("Your agency has no GDX node set up. Read the card instead."),
    "incomplete": _("The registry's answer lacks some fields; fill them from the card."),
    "error": _("The registry could not be asked. Read the card instead."),
}


class GdxLookupError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code if code in MESSAGES else "error"
        self.detail = detail

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])


@dataclass
class GdxAnswer:
    request_id: str
    document_type: str
    values: dict[str, str]
    missing: list[str] = field(default_factory=list)


def node_for(agency) -> tuple[str, str] | None:
    nodes = getattr(settings, "COUNTER_GDX_NODES", None) or {}
    if isinstance(nodes, str):
        try:
            nodes = json.loads(nodes)
        except ValueError:
            nodes = {}
    entry = nodes.get(agency.code) if isinstance(nodes, dict) else None
    if isinstance(entry, dict) and entry.get("url"):
        return str(entry["url"]).rstrip("/"), str(entry.get("token", ""))
    from exchange import demo  # lazy: demo

    cfg = demo.load_node_config(agency.code)
    if cfg and cfg.get("local_token"):
        return f"http://127.0.0.1:{cfg['listen_port']}", str(cfg["local_token"])
    return None


def _address_line(addr: Any) -> str:
    if not isinstance(addr, dict):
        return ""
    parts = [
        addr.get("house_no"),
        f"หมู่ {addr['moo']}" if addr.get("moo") else None,
        addr.get("soi"),
        addr.get("road"),
        addr.get("subdistrict"),
        addr.get("district"),
        addr.get("province"),
        addr.get("postcode"),
    ]
    return " ".join(str(p) for p in parts if p)


def form_values(document_type: str, citizen_id: str, doc: dict[str, Any]) -> dict[str, str]:
    """The registry's document in the counter form's fields (empty where it says nothing)."""
    if document_type == "person_record":
        name = f"{doc.get('title') or ''}{doc.get('first_name') or ''} {doc.get('last_name') or ''}"
        return {
            "citizen_id": str(doc.get("citizen_id") or ""),
            "name_th": name.strip() if doc.get("first_name") and doc.get("last_name") else "",
            "birth_date": str(doc.get("birth_date") or ""),
            "address": _address_line(doc.get("address")),
        }
    if document_type == "house_registration":
        members = doc.get("members") if isinstance(doc.get("members"), list) else []
        names = [str(m.get("name", "")) for m in members if isinstance(m, dict)]
        return {
            "citizen_id": citizen_id,
            "address": _address_line(doc.get("address")),
            "house_members": "; ".join(n for n in names if n),
        }
    return {
        "citizen_id": str(doc.get("juristic_id") or ""),
        "juristic": " ".join(str(p) for p in (doc.get("name"), doc.get("status")) if p),
        "address": _address_line(doc.get("address")),
    }


def lookup(
    *, agency, document_type: str, citizen_id: str, purpose: str, officer: str, legal_basis: str
) -> GdxAnswer:
    node = node_for(agency)
    if node is None:
        raise GdxLookupError("no_node")
    url, token = node
    body = json.dumps(
        {
            "document_type": document_type,
            "citizen_id": citizen_id,
            "purpose": purpose,
            "officer": officer,
            "legal_basis": legal_basis,
        }
    ).encode()
    if not url.startswith(("http://", "https://")):
        raise GdxLookupError("no_node", "node URL must be http(s)")
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        url + "/request",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    timeout = float(getattr(settings, "COUNTER_GDX_TIMEOUT", 20))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - agency node
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            code = str(json.loads(exc.read()).get("error", "error"))
        except (ValueError, AttributeError):
            code = "error"
        if code in ("hub_unreachable",):
            code = "provider_unreachable"
        raise GdxLookupError(code) from exc
    except (OSError, ValueError) as exc:
        raise GdxLookupError("node_unreachable", str(exc)) from exc
    if not isinstance(answer, dict) or answer.get("status") != "found":
        raise GdxLookupError("not_found")
    doc = answer.get("document")
    if not isinstance(doc, dict):
        raise GdxLookupError("not_found")
    values = form_values(document_type, citizen_id, doc)
    return GdxAnswer(
        request_id=str(answer.get("request_id", "")),
        document_type=document_type,
        values=values,
        missing=[k for k, v in values.items() if not v],
    )


def log_evidence(request_id: str) -> tuple[int | None, dict[str, Any] | None]:
    """The hub's audit-log leaf for this exchange and its inclusion proof (RFC 6962)."""

    leaf = (
        AuditLogLeaf.objects.filter(request_id=request_id, event="response")
        .order_by("index")
        .first()
    )
    if leaf is None:
        return None, None
    try:
        size = selectors.tree_size()
        return leaf.index, selectors.inclusion_proof(index=leaf.index, size=size)
    except (GdxError, ValueError):
        return leaf.index, None
