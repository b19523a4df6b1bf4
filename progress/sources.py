"""The only module of `progress` that imports other apps' models and selectors (ADR 0060).

Every figure the reports show comes through here, so a change in another app is fixed in
one place. Every app it reads is installed; it only reads (`signals.py` keeps the tallies).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from complaints.selectors import Figures as ComplaintFigures
from complaints.selectors import figures as complaints_figures
from counter.selectors import copies_avoided_total, counts_by_agency, served_services
from feedback.selectors import feedback_copy_request_rate
from readiness.paths import PATH_LABELS, recommend
from readiness.selectors import (
    survey_latest_submitted,
    survey_round_current,
    survey_round_last_closed,
    survey_round_next,
)
from service_points import divisions

log = logging.getLogger(__name__)

# The seed's two ways to stop asking for copies; the online way has two toolsets.
OFFLINE = "offline"
ONLINE_DOPA = "online_dopa"
ONLINE_EGA = "online_ega"
PATHS = (OFFLINE, ONLINE_DOPA, ONLINE_EGA)


# --- agencies and registration ----------------------------------------------------------
def agency_model():
    return apps.get_model("agencies.Agency")


def active_agencies() -> QuerySet:
    Agency = agency_model()  # noqa: N806
    return Agency.objects.filter(status=Agency.Status.ACTIVE)


def registrations_activated() -> QuerySet:
    Registration = apps.get_model("accounts.Registration")  # noqa: N806
    return Registration.objects.filter(status=Registration.Status.ACTIVATED)


# --- service points ---------------------------------------------------------------------
def points_published() -> QuerySet:
    ServicePoint = apps.get_model("service_points.ServicePoint")  # noqa: N806
    return ServicePoint.objects.filter(status=ServicePoint.Status.PUBLISHED)


def province_names() -> dict[str, str]:
    """Province code → name in the reader's language (the official divisions)."""
    return dict(divisions.province_choices())


# --- readiness survey -------------------------------------------------------------------
def readiness_path_expression(prefix: str = "") -> Case:
    """SQL for `readiness.paths.recommend(...).path`, so 10,000 answers are grouped in the
    database. `test_sources` checks it against `recommend` for every combination."""
    return Case(
        When(**{f"{prefix}q6_linkage": "linked"}, then=Value(ONLINE_DOPA)),
        When(
            Q(**{f"{prefix}q6_linkage": "in_progress"}) | Q(**{f"{prefix}q5_mou": "yes"}),
            then=Value(ONLINE_DOPA),
        ),
        When(**{f"{prefix}q1_system__in": ["yes", "developing"]}, then=Value(ONLINE_EGA)),
        default=Value(OFFLINE),
        output_field=CharField(),
    )


def surveys_latest_submitted() -> QuerySet:
    """Each agency's latest submitted response (the same rule as readiness's own
    `readiness_latest_by_agency`), annotated with `path`."""
    SurveyResponse = apps.get_model("readiness.SurveyResponse")  # noqa: N806
    submitted = SurveyResponse.Status.SUBMITTED
    latest = (
        SurveyResponse.objects.filter(agency=OuterRef("agency"), status=submitted)
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    return (
        SurveyResponse.objects.filter(status=submitted)
        .filter(pk=Subquery(latest))
        .annotate(path=readiness_path_expression())
    )


def readiness_latest_for(*, agency) -> Any | None:
    """The agency's latest submitted answers with the readiness app's recommendation."""
    response = survey_latest_submitted(agency=agency)
    if response is None:
        return None
    return {"response": response, "recommendation": recommend(response)}


def processes_with_survey(*, agency, readiness: dict | None) -> list[dict]:
    """The Manual's processes (the truth: what citizens are told to bring), each with what the
    agency's latest submitted survey said of it, and whether the two differ."""
    rows = process_list(agency=agency)
    ticks: dict[int, tuple[bool, bool]] = {}
    if readiness is not None:
        response = readiness["response"]
        ticks = {
            r.service_id: (r.needs_id_card_copy, r.needs_house_registration_copy)
            for r in response.rows.all()
        }
    for row in rows:
        survey = ticks.get(row["pk"])
        row["survey_id"], row["survey_house"] = survey if survey else (None, None)
        row["differs_id"] = survey is not None and survey[0] != row["asks_id_now"]
        row["differs_house"] = survey is not None and survey[1] != row["asks_house_now"]
    return rows


def path_labels() -> dict[str, Any]:
    """The readiness app's own labels of the paths (one wording everywhere)."""
    return dict(PATH_LABELS)


# --- feedback (the citizens' side) ------------------------------------------------------
@dataclass
class CopyEvidence:
    responses: int
    asked: int

    @property
    def share(self) -> float | None:
        return self.asked / self.responses if self.responses else None


def copy_request_rate(*, agency=None, point=None, since=None) -> CopyEvidence | None:
    """Citizens' answers to "were you asked for a copy?", or None if that report failed."""
    try:
        rate = feedback_copy_request_rate(agency=agency, point=point, since=since)
    except Exception:  # another app's bug must not take the dashboard down
        log.exception("feedback_copy_request_rate failed")
        return None
    return CopyEvidence(responses=int(rate.responses or 0), asked=int(rate.asked or 0))


# --- the counter (No Copy in practice, phase 2) --------------------------------------------
def copies_avoided(*, agency=None) -> int:
    """Transactions served at the counter without a photocopy."""
    return copies_avoided_total(agency=agency)


@dataclass
class CopiesPlan:
    """The seed's phase-2 figure for one agency: transactions served without a copy, against
    what its latest readiness survey planned (question 4, and the processes it said asked for
    a copy)."""

    agency_id: int
    transactions: int
    surveyed: bool = False
    plan: str = ""  # readiness SurveyResponse.Plan value, "" when unanswered
    expected_on: Any = None
    planned: int = 0  # processes the survey said ask for a copy
    planned_served: int = 0  # of those, served at the counter without a copy at least once

    @property
    def share(self) -> float | None:
        return self.planned_served / self.planned if self.planned else None

    @property
    def state(self) -> str:
        if not self.surveyed:
            return "no_survey"
        if self.plan != "yes":
            return "no_plan"
        if self.planned and self.planned_served >= self.planned:
            return "done"
        if self.expected_on is not None and self.expected_on < timezone.localdate():
            return "overdue"
        return "on_track"


@dataclass
class CopiesPlanTotal:
    transactions: int = 0
    agencies_serving: int = 0  # agencies with at least one transaction without a copy
    agencies_planning: int = 0  # agencies whose survey says they plan to stop (q4 yes)
    agencies_planning_serving: int = 0
    agencies_overdue: int = 0  # planned date passed, not every planned process served yet
    planned: int = 0
    planned_served: int = 0

    @property
    def share(self) -> float | None:
        return self.planned_served / self.planned if self.planned else None

    @property
    def planning_serving_share(self) -> float | None:
        if not self.agencies_planning:
            return None
        return self.agencies_planning_serving / self.agencies_planning


def copies_against_plan(*, agency_ids: Iterable[int] | None = None) -> dict[int, CopiesPlan]:
    """Per agency (surveyed or serving): copies avoided against the survey's plan."""
    SurveyProcessRow = apps.get_model("readiness.SurveyProcessRow")  # noqa: N806
    responses = surveys_latest_submitted()
    if agency_ids is not None:
        agency_ids = list(agency_ids)
        responses = responses.filter(agency_id__in=agency_ids)
    counts = counts_by_agency(agency_ids=agency_ids)
    served = served_services(agency_ids=agency_ids)
    plans = {
        agency_id: CopiesPlan(agency_id=agency_id, transactions=n)
        for agency_id, n in counts.items()
    }
    latest = {}
    for pk, agency_id, plan, expected_on in responses.values_list(
        "pk", "agency_id", "q4_plan", "q4_expected_on"
    ):
        latest[pk] = agency_id
        row = plans.setdefault(agency_id, CopiesPlan(agency_id=agency_id, transactions=0))
        row.surveyed, row.plan, row.expected_on = True, plan, expected_on
    asking = SurveyProcessRow.objects.filter(response_id__in=list(latest)).filter(
        Q(needs_id_card_copy=True) | Q(needs_house_registration_copy=True)
    )
    for response_id, service_id in asking.values_list("response_id", "service_id"):
        row = plans[latest[response_id]]
        row.planned += 1
        row.planned_served += (row.agency_id, service_id) in served
    return plans


def copies_against_plan_total(plans: Iterable[CopiesPlan]) -> CopiesPlanTotal:
    total = CopiesPlanTotal()
    for row in plans:
        total.transactions += row.transactions
        total.agencies_serving += row.transactions > 0
        planning = row.surveyed and row.plan == "yes"
        total.agencies_planning += planning
        total.agencies_planning_serving += planning and row.transactions > 0
        total.agencies_overdue += row.state == "overdue"
        if planning:
            total.planned += row.planned
            total.planned_served += row.planned_served
    return total


def copies_plan_for(*, agency) -> CopiesPlan:
    plans = copies_against_plan(agency_ids=[agency.pk])
    return plans.get(agency.pk) or CopiesPlan(agency_id=agency.pk, transactions=0)


def copies_plan_national() -> CopiesPlanTotal:
    return copies_against_plan_total(copies_against_plan().values())


# --- complaints ----------------------------------------------------------------------------
def complaint_figures(*, agency=None) -> ComplaintFigures:
    """Received, fixed, median days, overdue, reopen and confirmation rates, for an agency or
    the nation."""
    return complaints_figures(agency=agency)


# --- the Citizen's Manual: counting processes ---------------------------------------------
def _services() -> QuerySet:
    Service = apps.get_model("manual.Service")  # noqa: N806
    RequiredDocument = apps.get_model("manual.RequiredDocument")  # noqa: N806
    ServiceVersion = apps.get_model("manual.ServiceVersion")  # noqa: N806
    docs = RequiredDocument.objects.filter(service=OuterRef("pk"))
    versions = ServiceVersion.objects.filter(service=OuterRef("pk"))
    asks_id = Exists(docs.filter(is_id_card_copy=True))
    asks_house = Exists(docs.filter(is_house_registration_copy=True))
    had_id = Exists(versions.filter(changes__id_card_copy="stopped"))
    had_house = Exists(versions.filter(changes__house_registration_copy="stopped"))
    SurveyProcessRow = apps.get_model("readiness.SurveyProcessRow")  # noqa: N806
    rows = SurveyProcessRow.objects.filter(
        service=OuterRef("pk"), response__status__in=["submitted", "superseded"]
    )
    had_id = had_id | Exists(rows.filter(needs_id_card_copy=True))
    had_house = had_house | Exists(rows.filter(needs_house_registration_copy=True))
    return Service.objects.exclude(status=Service.Status.ARCHIVED).alias(
        asks_id=asks_id, asks_house=asks_house, had_id=had_id, had_house=had_house
    )


def process_counts(*, agency_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Per agency: processes (services not archived), those still asking for each copy,
    and those that stopped (asked before, by a published version or a submitted survey,
    and not any more). `agency_ids=None` counts every agency."""

    services = _services()
    if agency_ids is not None:
        services = services.filter(agency_id__in=list(agency_ids))
    asks_any = Q(asks_id=True) | Q(asks_house=True)
    stopped_id = Q(asks_id=False, had_id=True)
    stopped_house = Q(asks_house=False, had_house=True)
    rows = services.values("agency_id").annotate(
        processes=Count("pk"),
        asking_id_card=Count("pk", filter=Q(asks_id=True)),
        asking_house_registration=Count("pk", filter=Q(asks_house=True)),
        asking_any=Count("pk", filter=asks_any),
        stopped_id_card=Count("pk", filter=stopped_id),
        stopped_house_registration=Count("pk", filter=stopped_house),
        stopped_any=Count("pk", filter=(stopped_id | stopped_house)),
    )
    return {row.pop("agency_id"): row for row in rows.order_by()}


def process_list(*, agency) -> list[dict]:
    """The agency's processes with what each still asks for (its own page)."""
    services = _services()
    return list(
        services.filter(agency=agency)
        .annotate(
            asks_id_now=Exists(
                apps.get_model("manual.RequiredDocument").objects.filter(
                    service=OuterRef("pk"), is_id_card_copy=True
                )
            ),
            asks_house_now=Exists(
                apps.get_model("manual.RequiredDocument").objects.filter(
                    service=OuterRef("pk"), is_house_registration_copy=True
                )
            ),
        )
        .values("pk", "name_th", "name_en", "status", "asks_id_now", "asks_house_now")
        .order_by("name_th", "pk")
    )


# --- the survey's rounds ------------------------------------------------------------------
@dataclass
class SurveyRounds:
    current: Any | None
    last: Any | None
    next: Any | None


def survey_rounds() -> SurveyRounds:
    """The open round, or the last closed and the next planned (the checklist's survey step)."""
    current = survey_round_current()
    if current is not None:
        return SurveyRounds(current=current, last=None, next=None)
    return SurveyRounds(current=None, last=survey_round_last_closed(), next=survey_round_next())


# --- links to the places where an agency does each step ---------------------------------
def step_urls() -> dict[str, str | None]:

    names = {
        "registered": "accounts:register",
        "pinned": "service_points:mine",
        "surveyed": "readiness:survey",
        "processes": "manual:workspace",
        "copies": "manual:workspace",
    }
    urls: dict[str, str | None] = {}
    for key, name in names.items():
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:
            urls[key] = None
    return urls
