"""Who may do what with service points, built on accounts.access."""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, is_agency_admin_of, is_ega_admin


def can_pin(user: Any) -> bool:
    """Agency officers and agency admins pin their own agency's points."""
    return agency_for_officer(user) is not None


def can_list_points(user: Any) -> bool:
    return can_pin(user) or can_oversee(user)


def can_view_point(user: Any, point) -> bool:
    """Published points are public; drafts and archived points only to their agency and overseers."""
    if point.status == point.Status.PUBLISHED:
        return True
    own = agency_for_officer(user)
    return can_oversee(user) or (own is not None and own.pk == point.agency_id)


def can_edit_point(user: Any, point) -> bool:
    own = agency_for_officer(user)
    return own is not None and own.pk == point.agency_id


def can_correct_points(user: Any) -> bool:
    """EGA administrators correct any agency's point from the admin (through the services)."""
    return is_ega_admin(user)


def can_manage_api_keys(user: Any) -> bool:
    own = agency_for_officer(user)
    return own is not None and is_agency_admin_of(user, own)
