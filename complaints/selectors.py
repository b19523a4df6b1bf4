"""Every read of complaints. Public reads never carry personal data and skip held complaints."""

import functools
import statistics
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency
from complaints import conf
from complaints.models import Category, Complaint, ComplaintEvent, ResponseTemplate
from core import pg
from core.memo import ProcessCache
from service_points import geo

PUBLIC_PAGE_SIZE = 50


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


# The offered categories, per process, for the submission's quick path (ADR 0101). Saving a
# category forgets them in this process (also at commit); other processes keep their copy up
# to COMPLAINTS_CACHE_SECONDS, which is safe: the statement that files a complaint checks
# that the category is still offered with the same deadline.
_CATEGORIES: ProcessCache[dict[int, Category]] = ProcessCache("complaints.categories")


def categories_offered() -> dict[int, Category]:
    """The active categories by id (with their default agency's id), from this process's copy."""
    seconds = conf.get("COMPLAINTS_CACHE_SECONDS")
    found = _CATEGORIES.get("active") if seconds > 0 else None
    if found is None:
        found = {category.pk: category for category in categories_active()}
        if seconds > 0:
            _CATEGORIES.set("active", found, until=time.monotonic() + seconds)
    return found


def categories_forget(**_kwargs) -> None:
    """Connected to saves and deletes of categories (complaints.apps)."""
    _CATEGORIES.forget()
    transaction.on_commit(_CATEGORIES.forget)


def public_complaints(
    *,
    province_code: str = "",
    agency=None,
    category: Category | None = None,
    state: str = "",
) -> QuerySet[Complaint]:
    """Public complaints, newest first. `state` is a state or "open"/"closed"."""
    qs = Complaint.objects.filter(held=False).select_related("category", "agency")
    if province_code:
        qs = qs.filter(province_code=province_code)
    if agency is not None:
        qs = qs.filter(agency=agency)
    if category is not None:
        qs = qs.filter(category=category)
    if state == "open":
        qs = qs.filter(state__in=Complaint.OPEN_STATES)
    elif state == "closed":
        qs = qs.filter(state__in=Complaint.DONE_STATES)
    elif state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at")


# The public list counts exactly up to this many, then says "more than" (ADR 0103): counting
# every public complaint of the country (2 million) would read them all on each visit.
PUBLIC_COUNT_CAP = 10_000


@dataclass
class PublicPage:
    """One page of the public list, by keyset (newest first, on (created_at, id)): the page
    after a complaint or before one costs the same at page 1 and page 40,000."""

    complaints: list[Complaint]
    count: int  # capped at PUBLIC_COUNT_CAP + 1 (then `count_capped`)
    older: int | None  # the last complaint's id when older ones follow
    newer: int | None  # the first complaint's id when newer ones exist

    @property
    def count_capped(self) -> bool:
        return self.count > PUBLIC_COUNT_CAP

    def __iter__(self):
        return iter(self.complaints)


def public_page(
    qs: QuerySet[Complaint],
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PUBLIC_PAGE_SIZE,
) -> PublicPage:
    """The page of `qs` (public_complaints()) older than complaint `after`, or newer than
    `before`, or the newest. An id that is not in the list is treated as no anchor."""
    # Counting a column the public indexes hold lets PostgreSQL count from the index alone.
    count = qs.order_by().values("created_at")[: PUBLIC_COUNT_CAP + 1].count()
    anchor_id = after or before
    anchor = qs.filter(pk=anchor_id).values_list("created_at", "pk").first() if anchor_id else None
    if anchor is not None:
        # "(created_at, id) < anchor" written as a range on created_at that an index serves,
        # less the anchor's own instant's later ids (an OR of the two made PostgreSQL filter
        # the whole newest-first index: 0.6 s at page 41 of a province).
        created_at, pk = anchor
        if after:
            older = Q(created_at__lte=created_at) & ~Q(created_at=created_at, pk__gte=pk)
            rows = list(qs.filter(older).order_by("-created_at", "-pk")[: size + 1])
            if rows:
                return PublicPage(rows[:size], count, _last_pk(rows, size), rows[0].pk)
        else:
            newer = Q(created_at__gte=created_at) & ~Q(created_at=created_at, pk__lte=pk)
            rows = list(qs.filter(newer).order_by("created_at", "pk")[: size + 1])
            if len(rows) > size:  # else the newest page, full
                page = rows[:size][::-1]
                return PublicPage(page, count, page[-1].pk, page[0].pk)
    rows = list(qs.order_by("-created_at", "-pk")[: size + 1])
    return PublicPage(rows[:size], count, _last_pk(rows, size), None)


def _last_pk(rows: list[Complaint], size: int) -> int | None:
    """The page's last id when more rows follow it (`rows` holds one more than the page)."""
    return rows[size - 1].pk if len(rows) > size else None


def complaint_public_get(*, reference: str) -> Complaint | None:
    return (
        Complaint.objects.filter(reference=reference, held=False)
        .select_related("category", "agency", "duplicate_of")
        .first()
    )


def complaint_by_token(*, token: str) -> Complaint | None:
    if not token or len(token) > 64:
        return None
    return Complaint.objects.filter(follow_token=token).select_related("category", "agency").first()


def complaint_get(*, reference: str) -> Complaint | None:
    return (
        Complaint.objects.filter(reference=reference)
        .select_related("category", "agency", "point", "service", "duplicate_of")
        .first()
    )


def timeline(*, complaint: Complaint, internal: bool = False) -> QuerySet[ComplaintEvent]:
    qs = complaint.events.select_related("from_agency", "to_agency", "actor")
    return qs if internal else qs.filter(internal=False)


def queue(
    *,
    agency=None,
    fallback: bool = False,
    everyone: bool = False,
    state: str = "open",
    overdue: bool = False,
):
    """An agency's complaints (or EGA's fallback queue, or every agency's for overseers), most
    urgent deadline first."""
    qs = Complaint.objects.select_related("category", "agency").filter(held=False)
    if not everyone:
        qs = qs.filter(agency__isnull=True) if fallback else qs.filter(agency=agency)
    if state == "open":
        qs = qs.filter(state__in=Complaint.OPEN_STATES)
    elif state == "closed":
        qs = qs.filter(state__in=Complaint.DONE_STATES)
    elif state in Complaint.State.values:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state__in=Complaint.OPEN_STATES, deadline__lt=timezone.localdate())
    return qs.order_by("deadline", "created_at")


@dataclass(frozen=True)
class Attention:
    """What the console home counts: overdue complaints of every agency, and EGA's fallback
    queue (waiting for an agency; of those, overdue)."""

    overdue: int
    fallback_open: int
    fallback_overdue: int


def attention(today=None) -> Attention:
    today = today or timezone.localdate()
    overdue = Q(state__in=Complaint.OPEN_STATES, deadline__lt=today)
    counts = Complaint.objects.filter(held=False).aggregate(
        overdue=Count("pk", filter=overdue),
        fallback_open=Count("pk", filter=Q(agency__isnull=True, state__in=Complaint.OPEN_STATES)),
        fallback_overdue=Count("pk", filter=overdue & Q(agency__isnull=True)),
    )
    return Attention(**counts)


def held_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(held=True).select_related("category").order_by("-created_at")


def templates_for(*, agency) -> QuerySet[ResponseTemplate]:
    return ResponseTemplate.objects.filter(agency=agency)


def nearby_open(
    *, category: Category, latitude: float, longitude: float, limit: int = 5
) -> list[Complaint]:
    """Up to `limit` open public complaints of the category within COMPLAINTS_NEARBY_METRES.

    Asked before every filing, so the candidates come from one plain statement (prepared on
    PostgreSQL) rather than the ORM; the few found are then read as complaints."""
    radius = conf.get("COMPLAINTS_NEARBY_METRES")
    south, west, north, east = geo.bbox_around(latitude, longitude, radius)
    params = [category.pk, south, north, west, east]
    if pg.is_postgresql():
        candidates = pg.fetchall(_nearby_sql(), params, prepare=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_nearby_sql(), params)
            candidates = cursor.fetchall()
    found = []
    for pk, lat, lon in candidates:
        distance = geo.haversine_m(latitude, longitude, lat, lon)
        if distance <= radius:
            found.append((distance, pk))
    found.sort()
    pks = [pk for _d, pk in found[:limit]]
    complaints = Complaint.objects.in_bulk(pks) if pks else {}
    return [complaints[pk] for pk in pks if pk in complaints]


@functools.cache
def _nearby_sql() -> str:
    states = ", ".join(f"'{state}'" for state in Complaint.OPEN_STATES)  # our constants
    return (
        f"SELECT id, latitude, longitude FROM {Complaint._meta.db_table} "  # noqa: S608
        f"WHERE held = false AND category_id = %s AND state IN ({states}) "
        "AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s "
        "ORDER BY created_at DESC LIMIT 200"
    )


@dataclass
class Figures:
    received: int
    open: int
    fixed: int
    closed: int
    overdue: int
    reopened: int
    confirmed: int
    median_days_to_fix: float | None

    @property
    def reopen_rate(self) -> float | None:
        done = self.fixed + self.closed
        return round(100 * self.reopened / done, 1) if done else None

    @property
    def confirmation_rate(self) -> float | None:
        return round(100 * self.confirmed / self.fixed, 1) if self.fixed else None


NATIONAL_CACHE_SECONDS = 300


def figures(*, agency=None) -> Figures:
    """An agency's (or, with agency=None, the nation's) public figures; held complaints, the
    flood a limit caught, count nowhere. The nation's (millions of rows) are kept for five
    minutes in the cache."""
    if agency is None:
        cached = cache.get("complaints:figures:national")
        if cached is None:
            cached = _figures(agency=None)
            cache.set("complaints:figures:national", cached, NATIONAL_CACHE_SECONDS)
        return cached
    return _figures(agency=agency)


def _median_days(qs) -> float | None:
    fixed = qs.filter(state=Complaint.State.FIXED, fixed_at__isnull=False)
    if connection.vendor == "postgresql":
        # One pass in the database instead of every duration in Python.
        sql, params = fixed.values("pk").query.sql_with_params()
        table = Complaint._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "  # noqa: S608
                "EXTRACT(EPOCH FROM fixed_at - created_at)) "
                f"FROM {table} WHERE id IN ({sql})",
                params,
            )
            value = cursor.fetchone()[0]
        return round(value / 86400, 1) if value is not None else None
    durations = [
        (fixed_at - created_at).total_seconds() / 86400
        for created_at, fixed_at in fixed.values_list("created_at", "fixed_at")
    ]
    return round(statistics.median(durations), 1) if durations else None


def _figures(*, agency=None) -> Figures:
    qs = Complaint.objects.filter(held=False)
    if agency is not None:
        qs = qs.filter(agency=agency)
    today = timezone.localdate()
    row = qs.aggregate(
        received=Count("pk"),
        open=Count("pk", filter=Q(state__in=Complaint.OPEN_STATES)),
        fixed=Count("pk", filter=Q(state=Complaint.State.FIXED)),
        closed=Count("pk", filter=Q(state__in=Complaint.CLOSED_STATES)),
        overdue=Count("pk", filter=Q(state__in=Complaint.OPEN_STATES, deadline__lt=today)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        confirmed=Count(
            "pk", filter=Q(state=Complaint.State.FIXED, reporter_confirmed_at__isnull=False)
        ),
    )
    return Figures(median_days_to_fix=_median_days(qs), **row)


def figures_by_agency() -> dict[int, Figures]:
    """Every agency with complaints: its figures (for the progress reports)."""
    agency_ids = (
        Complaint.objects.filter(held=False, agency__isnull=False)
        .values_list("agency_id", flat=True)
        .distinct()
    )

    return {
        agency.pk: figures(agency=agency) for agency in Agency.objects.filter(pk__in=agency_ids)
    }
