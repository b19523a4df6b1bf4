"""The console is EGA's; overseers (OPDC, DOPA) read every page of it and change nothing."""

from typing import Any

from accounts.access import can_oversee, is_ega_admin


def can_view_console(user: Any) -> bool:
    return can_oversee(user)


def can_run_programme(user: Any) -> bool:
    return is_ega_admin(user)
