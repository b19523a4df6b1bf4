"""The only module of `progress` that imports other apps' models and selectors (ADR 0060).

Every figure the reports show comes through here, so a change in another app is fixed in
one place. Apps that are missing (not installed, or an older tree) give empty figures
instead of errors: `available()` says which sources are present.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

log = logging.getLogger(__name__)

# The seed's two ways to stop asking for copies; the online way has two toolsets.
OFFLINE = "offline"
ONLINE_DOPA = "online_dopa"
ONLINE_EGA = "online_ega"
PATHS = (OFFLINE, ONLINE_DOPA, ONLINE_EGA)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def available() -> dict[str, bool]:
    return {
        "service_points": _model("service_points.ServicePoint") is not None,
        "manual": _model("manual.Service") is not None,
        "readiness": _model("readiness.SurveyResponse") is not None,
        "feedback": copy_request_rate_function() is not None,
    }


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
def points_published() -> QuerySet | None:
    ServicePoint = _model("service_points.ServicePoint")  # noqa: N806
    if ServicePoint is None:
        return None
    return ServicePoint.objects.filter(status=ServicePoint.Status.PUBLISHED)


def province_names() -> dict[str, str]:
    """Province code → name in the reader's language (the official divisions)."""
    try:
        from service_points import divisions
    except ImportError:  # pragma: no cover - service_points is part of the project
        return {}
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


def surveys_latest_submitted() -> QuerySet | None:
    """Each agency's latest submitted response (the same rule as readiness's own
    `readiness_latest_by_agency`), annotated with `path`."""
    SurveyResponse = _model("readiness.SurveyResponse")  # noqa: N806
    if SurveyResponse is None:
        return None
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
    try:
        from readiness.paths import recommend
        from readiness.selectors import survey_latest_submitted
    except ImportError:
        return None
    response = survey_latest_submitted(agency=agency)
    if response is None:
        return None
    return {"response": response, "recommendation": recommend(response)}


def path_labels() -> dict[str, Any]:
    try:
        from readiness.paths import PATH_LABELS
    except ImportError:
        from django.utils.translation import gettext_lazy as _

        return {
            OFFLINE: _("Read the ID card offline"),
            ONLINE_DOPA: _("Online with DOPA's Linkage Center"),
            ONLINE_EGA: _("Online with EGA's tools (GDX)"),
        }
    return dict(PATH_LABELS)


# --- feedback (the citizens' side) ------------------------------------------------------
def copy_request_rate_function():
    try:
        from feedback.selectors import feedback_copy_request_rate
    except ImportError:
        return None
    return feedback_copy_request_rate


@dataclass
class CopyEvidence:
    responses: int
    asked: int

    @property
    def share(self) -> float | None:
        return self.asked / self.responses if self.responses else None


def copy_request_rate(*, agency=None, point=None, since=None) -> CopyEvidence | None:
    """Citizens' answers to "were you asked for a copy?", or None without the feedback app."""
    function = copy_request_rate_function()
    if function is None:
        return None
    try:
        rate = function(agency=agency, point=point, since=since)
    except Exception:  # another app's bug must not take the dashboard down
        log.exception("feedback_copy_request_rate failed")
        return None
    return CopyEvidence(responses=int(rate.responses or 0), asked=int(rate.asked or 0))


# --- complaints ----------------------------------------------------------------------------
def complaint_figures(*, agency=None):
    """complaints.selectors.Figures (received, fixed, median days, overdue, reopen and
    confirmation rates) for an agency or the nation, or None without the complaints app."""
    try:
        from complaints.selectors import figures
    except ImportError:
        return None
    try:
        return figures(agency=agency)
    except Exception:  # another app's bug must not take the dashboard down
        log.exception("complaints figures failed")
        return None


# --- the Citizen's Manual: counting processes ---------------------------------------------
def _services() -> QuerySet | None:
    Service = _model("manual.Service")  # noqa: N806
    if Service is None:
        return None
    RequiredDocument = apps.get_model("manual.RequiredDocument")  # noqa: N806
    ServiceVersion = apps.get_model("manual.ServiceVersion")  # noqa: N806
    docs = RequiredDocument.objects.filter(service=OuterRef("pk"))
    versions = ServiceVersion.objects.filter(service=OuterRef("pk"))
    asks_id = Exists(docs.filter(is_id_card_copy=True))
    asks_house = Exists(docs.filter(is_house_registration_copy=True))
    had_id = Exists(versions.filter(changes__id_card_copy="stopped"))
    had_house = Exists(versions.filter(changes__house_registration_copy="stopped"))
    SurveyProcessRow = _model("readiness.SurveyProcessRow")  # noqa: N806
    if SurveyProcessRow is not None:
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
    from django.db.models import Count

    services = _services()
    if services is None:
        return {}
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
    if services is None:
        return []
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


# --- links to the places where an agency does each step ---------------------------------
def step_urls() -> dict[str, str | None]:
    from django.urls import NoReverseMatch, reverse

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


# --- keeping ProcessTally current ---------------------------------------------------------
def _pending() -> set[int]:
    conn = transaction.get_connection()
    pending = getattr(conn, "_progress_pending", None)
    if pending is None:
        pending = conn._progress_pending = set()  # type: ignore[attr-defined]
    return pending


def _flush() -> None:
    pending = _pending()
    if not pending:
        return
    ids = set(pending)
    pending.clear()
    from progress.services import process_tally_refresh

    process_tally_refresh(agency_ids=ids)


def mark_agencies(agency_ids: Iterable[int | None]) -> None:
    """Counts these agencies again once the current transaction commits (at once outside
    one), when the service's documents, written after the service itself, are all there."""
    ids = {pk for pk in agency_ids if pk}
    if not ids:
        return
    _pending().update(ids)
    if connection.in_atomic_block:
        transaction.on_commit(_flush, robust=True)
    else:
        _flush()


def _agency_of_service(service_id: int | None) -> int | None:
    if not service_id:
        return None
    Service = apps.get_model("manual.Service")  # noqa: N806
    return Service.objects.filter(pk=service_id).values_list("agency_id", flat=True).first()


def _on_service(sender, instance, **kwargs) -> None:
    mark_agencies([instance.agency_id])


def _on_service_child(sender, instance, **kwargs) -> None:
    mark_agencies([_agency_of_service(instance.service_id)])


def _on_response(sender, instance, **kwargs) -> None:
    mark_agencies([instance.agency_id])


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    pairs = [
        ("manual.Service", _on_service),
        ("manual.RequiredDocument", _on_service_child),
        ("manual.ServiceVersion", _on_service_child),
        ("readiness.SurveyResponse", _on_response),
    ]
    for label, handler in pairs:
        model = _model(label)
        if model is None:
            continue
        for signal in (post_save, post_delete):
            signal.connect(handler, sender=model, dispatch_uid=f"progress:{label}:{signal}")
