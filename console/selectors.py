"""Every read of the console: what needs attention, the audit trail, the date check."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Registration, User
from agencies.models import Agency, AgencyRequest
from audit.models import AuditEvent
from complaints.selectors import attention as complaints_attention
from core.dates import BE_FROM, BE_OFFSET
from exchange.models import MemberKey
from feedback.models import Response
from progress import sources
from progress.models import ProcessTally
from readiness.models import SurveyResponse, SurveyRound
from service_points.models import ServicePoint

KEYS_EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Attention:
    pending_registrations: int
    missing_agency_reports: int
    flagged_answers: int
    keys_expiring: int
    open_rounds: int
    complaints: Any = None  # complaints.selectors.Attention (issue 12)


def attention() -> Attention:

    now = timezone.now()
    today = timezone.localdate()
    return Attention(
        pending_registrations=Registration.objects.filter(
            status=Registration.Status.PENDING_APPROVAL
        ).count(),
        missing_agency_reports=AgencyRequest.objects.filter(
            status=AgencyRequest.Status.PENDING
        ).count(),
        flagged_answers=Response.objects.filter(status=Response.Status.FLAGGED).count(),
        keys_expiring=MemberKey.objects.filter(
            revoked_at__isnull=True,
            valid_until__gte=now,
            valid_until__lt=now + datetime.timedelta(days=KEYS_EXPIRING_DAYS),
        ).count(),
        open_rounds=SurveyRound.objects.filter(
            status=SurveyRound.Status.ACTIVE, opens_on__lte=today, closes_on__gte=today
        ).count(),
        complaints=complaints_attention(today),
    )


def audit_search(
    *,
    actor: str = "",
    agency: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first. Dates are whole days in Thai time, both ends included."""
    events = AuditEvent.objects.select_related("agency", "actor").order_by("-created_at", "-id")
    if actor.strip():
        events = events.filter(
            Q(actor_label__icontains=actor.strip()) | Q(actor__email__icontains=actor.strip())
        )
    if agency.strip():
        events = events.filter(
            Q(agency__code__iexact=agency.strip()) | Q(agency__name_th__icontains=agency.strip())
        )
    if action.strip():
        events = events.filter(action__icontains=action.strip())
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(
            created_at__gte=datetime.datetime.combine(date_from, datetime.time(), zone)
        )
    if date_to:
        end = date_to + datetime.timedelta(days=1)
        events = events.filter(created_at__lt=datetime.datetime.combine(end, datetime.time(), zone))
    return events


@dataclass(frozen=True)
class SuspiciousDates:
    """Values of one field stored with a Buddhist-Era year as if it were A.D."""

    model: str
    verbose_name: Any
    field: str
    field_verbose_name: Any
    rows: list[tuple[Any, Any, Any]]  # (pk, stored value, the value 543 years earlier)


def _project_models() -> list[type[models.Model]]:
    base = str(settings.BASE_DIR)
    return [
        model
        for config in apps.get_app_configs()
        if config.path.startswith(base) and ".venv" not in config.path
        for model in config.get_models()
        if not model._meta.proxy and model._meta.managed
    ]


def _minus_be(value):
    try:
        return value.replace(year=value.year - BE_OFFSET)
    except ValueError:  # 29 February of a year that is not leap 543 years earlier
        return value.replace(year=value.year - BE_OFFSET, day=28)


def suspicious_dates(*, limit: int = 100) -> list[SuspiciousDates]:
    """Every date and time on or after 1 January 2400: nothing in this programme is that far
    ahead, so such a value is a Buddhist-Era year that was saved as A.D. (2569 → 3112)."""
    found = []
    zone = timezone.get_current_timezone()
    for model in _project_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                cutoff: Any = datetime.datetime(BE_FROM, 1, 1, tzinfo=zone)
            elif isinstance(field, models.DateField):
                cutoff = datetime.date(BE_FROM, 1, 1)
            else:
                continue
            rows = list(
                model._default_manager.filter(**{f"{field.name}__gte": cutoff})
                .order_by("pk")
                .values_list("pk", field.attname)[:limit]
            )
            if rows:
                found.append(
                    SuspiciousDates(
                        model=model._meta.label,
                        verbose_name=model._meta.verbose_name,
                        field=field.name,
                        field_verbose_name=field.verbose_name,
                        rows=[(pk, value, _minus_be(value)) for pk, value in rows],
                    )
                )
    return found


# --- follow-up lists ---------------------------------------------------------------------
GAPS = ("not_registered", "not_pinned", "not_surveyed", "not_copy_free")


def current_round():
    """The round agencies are answering now, else the latest one that has opened."""

    today = timezone.localdate()
    rounds = SurveyRound.objects.filter(status=SurveyRound.Status.ACTIVE, opens_on__lte=today)
    return rounds.filter(closes_on__gte=today).first() or rounds.order_by("-opens_on").first()


def followup_agencies(*, gap: str = "", ministry=None, province: str = "") -> QuerySet:
    """Active agencies below the ministries, each annotated registered / pinned / surveyed /
    copy_free (booleans), filtered by one gap, one ministry and one province."""
    from django.db.models import Exists, OuterRef

    staff = User.objects.filter(
        agency=OuterRef("pk"),
        is_active=True,
        role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
    )
    points = ServicePoint.objects.filter(
        agency=OuterRef("pk"), status=ServicePoint.Status.PUBLISHED
    )
    answered = SurveyResponse.objects.filter(
        agency=OuterRef("pk"),
        status__in=[SurveyResponse.Status.SUBMITTED, SurveyResponse.Status.SUPERSEDED],
    )
    round = current_round()
    if round is not None:
        answered = answered.filter(round=round)
    copy_free = ProcessTally.objects.filter(agency=OuterRef("pk"), processes__gt=0, asking_any=0)
    agencies = (
        Agency.objects.filter(status=Agency.Status.ACTIVE)
        .exclude(kind=Agency.Kind.MINISTRY)
        .select_related("ministry", "parent")
        .annotate(
            registered=Exists(staff),
            pinned=Exists(points),
            surveyed=Exists(answered),
            copy_free=Exists(copy_free),
        )
        .order_by("ministry__name_th", "name_th", "pk")
    )
    if gap in GAPS:
        agencies = agencies.filter(**{gap.removeprefix("not_"): False})
    if ministry is not None:
        agencies = agencies.filter(Q(ministry=ministry) | Q(pk=ministry.pk))
    if province:
        agencies = agencies.filter(Exists(points.filter(province_code=province)))
    return agencies


@dataclass(frozen=True)
class FollowUpRow:
    agency: Any
    ministry: Any
    provinces: list[str]
    contact: Any  # a User or None
    registered: bool
    pinned: bool
    surveyed: bool
    copy_free: bool


def followup_rows(agencies) -> list[FollowUpRow]:
    """Adds provinces (where the agency's points are) and a contact person to each agency:
    its agency administrator, else any active officer. Three queries for the whole batch."""

    agencies = list(agencies)
    ids = [a.pk for a in agencies]
    names = sources.province_names()
    provinces: dict[int, list[str]] = {}
    for agency_id, code in (
        ServicePoint.objects.filter(agency_id__in=ids, status=ServicePoint.Status.PUBLISHED)
        .values_list("agency_id", "province_code")
        .distinct()
        .order_by("agency_id", "province_code")
    ):
        provinces.setdefault(agency_id, []).append(names.get(code, code))
    contacts: dict[int, Any] = {}
    for user in User.objects.filter(
        agency_id__in=ids,
        is_active=True,
        role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
    ).order_by("agency_id", "role", "pk"):  # "agency_admin" sorts before "agency_officer"
        contacts.setdefault(user.agency_id, user)
    return [
        FollowUpRow(
            agency=a,
            ministry=a.ministry or a,
            provinces=provinces.get(a.pk, []),
            contact=contacts.get(a.pk),
            registered=a.registered,
            pinned=a.pinned,
            surveyed=a.surveyed,
            copy_free=a.copy_free,
        )
        for a in agencies
    ]


def followup_members(agency_ids: list[int]) -> dict[int, list]:
    """Every active member of each agency, the people a follow-up mail goes to."""

    members: dict[int, list] = {}
    for user in User.objects.filter(
        agency_id__in=agency_ids,
        is_active=True,
        role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
    ).order_by("agency_id", "email"):
        members.setdefault(user.agency_id, []).append(user)
    return members
