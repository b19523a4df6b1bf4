"""Every read of the counter: records, path settings, and the copies-avoided figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from counter.models import ServicePath, VerificationRecord
from exchange.models import Member
from feedback.selectors import feedback_copy_request_rate
from manual.models import Service
from readiness.models import SurveyResponse
from readiness.paths import recommend
from service_points.models import ServicePoint


def record_list(*, agency=None, service=None, point=None, since=None, until=None) -> QuerySet:
    qs = VerificationRecord.objects.select_related("service", "point", "officer", "agency")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if service is not None:
        qs = qs.filter(service=service)
    if point is not None:
        qs = qs.filter(point=point)
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    if until is not None:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def record_get(*, reference) -> VerificationRecord | None:
    return (
        VerificationRecord.objects.select_related("service", "point", "officer", "agency")
        .filter(reference=reference)
        .first()
    )


def agency_services(*, agency) -> QuerySet:

    return Service.objects.filter(agency=agency).exclude(status="archived").order_by("name_th")


def agency_points(*, agency) -> QuerySet:

    return ServicePoint.objects.filter(agency=agency, status="published").order_by("name_th")


def path_map(*, agency) -> dict[int, ServicePath]:
    return {p.service_id: p for p in ServicePath.objects.filter(agency=agency)}


def recommended_path(*, agency) -> str | None:
    """The readiness survey's recommendation for the agency, if it has answered."""

    latest = (
        SurveyResponse.objects.filter(agency=agency, status=SurveyResponse.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    return recommend(latest).path if latest is not None else None


def gdx_member_active(*, agency) -> bool:

    return Member.objects.filter(agency=agency, status=Member.Status.ACTIVE).exists()


_COUNTED = Q(status=VerificationRecord.Status.RECORDED)


@dataclass
class CopiesAvoided:
    key: object
    label: str
    total: int
    card: int
    gdx: int
    seen: int
    asked_rate: float | None = None  # feedback: share of citizens asked for a copy
    asked_responses: int = 0


def _grouped(qs: QuerySet, field: str, label: str) -> list[CopiesAvoided]:
    rows = (
        qs.filter(_COUNTED)
        .values(field, label)
        .annotate(
            total=Count("id"),
            card=Count("id", filter=Q(source="card")),
            gdx=Count("id", filter=Q(source="gdx")),
            seen=Count("id", filter=Q(source="seen")),
        )
        .order_by("-total", label)
    )
    return [
        CopiesAvoided(
            key=r[field],
            label=r[label] or "",
            total=r["total"],
            card=r["card"],
            gdx=r["gdx"],
            seen=r["seen"],
        )
        for r in rows
    ]


def copies_avoided_total(*, agency=None, since: datetime.date | None = None) -> int:
    return record_list(agency=agency, since=since).filter(_COUNTED).count()


def copies_avoided_by_service(*, agency, since=None) -> list[CopiesAvoided]:
    return _grouped(record_list(agency=agency, since=since), "service_id", "service__name_th")


def copies_avoided_by_point(*, agency, since=None) -> list[CopiesAvoided]:
    """Per point, with the citizens' answer to "were you asked for a copy?" beside it."""

    rows = _grouped(record_list(agency=agency, since=since), "point_id", "point__name_th")
    points = {p.pk: p for p in ServicePoint.objects.filter(pk__in=[r.key for r in rows if r.key])}
    for row in rows:
        point = points.get(row.key)  # type: ignore[call-overload]
        if point is not None:
            rate = feedback_copy_request_rate(point=point, since=since)
            row.asked_rate, row.asked_responses = rate.rate, rate.responses
    return rows


def copies_avoided_by_agency(*, since=None) -> list[CopiesAvoided]:
    return _grouped(record_list(since=since), "agency_id", "agency__name_th")


def counts_by_agency(*, agency_ids=None) -> dict[int, int]:
    """Agency id → transactions served without a copy (one query for the whole report)."""
    qs = VerificationRecord.objects.filter(_COUNTED)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    rows = qs.values("agency_id").annotate(n=Count("id")).order_by()
    return {r["agency_id"]: r["n"] for r in rows}


def served_services(*, agency_ids=None) -> set[tuple[int, int]]:
    """(agency id, service id) of every process served at least once without a copy."""
    qs = VerificationRecord.objects.filter(_COUNTED, service__isnull=False)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return set(qs.values_list("agency_id", "service_id").distinct())
