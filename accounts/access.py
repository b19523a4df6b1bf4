"""Who may do what. Every view and API endpoint asks here; nothing checks roles inline."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import Registration, User


def is_ega_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_ega_admin)


def can_oversee(user: Any) -> bool:
    """EGA administrators and the read-only overseers (OPDC, DOPA) see every agency."""
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_ega_admin or user.is_overseer)
    )


def agency_for_officer(user: Any):
    """The agency a signed-in officer or agency admin acts for, or None."""
    if getattr(user, "is_authenticated", False) and user.is_agency_staff:
        return user.agency
    return None


def is_agency_admin_of(user: Any, agency) -> bool:
    return (
        agency is not None
        and agency_for_officer(user) is not None
        and user.agency_id == agency.pk
        and user.role == User.Role.AGENCY_ADMIN
    )


def can_view_agency_private(user: Any, agency) -> bool:
    """Members, requesters list, pending registrations: the agency itself and overseers."""
    own = agency_for_officer(user)
    return can_oversee(user) or (own is not None and own.pk == agency.pk)


def can_decide_registration(user: Any, registration: Registration) -> bool:
    return is_ega_admin(user) or is_agency_admin_of(user, registration.agency)


def ensure(allowed: bool) -> None:
    """Refuse with 404, not 403: another agency's records are not even acknowledged."""
    if not allowed:
        raise Http404


def require(predicate: Callable[[Any], bool]) -> Callable:
    """View decorator: anonymous users go to sign-in; signed-in users without the role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_agency_staff_or_overseer(user: Any) -> bool:
    return agency_for_officer(user) is not None or can_oversee(user)


def can_see_registration_queue(user: Any) -> bool:
    """The approvals page: whoever decides some registration, and overseers (read-only)."""
    return can_decide_some_registration(user) or can_oversee(user)


def can_see_agency_reports(user: Any) -> bool:
    """ "My agency is not listed" reports: EGA decides, overseers read."""
    return can_oversee(user)


def can_decide_some_registration(user: Any) -> bool:
    return is_ega_admin(user) or (
        agency_for_officer(user) is not None and user.role == User.Role.AGENCY_ADMIN
    )


# --- staff two-factor sign-in (ADR 0131) ---
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def two_factor_required(user: Any) -> bool:
    """EGA and agency administrators must use an authenticator (TWO_FACTOR_REQUIRED_ROLES);
    officers may choose to."""
    return bool(
        getattr(user, "is_authenticated", False) and user.role in settings.TWO_FACTOR_REQUIRED_ROLES
    )


def may_turn_off_two_factor(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and not two_factor_required(user)
