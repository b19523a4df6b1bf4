"""Who may do what with the readiness survey, built on accounts.access."""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, is_ega_admin

__all__ = [
    "can_answer_survey",
    "can_export",
    "can_see_overview",
    "can_see_readiness",
    "can_send_reminders",
    "can_view_response",
]


def can_answer_survey(user: Any) -> bool:
    """Officers and agency admins answer for their own agency."""
    return agency_for_officer(user) is not None


def can_answer_for(user: Any, agency) -> bool:
    own = agency_for_officer(user)
    return own is not None and agency is not None and own.pk == agency.pk


def can_see_readiness(user: Any) -> bool:
    return can_answer_survey(user) or can_oversee(user)


def can_view_response(user: Any, response) -> bool:
    """The agency itself, EGA administrators and overseers (read-only); nobody else."""
    return can_oversee(user) or can_answer_for(user, response.agency)


def can_see_overview(user: Any) -> bool:
    return can_oversee(user)


def can_export(user: Any) -> bool:
    """Overseers read everything, exports included."""
    return can_oversee(user)


def can_send_reminders(user: Any) -> bool:
    return is_ega_admin(user)
