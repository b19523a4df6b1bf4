"""Who may do what with the Citizen's Manual, built on accounts.access."""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, is_agency_staff_or_overseer

__all__ = ["can_edit_service", "can_manage_manual", "can_preview_service", "can_see_workspace"]


def can_manage_manual(user: Any) -> bool:
    """Officers and agency admins write their own agency's manual."""
    return agency_for_officer(user) is not None


def can_see_workspace(user: Any) -> bool:
    """Agency staff see their agency's records; EGA admins and overseers see every agency's."""
    return is_agency_staff_or_overseer(user)


def can_edit_service(user: Any, service) -> bool:
    own = agency_for_officer(user)
    return own is not None and own.pk == service.agency_id


def can_preview_service(user: Any, service) -> bool:
    """Drafts and unpublished changes: the owning agency and the overseers, nobody else."""
    return can_edit_service(user, service) or can_oversee(user)
