"""Who may see which report (ADR 0061).

- Everyone: the public transparency page (national and per-province aggregates only).
- Agency staff: the national dashboard and its drill-down as aggregates, and the detail
  (checklist, processes, what is missing) of their own agency and the agencies under it.
- Overseers (OPDC, DOPA) and EGA administrators: everything, read-only.
- Only EGA administrators change the schedule.
"""

from typing import Any

from django.core.exceptions import PermissionDenied

from accounts import access as accounts_access


def can_see_dashboard(user: Any) -> bool:
    return accounts_access.is_agency_staff_or_overseer(user)


def can_see_agency_detail(user: Any, agency) -> bool:
    if accounts_access.can_oversee(user):
        return True
    own = accounts_access.agency_for_officer(user)
    if own is None or agency is None:
        return False
    return own.pk == agency.pk or own.pk == agency.parent_id or own.pk == agency.ministry_id


def can_export_national(user: Any) -> bool:
    return can_see_dashboard(user)


def ensure_can_configure(user: Any) -> None:
    if not accounts_access.is_ega_admin(user):
        raise PermissionDenied
