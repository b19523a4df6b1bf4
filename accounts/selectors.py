from django.db.models import QuerySet

from accounts.access import is_ega_admin
from accounts.models import Registration, User


def registration_history(*, agency) -> QuerySet[Registration]:
    """The seed's "people who have requested this agency's credentials before"."""
    return Registration.objects.filter(agency=agency).order_by("-created_at", "-id")


def registration_pending_for(*, user: User) -> QuerySet[Registration]:
    qs = Registration.objects.filter(status=Registration.Status.PENDING_APPROVAL).select_related(
        "agency"
    )
    if is_ega_admin(user) or user.is_overseer:
        return qs
    if user.role == User.Role.AGENCY_ADMIN and user.agency_id:
        return qs.filter(agency_id=user.agency_id)
    return qs.none()


def agency_members(*, agency) -> QuerySet[User]:
    return User.objects.filter(agency=agency, is_active=True).order_by("first_name", "last_name")
