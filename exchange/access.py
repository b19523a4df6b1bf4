"""Who may do what on the hub. Nodes authenticate by signature, people by role."""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, is_ega_admin
from exchange.models import Member


def can_view_hub(user: Any) -> bool:
    """Members, keys, rights and the exchange log (metadata): EGA admins and overseers."""
    return can_oversee(user)


def can_manage_hub(user: Any) -> bool:
    """Register members, add and revoke keys, grant and withdraw rights: EGA admins only."""
    return is_ega_admin(user)


def can_query_who_asked(user: Any) -> bool:
    """A citizen's "who asked for my data" by pseudonym: EGA admins, who run the hub.

    Citizens will ask through a member node that computes their pseudonym (see ADR 0030).
    """
    return is_ega_admin(user)


def consumer_member_for(user: Any) -> Member | None:
    """The active hub member an officer's agency is, if any."""
    agency = agency_for_officer(user)
    if agency is None:
        return None
    return Member.objects.filter(agency=agency, status=Member.Status.ACTIVE).first()


def can_run_demo_exchange(user: Any) -> bool:
    """The demo page acts as the demo consumer agency's own system (ADR 0031)."""
    from exchange.demo import CONSUMER  # lazy: demo

    member = consumer_member_for(user)
    return is_ega_admin(user) or (member is not None and member.code == CONSUMER)
