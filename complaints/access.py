"""Who may see and do what with complaints, built on accounts.access.

- Anyone: file a complaint; read public complaints (masked text, no personal data, not held);
  the reporter, through the private follow link, reads their own and confirms or reopens it.
- The responsible agency (officers and admins): its queue, contact details, internal notes,
  state changes, hand-over, response templates (admins edit templates).
- EGA administrators: the fallback queue (assign), moderation, held complaints, every queue.
- Overseers: read every queue and figure, never contact details; change nothing.
"""

from typing import Any

from accounts.access import agency_for_officer, can_oversee, is_ega_admin


def _own(user: Any, agency_id: int | None) -> bool:
    own = agency_for_officer(user)
    return own is not None and agency_id is not None and own.pk == agency_id


def can_view_queue(user: Any) -> bool:
    return agency_for_officer(user) is not None or can_oversee(user)


def can_view_complaint(user: Any, complaint) -> bool:
    return can_oversee(user) or _own(user, complaint.agency_id)


def can_see_contact(user: Any, complaint) -> bool:
    return is_ega_admin(user) or _own(user, complaint.agency_id)


def can_act_on(user: Any, complaint) -> bool:
    """Move states, add notes, hand over: the responsible agency, and EGA for its fallback queue."""
    if complaint.agency_id is None:
        return is_ega_admin(user)
    return _own(user, complaint.agency_id) or is_ega_admin(user)


def can_moderate(user: Any) -> bool:
    return is_ega_admin(user)


def can_manage_templates(user: Any, agency) -> bool:
    return _own(user, agency.pk)


def can_manage_partner_keys(user: Any) -> bool:
    """Partner channels' keys for Open311 POST: EGA issues and revokes them."""
    return is_ega_admin(user)
