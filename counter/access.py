"""Who may use the counter. Role predicates live in accounts.access."""

from typing import Any

from accounts import access as base
from accounts.models import User


def can_serve(user: Any) -> bool:
    """Officers and agency admins serve citizens at their own agency's counter."""
    return base.agency_for_officer(user) is not None


def can_change_paths(user: Any) -> bool:
    return can_serve(user) and user.role == User.Role.AGENCY_ADMIN


def can_view_record(user: Any, record) -> bool:
    own = base.agency_for_officer(user)
    return base.can_oversee(user) or (own is not None and own.pk == record.agency_id)


def can_void_record(user: Any, record) -> bool:
    return base.is_agency_admin_of(user, record.agency)


def can_view_national(user: Any) -> bool:
    return base.can_oversee(user)
