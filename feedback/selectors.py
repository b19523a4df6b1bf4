"""Every read of citizen feedback. Figures come from `PointDay` (accepted answers only)."""

import datetime
import functools
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.memo import ProcessCache
from feedback import conf
from feedback.models import AREAS, SCORES, SUM_FIELDS, PointDay, Reply, Response
from manual.models import Service
from service_points.models import ServicePoint

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

    rows = list(_days(agency=agency).values("point").annotate(**_sums()).order_by("-responses"))
    points = ServicePoint.objects.in_bulk([row["point"] for row in rows])
    return [
        {"point": points[row["point"]], "summary": Summary.from_row(row)}
        for row in rows
        if row["point"] in points
    ]


def feedback_by_agency() -> list[dict]:

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
    # The replies are counted per shown comment (a subquery), not by grouping every comment
    # of the point first: at 100 M answers the grouping took 1.5 s for the busiest point.
    replies = (
        Reply.objects.filter(response=OuterRef("pk"))
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.select_related("point", "service")
        .annotate(reply_count=Coalesce(Subquery(replies), 0))
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


# Every published point's row (the few columns the citizen's page needs), loaded in one query
# and kept for FEEDBACK_TARGET_CACHE_SECONDS: with 40,000 points most answers would otherwise
# miss a per-point cache. About 10 MB per process for the whole country.
_TARGETS: ProcessCache[tuple] = ProcessCache("feedback.targets", shared=True)
# An agency and its published services, shared by all its points.
_AGENCIES: ProcessCache[tuple[object, tuple]] = ProcessCache("feedback.agencies", shared=True)


def feedback_target(*, point_pk: int) -> FeedbackTarget | None:
    """The published point and its services, from this process's memory.

    Saving a point, service or agency forgets it in this process at once, and in every other
    process (web node) within PROCESS_CACHE_SYNC_SECONDS through the shared cache; with the
    shared cache down, for up to FEEDBACK_TARGET_CACHE_SECONDS. That is safe because
    `response_submit` checks again, where it writes, that the point is still published and
    the service still offered. A point published since the copy was made is looked up on
    its own, so a new poster works at once; a point that is not found is not remembered.
    """

    now = time.monotonic()
    seconds = conf.get("FEEDBACK_TARGET_CACHE_SECONDS")
    if seconds > 0 and not _TARGETS.is_complete(now=now):
        _load_every_point(until=now + seconds)
    row = _TARGETS.get(point_pk)
    if row is None:
        row = _load_one_point(point_pk)
        if row is None:
            return None
        if seconds > 0:
            _TARGETS.set(point_pk, row)
    point = ServicePoint.from_db(connection.alias, _point_sql()[1], row)
    agency, services = _agency_and_services(point.agency_id, now=now, seconds=seconds)
    point.agency = agency
    return FeedbackTarget(point=point, services=services)


def feedback_target_forget(*, sender=None, instance=None, **_kwargs) -> None:
    """Connected to saves of points, services and agencies (feedback.apps): forgets what the
    change touches now, and again once it is committed, so a request that read the old rows
    in between does not keep them. Called without arguments, forgets everything."""
    _forget(sender, instance)
    transaction.on_commit(lambda: _forget(sender, instance))


def _forget(sender, instance) -> None:

    if sender is ServicePoint and instance is not None:
        _TARGETS.forget(instance.pk)
    elif sender is Agency and instance is not None:
        _AGENCIES.forget(instance.pk)
    elif sender is not None:  # a service: it may have moved between agencies
        _AGENCIES.forget()
    else:
        _TARGETS.forget()
        _AGENCIES.forget()


@functools.cache
def _point_sql() -> tuple[str, list[str]]:
    """The point's few columns, in the model's field order (as `Model.from_db` wants them)."""

    wanted = {"id", "name_th", "name_en", "status", "agency_id"}
    fields = [f for f in ServicePoint._meta.concrete_fields if f.attname in wanted]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(ServicePoint._meta.db_table)
    return (
        f"SELECT {columns} FROM {table} WHERE status = %s",  # noqa: S608
        [f.attname for f in fields],
    )


def _load_every_point(*, until: float) -> None:

    sql, _names = _point_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [ServicePoint.Status.PUBLISHED.value])
        rows = {row[0]: tuple(row) for row in cursor.fetchall()}
    _TARGETS.fill(rows, until=until)


def _load_one_point(point_pk: int) -> tuple | None:

    sql, _names = _point_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql + " AND id = %s", [ServicePoint.Status.PUBLISHED.value, point_pk])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def _agency_and_services(agency_id: int, *, now: float, seconds: int) -> tuple[object, tuple]:

    hit = _AGENCIES.get(agency_id, now=now)
    if hit is not None:
        return hit
    agency = Agency.objects.only("pk", "name_th", "name_en").get(pk=agency_id)
    services = tuple(services_for_agency(agency_id=agency_id))
    if seconds > 0:
        _AGENCIES.set(agency_id, (agency, services), until=now + seconds)
    return agency, services


def services_for_agency(*, agency_id: int):
    """The Citizen's Manual has no link from a service to a point: the agency's published
    services are offered, with "other" (ADR 0040)."""

    return (
        Service.objects.filter(agency_id=agency_id, status=Service.Status.PUBLISHED)
        .only("pk", "name_th", "name_en", "agency_id")
        .order_by("name_th", "pk")
    )


AREAS_AND_OVERALL = ("overall", *AREAS)
