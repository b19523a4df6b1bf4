"""Who may see and do what with citizen feedback, built on accounts.access.

- Anyone: answer for a published point; see a published point's figures once it has
  FEEDBACK_PUBLIC_MIN_RESPONSES counted answers.
- The point's own agency (officers and admins): its figures, masked comments, the contact
  details a citizen left, replies, exports, the QR poster.
- Overseers and EGA administrators: every figure and masked comment, never contact details.
- EGA administrators: review held answers (accept or reject). Not the agency itself: an
  agency must not choose which of its own bad ratings count.
"""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, can_view_agency_private, is_ega_admin


def _own(user: Any, agency_id: int | None) -> bool:
    own = agency_for_officer(user)
    return own is not None and agency_id is not None and own.pk == agency_id


def can_view_national(user: Any) -> bool:
    return can_oversee(user)


def can_view_reports(user: Any) -> bool:
    """Reaches the feedback reports at all: agency staff and overseers."""
    return agency_for_officer(user) is not None or can_oversee(user)


def can_view_agency_feedback(user: Any, agency) -> bool:
    return can_view_agency_private(user, agency)


def can_view_point_feedback(user: Any, point) -> bool:
    return can_oversee(user) or _own(user, point.agency_id)


def can_see_contact(user: Any, response) -> bool:
    return _own(user, response.agency_id)


def can_reply(user: Any, response) -> bool:
    return _own(user, response.agency_id) and response.can_be_replied


def can_export(user: Any, agency) -> bool:
    return agency is not None and _own(user, agency.pk)


def can_print_poster(user: Any, point) -> bool:
    return can_oversee(user) or _own(user, point.agency_id)


def can_review(user: Any) -> bool:
    return is_ega_admin(user)


def can_see_review_queue(user: Any) -> bool:
    """The held answers: EGA decides, overseers (OPDC, DOPA) read the queue."""
    return can_oversee(user)
