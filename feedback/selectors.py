"""Every read of citizen feedback. Figures come from `PointDay` (accepted answers only)."""

import datetime
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback import conf
from feedback.models import AREAS, SCORES, SUM_FIELDS, PointDay, Response

AREA_LABELS = {
    "overall": _("Overall satisfaction"),
    "process": _("Process and steps"),
    "staff": _("Staff"),
    "facilities": _("Facilities"),
    "outcome": _("Quality of the outcome"),
}


@dataclass
class Summary:
    responses: int = 0
    copy_asked: int = 0
    comments: int = 0
    sums: dict[str, int] = field(default_factory=dict)
    top2: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict) -> "Summary":
        return cls(
            responses=row.get("responses") or 0,
            copy_asked=row.get("copy_asked") or 0,
            comments=row.get("comments") or 0,
            sums={s: row.get(f"{s}_sum") or 0 for s in SCORES},
            top2={s: row.get(f"{s}_top2") or 0 for s in SCORES},
        )

    def average(self, score: str) -> float | None:
        return self.sums[score] / self.responses if self.responses else None

    def top2_share(self, score: str) -> float | None:
        return self.top2[score] / self.responses if self.responses else None

    @property
    def satisfaction(self) -> float | None:
        """Share of answers of 4 or 5 to the overall question (top-two box)."""
        return self.top2_share("overall")

    @property
    def copy_request_rate(self) -> float | None:
        return self.copy_asked / self.responses if self.responses else None

    def areas(self) -> list[dict]:
        return [
            {
                "key": s,
                "label": AREA_LABELS[s],
                "average": self.average(s),
                "top2": self.top2_share(s),
            }
            for s in SCORES
        ]


def _days(*, agency=None, point=None, since=None, until=None) -> QuerySet[PointDay]:
    qs = PointDay.objects.all()
    if point is not None:
        qs = qs.filter(point=point)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if since is not None:
        qs = qs.filter(day__gte=_as_day(since))
    if until is not None:
        qs = qs.filter(day__lte=_as_day(until))
    return qs


def _as_day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def _sums() -> dict:
    return {name: Sum(name) for name in SUM_FIELDS}


def feedback_summary(*, agency=None, point=None, since=None, until=None) -> Summary:
    """Counts, top-two-box satisfaction, area averages and the copy rate (counted answers)."""
    row = _days(agency=agency, point=point, since=since, until=until).aggregate(**_sums())
    return Summary.from_row(row)


def feedback_public_summary(*, point) -> Summary | None:
    """What anyone may see on the point's page: only from the minimum number of answers."""
    if not point.is_published:
        return None
    summary = feedback_summary(point=point)
    if summary.responses < conf.get("FEEDBACK_PUBLIC_MIN_RESPONSES"):
        return None
    return summary


@dataclass
class CopyRequestRate:
    responses: int
    asked: int

    @property
    def rate(self) -> float | None:
        return self.asked / self.responses if self.responses else None


def feedback_copy_request_rate(*, agency=None, point=None, since=None) -> CopyRequestRate:
    """How often citizens say they were asked for a copy of the ID card or house
    registration: the citizens' side of No Copy, for the progress reports."""
    row = _days(agency=agency, point=point, since=since).aggregate(
        responses=Sum("responses"), asked=Sum("copy_asked")
    )
    return CopyRequestRate(responses=row["responses"] or 0, asked=row["asked"] or 0)


@dataclass
class TrendBucket:
    start: datetime.date
    summary: Summary


def feedback_trend(
    *, agency=None, point=None, period: str = "week", since=None, until=None
) -> list[TrendBucket]:
    """Weekly (Monday first) or monthly figures, oldest first."""
    if period not in ("week", "month"):
        raise ValueError(period)
    rows = (
        _days(agency=agency, point=point, since=since, until=until)
        .values("day")
        .order_by("day")
        .annotate(**_sums())
    )
    buckets: dict[datetime.date, dict] = {}
    for row in rows:
        day = row["day"]
        start = (
            day - datetime.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)
        )
        bucket = buckets.setdefault(start, dict.fromkeys(SUM_FIELDS, 0))
        for name in SUM_FIELDS:
            bucket[name] += row[name] or 0
    return [
        TrendBucket(start=start, summary=Summary.from_row(sums))
        for start, sums in sorted(buckets.items())
    ]


# --- US OMB Circular A-11 §280 customer-experience drivers (ADR 0042) -------------------
A11_DRIVERS: list[tuple[str, object, str | None]] = [
    ("satisfaction", _("Satisfaction"), "overall"),
    ("trust", _("Trust"), None),
    ("effectiveness", _("Effectiveness (quality)"), "outcome"),
    ("ease", _("Ease (simplicity)"), "process"),
    ("efficiency", _("Efficiency (speed)"), "process"),
    ("transparency", _("Transparency"), None),
    ("humanity", _("Humanity"), "staff"),
    ("employee", _("Employee helpfulness"), "staff"),
]


@dataclass
class DriverFigure:
    driver: str
    label: object
    source: str | None
    average: float | None
    top2: float | None
    responses: int


def feedback_by_driver(*, agency=None, point=None, since=None) -> list[DriverFigure]:
    """The same counted answers reported by A-11 driver. Trust and transparency are not
    asked (the seed's questionnaire has no such question): they come back empty."""
    summary = feedback_summary(agency=agency, point=point, since=since)
    return [
        DriverFigure(
            driver=key,
            label=label,
            source=source,
            average=summary.average(source) if source else None,
            top2=summary.top2_share(source) if source else None,
            responses=summary.responses if source else 0,
        )
        for key, label, source in A11_DRIVERS
    ]


# --- lists --------------------------------------------------------------------------
def feedback_by_point(*, agency) -> list[dict]:
    """One row per point of the agency that has counted answers, most answered first."""
    from service_points.models import ServicePoint

    rows = list(_days(agency=agency).values("point").annotate(**_sums()).order_by("-responses"))
    points = ServicePoint.objects.in_bulk([row["point"] for row in rows])
    return [
        {"point": points[row["point"]], "summary": Summary.from_row(row)}
        for row in rows
        if row["point"] in points
    ]


def feedback_by_agency() -> list[dict]:
    from agencies.models import Agency

    rows = list(PointDay.objects.values("agency").annotate(**_sums()).order_by("-responses"))
    agencies = Agency.objects.in_bulk([row["agency"] for row in rows])
    return [
        {"agency": agencies[row["agency"]], "summary": Summary.from_row(row)}
        for row in rows
        if row["agency"] in agencies
    ]


def feedback_comments(*, agency=None, point=None, limit: int = 100) -> QuerySet[Response]:
    """Masked comments, newest first, counted or still held (never rejected ones)."""
    qs = Response.objects.exclude(comment="").exclude(status=Response.Status.REJECTED)
    if point is not None:
        qs = qs.filter(point=point)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return (
        qs.select_related("point", "service")
        .annotate(reply_count=Count("replies"))
        .order_by("-created_at", "-pk")[:limit]
    )


def feedback_held_count(*, agency=None, point=None) -> int:
    qs = Response.objects.filter(status=Response.Status.FLAGGED)
    if point is not None:
        qs = qs.filter(point=point)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.count()


def feedback_held_for_review(*, limit: int = 200) -> QuerySet[Response]:
    return (
        Response.objects.filter(status=Response.Status.FLAGGED)
        .select_related("point", "agency", "service")
        .order_by("created_at", "pk")[:limit]
    )


def response_get(*, pk: int) -> Response | None:
    return Response.objects.select_related("point", "agency", "service").filter(pk=pk).first()


def response_export_rows(*, agency):
    """Every answer for the agency's points (contact details excluded), oldest first."""
    return (
        Response.objects.filter(agency=agency)
        .select_related("point", "service")
        .order_by("created_at", "pk")
        .iterator(chunk_size=2000)
    )


# --- the citizen's page: what every answer needs, kept per process (ADR 0044) ----------------
@dataclass(frozen=True)
class FeedbackTarget:
    """A published point (its name and agency's name loaded) and the services to choose from.

    Shared between requests: read it, never change it."""

    point: object
    services: tuple

    def service(self, pk: str):
        return next((s for s in self.services if str(s.pk) == pk), None)


_TARGETS: dict[int, tuple[float, FeedbackTarget]] = {}
_TARGETS_MAX = 50_000  # every service point in the country fits; beyond that start again


def feedback_target(*, point_pk: int) -> FeedbackTarget | None:
    """The published point and its services, from memory for FEEDBACK_TARGET_CACHE_SECONDS.

    Saving a point, service or agency empties this process's copy at once; other processes
    may keep theirs for the rest of its life. That is safe because `response_submit` checks
    again, where it writes, that the point is still published and the service still offered.
    A point that is not found is not remembered, so a point just published works at once.
    """
    now = time.monotonic()
    hit = _TARGETS.get(point_pk)
    if hit is not None and hit[0] > now:
        return hit[1]
    target = _feedback_target_load(point_pk)
    seconds = conf.get("FEEDBACK_TARGET_CACHE_SECONDS")
    if target is not None and seconds > 0:
        if len(_TARGETS) >= _TARGETS_MAX:
            _TARGETS.clear()
        _TARGETS[point_pk] = (now + seconds, target)
    return target


def feedback_target_forget(**_kwargs) -> None:
    """Connected to saves of points, services and agencies (feedback.apps): forgets now, and
    again once the change is committed, so a request that read the old rows in between does
    not keep them."""
    _TARGETS.clear()
    transaction.on_commit(_TARGETS.clear)


def _feedback_target_load(point_pk: int) -> FeedbackTarget | None:
    from service_points.models import ServicePoint

    point = (
        ServicePoint.objects.select_related("agency")
        .only(
            "pk", "name_th", "name_en", "status", "agency_id", "agency__name_th", "agency__name_en"
        )
        .filter(pk=point_pk, status=ServicePoint.Status.PUBLISHED)
        .order_by()
        .first()
    )
    if point is None:
        return None
    return FeedbackTarget(point=point, services=tuple(services_for_point(point=point)))


def services_for_point(*, point):
    """The Citizen's Manual has no link from a service to a point: the agency's published
    services are offered, with "other" (ADR 0040)."""
    from manual.models import Service

    return (
        Service.objects.filter(agency_id=point.agency_id, status=Service.Status.PUBLISHED)
        .only("pk", "name_th", "name_en", "agency_id")
        .order_by("name_th", "pk")
    )


AREAS_AND_OVERALL = ("overall", *AREAS)
