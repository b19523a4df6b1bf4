"""Every read of the readiness survey."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from manual.models import Service
from readiness.models import SurveyProcessRow, SurveyReminder, SurveyResponse, SurveyRound
from readiness.paths import Recommendation, recommend
from service_points.models import ServicePoint

ROWS_PER_PAGE = 50


# --- rounds -------------------------------------------------------------------------------
def survey_round_current(*, today=None) -> SurveyRound | None:
    """The round open today, if any (rounds do not overlap)."""
    today = today or timezone.localdate()
    return (
        SurveyRound.objects.filter(
            status=SurveyRound.Status.ACTIVE, opens_on__lte=today, closes_on__gte=today
        )
        .order_by("-opens_on")
        .first()
    )


def survey_round_next(*, today=None) -> SurveyRound | None:
    today = today or timezone.localdate()
    return (
        SurveyRound.objects.filter(status=SurveyRound.Status.ACTIVE, opens_on__gt=today)
        .order_by("opens_on")
        .first()
    )


def survey_round_last_closed(*, today=None) -> SurveyRound | None:
    """The round that closed most recently (archived or not), for "the last round closed on"."""
    today = today or timezone.localdate()
    return SurveyRound.objects.filter(closes_on__lt=today).order_by("-closes_on").first()


# --- who may answer ---------------------------------------------------------------------
def agency_has_published_point(*, agency) -> bool:
    """The seed: only agencies that have pinned take the survey."""

    return ServicePoint.objects.filter(agency=agency, status=ServicePoint.Status.PUBLISHED).exists()


def agency_services_for_survey(*, agency):
    """The agency's Citizen's Manual services (not archived), with their documents."""

    return (
        Service.objects.filter(agency=agency)
        .exclude(status=Service.Status.ARCHIVED)
        .prefetch_related("documents")
        .order_by("name_th", "pk")
    )


# --- one agency's responses -------------------------------------------------------------
def _responses() -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.select_related("agency", "round", "submitted_by", "updated_by")


def survey_draft(*, agency, round: SurveyRound) -> SurveyResponse | None:
    return (
        _responses().filter(agency=agency, round=round, status=SurveyResponse.Status.DRAFT).first()
    )


def survey_latest_submitted(*, agency, round: SurveyRound | None = None) -> SurveyResponse | None:
    qs = _responses().filter(agency=agency, status=SurveyResponse.Status.SUBMITTED)
    if round is not None:
        qs = qs.filter(round=round)
    return qs.order_by("-submitted_at", "-pk").first()


def survey_history(*, agency) -> QuerySet[SurveyResponse]:
    return _responses().filter(agency=agency).order_by("-round__opens_on", "-version")


def survey_response_get(*, pk: int) -> SurveyResponse | None:
    return _responses().prefetch_related("q8_options").filter(pk=pk).first()


def survey_response_for_agency(*, pk: int, agency) -> SurveyResponse | None:
    return _responses().filter(pk=pk, agency=agency).first()


def survey_rows_page(
    *,
    response: SurveyResponse,
    query: str = "",
    page: int | str = 1,
    per_page: int = ROWS_PER_PAGE,
) -> Page:
    """One page of the process table, searched by the process name."""
    rows = response.rows.all()
    query = " ".join(query.split())[:100]
    for term in query.split()[:6]:
        rows = rows.filter(service_name__icontains=term)
    return Paginator(rows.order_by("position", "pk"), per_page).get_page(page)


def survey_row_counts(*, response: SurveyResponse) -> dict[str, int]:
    rows = response.rows.all()
    return {
        "total": rows.count(),
        "id_card": rows.filter(needs_id_card_copy=True).count(),
        "house_registration": rows.filter(needs_house_registration_copy=True).count(),
    }


# --- across agencies ----------------------------------------------------------------------
@dataclass
class AgencyReadiness:
    agency: object
    response: SurveyResponse
    recommendation: Recommendation

    @property
    def path(self) -> str:
        return self.recommendation.path


def _latest_submitted_pks(*, round: SurveyRound | None = None) -> list[int]:
    """One cheap query: a submitted response is at most one per agency and round."""
    qs = SurveyResponse.objects.filter(status=SurveyResponse.Status.SUBMITTED)
    if round is not None:
        qs = qs.filter(round=round)
    latest: dict[int, int] = {}
    for pk, agency_id in qs.order_by("agency_id", "-submitted_at", "-pk").values_list(
        "pk", "agency_id"
    ):
        latest.setdefault(agency_id, pk)
    return list(latest.values())


def _latest_submitted_qs(*, round: SurveyRound | None = None) -> QuerySet[SurveyResponse]:
    return (
        SurveyResponse.objects.filter(pk__in=_latest_submitted_pks(round=round))
        .select_related("agency", "agency__parent", "round", "submitted_by")
        .prefetch_related("q8_options")
        .order_by("agency__name_th", "agency_id")
    )


def readiness_latest_by_agency(*, round: SurveyRound | None = None) -> list[AgencyReadiness]:
    """The latest submitted response of every agency that answered, with its derived path.

    `round` limits it to one survey round; without it, the latest over all rounds. For the
    progress reports: `{item.agency.pk: item.path for item in readiness_latest_by_agency()}`.
    """
    return [
        AgencyReadiness(agency=r.agency, response=r, recommendation=recommend(r))
        for r in _latest_submitted_qs(round=round)
    ]


def readiness_export_rows(*, round: SurveyRound | None = None):
    """The process rows of every agency's latest submitted response, for the export."""
    return (
        SurveyProcessRow.objects.filter(response_id__in=_latest_submitted_pks(round=round))
        .select_related("response", "response__agency", "response__round")
        .order_by("response__agency__name_th", "response_id", "position", "pk")
    )


def agencies_to_remind(*, round: SurveyRound):
    """Agencies with a published service point and no submitted answer in this round."""

    answered = SurveyResponse.objects.filter(
        round=round, status__in=[SurveyResponse.Status.SUBMITTED, SurveyResponse.Status.SUPERSEDED]
    ).values("agency_id")
    pinned = ServicePoint.objects.filter(status=ServicePoint.Status.PUBLISHED).values("agency_id")
    return (
        Agency.objects.filter(pk__in=pinned, status=Agency.Status.ACTIVE)
        .exclude(pk__in=answered)
        .order_by("name_th")
    )


@dataclass(frozen=True)
class ReminderTarget:
    """One agency a reminder run would reach for: who gets a mail, and who does not and why."""

    agency: object
    to_mail: list  # active members not reminded about this round lately
    reminded_recently: list  # active members reminded within the interval


def reminder_preview(*, round: SurveyRound) -> list[ReminderTarget]:
    """What `readiness_send_reminders` would do now, without mailing anyone. An agency with
    neither list filled has no active member: nobody there can be reached by mail."""

    agencies = list(agencies_to_remind(round=round))
    since = timezone.now() - timedelta(days=settings.READINESS_REMINDER_INTERVAL_DAYS)
    recently = set(
        SurveyReminder.objects.filter(round=round, sent_at__gte=since).values_list(
            "user_id", flat=True
        )
    )
    members: dict[int, list] = {}
    for member in User.objects.filter(
        agency__in=agencies,
        is_active=True,
        role__in=[User.Role.AGENCY_ADMIN, User.Role.AGENCY_OFFICER],
    ).order_by("email"):
        members.setdefault(member.agency_id, []).append(member)
    return [
        ReminderTarget(
            agency=agency,
            to_mail=[m for m in members.get(agency.pk, []) if m.pk not in recently],
            reminded_recently=[m for m in members.get(agency.pk, []) if m.pk in recently],
        )
        for agency in agencies
    ]
