"""The citizen's "who asked for my data", by pseudonym (django-ninja).

Callers: EGA administrators signed in to the portal (session). A citizen asks through a
member node that computes the keyed pseudonym; the hub never learns the citizen ID.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from exchange import access, selectors, services
from gdx_protocol.schema import HEX64_RE


class EgaAdminSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not access.can_query_who_asked(user):
            raise HttpError(403, "Only EGA administrators may query the exchange log.")
        return user


router = Router(tags=["exchange"], auth=EgaAdminSession(csrf=False))


class InclusionOut(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    leaf: str
    proof: list[str]
    sth: dict[str, Any] | None = None
    root_hash: str | None = None


class WhoAskedOut(Schema):
    request_id: str
    time: datetime
    consumer: str
    consumer_name: str
    officer: str
    purpose: str
    legal_basis: str
    document_type: str
    outcome: str
    refusal_code: str
    inclusion: InclusionOut


@router.get(
    "/who-asked/{pseudonym}",
    response=list[WhoAskedOut],
    summary="Who asked for a citizen's data (by pseudonym), with inclusion proofs",
)
def who_asked(request, pseudonym: str):
    """Each entry carries the audit-log leaf and its inclusion proof against the newest
    signed tree head; check it with `python -m gdx_protocol.verify inclusion`."""
    if not HEX64_RE.match(pseudonym):
        raise HttpError(400, "The pseudonym is 64 lowercase hex characters.")
    services.tree_head_issue()
    return selectors.who_asked(pseudonym=pseudonym)
