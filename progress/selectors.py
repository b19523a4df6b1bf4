"""Every read of `progress`: live aggregate SQL, grouped in the database (ADR 0060).

A report is a list of `Figures`, one per group (a ministry, a department, a unit or a
province), plus their total. Each page costs a fixed handful of grouped queries whatever
the number of agencies, points or processes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.templatetags.thai_dates import format_date
from progress import sources
from progress.models import TALLY_FIELDS, Activity, Phase, ProcessTally

DEFAULT_POINT_TARGET = 40_000


def point_target() -> int:
    return int(getattr(settings, "PROGRESS_SERVICE_POINT_TARGET", DEFAULT_POINT_TARGET))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    key: Any = None
    name: str = ""
    agency: Any = None  # the agency itself, for a group that is one agency and its children
    agencies: int = 0
    registered: int = 0
    pinned_agencies: int = 0
    points: int = 0
    surveyed: int = 0
    paths: dict[str, int] = field(default_factory=lambda: dict.fromkeys(sources.PATHS, 0))
    processes: int = 0
    asking_id_card: int = 0
    asking_house_registration: int = 0
    asking_any: int = 0
    stopped_id_card: int = 0
    stopped_house_registration: int = 0
    stopped_any: int = 0
    copy_free_agencies: int = 0
    copy_free_points: int = 0

    def add(self, other: Figures) -> None:
        for name in (
            "agencies",
            "registered",
            "pinned_agencies",
            "points",
            "surveyed",
            "processes",
            "asking_id_card",
            "asking_house_registration",
            "asking_any",
            "stopped_id_card",
            "stopped_house_registration",
            "stopped_any",
            "copy_free_agencies",
            "copy_free_points",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for path, count in other.paths.items():
            self.paths[path] = self.paths.get(path, 0) + count

    # Shares, 0..1 or None when there is nothing to divide by.
    @property
    def registered_share(self) -> float | None:
        return _share(self.registered, self.agencies)

    @property
    def surveyed_share(self) -> float | None:
        return _share(self.surveyed, self.pinned_agencies)

    @property
    def asked_before(self) -> int:
        """Processes that asked for a copy at some point: still asking, or stopped."""
        return self.asking_any + self.stopped_any

    @property
    def stopped_share(self) -> float | None:
        return _share(self.stopped_any, self.asked_before)

    @property
    def copy_free_share(self) -> float | None:
        return _share(self.copy_free_agencies, self.agencies)

    @property
    def copy_free_points_share(self) -> float | None:
        return _share(self.copy_free_points, self.points)

    @property
    def progress(self) -> float | None:
        """One number for colouring maps and bars: the share of processes that once asked
        for a copy and have stopped; for a province, the share of its points whose agency
        asks for no copy at all."""
        return self.stopped_share


# --- grouping ---------------------------------------------------------------------------
@dataclass
class Level:
    """Where a report stands: the nation, one ministry-level agency, or one department."""

    kind: str  # "nation" | "ministry" | "department" | "every_agency"
    agency: Any = None

    def scope(self, prefix: str = "") -> Q:
        active = Q(**{f"{prefix}status": "active"})
        if self.kind in ("nation", "every_agency"):
            return active
        pk = self.agency.pk
        if self.kind == "ministry":
            return active & (Q(**{f"{prefix}pk": pk}) | Q(**{f"{prefix}ministry_id": pk}))
        return active & (Q(**{f"{prefix}pk": pk}) | Q(**{f"{prefix}parent_id": pk}))

    def key(self, prefix: str = ""):
        """The group an agency falls in, one level below this one."""
        if self.kind == "nation":
            return Coalesce(F(f"{prefix}ministry_id"), F(f"{prefix}pk"))
        if self.kind == "ministry":
            pk = self.agency.pk
            return Case(
                When(
                    Q(**{f"{prefix}pk": pk}) | Q(**{f"{prefix}parent_id": pk}),
                    then=F(f"{prefix}pk"),
                ),
                default=F(f"{prefix}parent_id"),
                output_field=IntegerField(),
            )
        return F(f"{prefix}pk")


def level_for(agency) -> Level:
    if agency is None:
        return Level("nation")
    if agency.kind in ("ministry", "independent"):
        return Level("ministry", agency)
    return Level("department", agency)


def report(level: Level) -> tuple[list[Figures], Figures]:
    """The groups one level below `level`, each with its figures, and their total."""
    Agency = sources.agency_model()  # noqa: N806
    groups: dict[Any, Figures] = {}

    def group(key) -> Figures:
        if key not in groups:
            groups[key] = Figures(key=key)
        return groups[key]

    # 1. agencies, registered, copy-free: one query over the agency table.
    registered = sources.registrations_activated().filter(agency=OuterRef("pk"))
    rows = (
        Agency.objects.filter(level.scope())
        .annotate(g=level.key(), is_registered=Exists(registered))
        .values("g")
        .annotate(
            agencies=Count("pk"),
            registered=Count("pk", filter=Q(is_registered=True)),
            copy_free=Count("pk", filter=_copy_free()),
        )
        .order_by()
    )
    for row in rows:
        figures = group(row["g"])
        figures.agencies = row["agencies"]
        figures.registered = row["registered"]
        figures.copy_free_agencies = row["copy_free"]

    # 2. service points.
    points = sources.points_published()
    for row in (
        points.filter(level.scope("agency__"))
        .annotate(g=level.key("agency__"))
        .values("g")
        .annotate(points=Count("pk"), agencies=Count("agency_id", distinct=True))
        .order_by()
    ):
        figures = group(row["g"])
        figures.points = row["points"]
        figures.pinned_agencies = row["agencies"]

    # 3. readiness: the latest submitted answer of each agency, by path.
    surveys = sources.surveys_latest_submitted()
    for row in (
        surveys.filter(level.scope("agency__"))
        .annotate(g=level.key("agency__"))
        .values("g", "path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures = group(row["g"])
        figures.surveyed += row["n"]
        figures.paths[row["path"]] = figures.paths.get(row["path"], 0) + row["n"]

    # 4. processes, from the per-agency tallies.
    sums = {name: Sum(name) for name in TALLY_FIELDS}
    for row in (
        ProcessTally.objects.filter(level.scope("agency__"))
        .annotate(g=level.key("agency__"))
        .values("g")
        .annotate(**sums)
        .order_by()
    ):
        figures = group(row["g"])
        for name in TALLY_FIELDS:
            setattr(figures, name, row[name] or 0)

    # Names, and the agency behind each group (one query).
    keys = [k for k in groups if k is not None]
    for agency in Agency.objects.filter(pk__in=keys).select_related("parent"):
        groups[agency.pk].agency = agency
        groups[agency.pk].name = agency.name_th
    ordered = sorted(
        (g for g in groups.values() if g.agency is not None),
        key=lambda g: (_KIND_ORDER.get(g.agency.kind, 9), g.agency.name_th),
    )
    if level.agency is not None:  # the level's own office first
        ordered.sort(key=lambda g: g.agency.pk != level.agency.pk)
    total = Figures(name="total")
    for figures in ordered:
        total.add(figures)
    return ordered, total


_KIND_ORDER = {"ministry": 0, "independent": 1, "department": 2, "unit": 3}


def _copy_free(prefix: str = "") -> Q:
    """An agency that no longer asks for any copy: it has processes and none still asks."""
    return Q(
        **{f"{prefix}process_tally__processes__gt": 0, f"{prefix}process_tally__asking_any": 0}
    )


def national() -> Figures:
    _rows, total = report(Level("nation"))
    return total


# --- provinces --------------------------------------------------------------------------
def provinces() -> tuple[list[Figures], Figures]:
    """Every province with its published points, the agencies that serve there, and the
    points whose agency no longer asks for any copy."""
    names = sources.province_names()
    groups = {code: Figures(key=code, name=name) for code, name in names.items()}
    points = sources.points_published()
    rows = (
        points.filter(agency__status="active")
        .values("province_code")
        .annotate(
            points=Count("pk"),
            agencies=Count("agency_id", distinct=True),
            copy_free=Count("pk", filter=_copy_free("agency__")),
        )
        .order_by()
    )
    for row in rows:
        figures = groups.setdefault(
            row["province_code"], Figures(key=row["province_code"], name=row["province_code"])
        )
        figures.points = row["points"]
        figures.pinned_agencies = row["agencies"]
        figures.copy_free_points = row["copy_free"]
    ordered = sorted(groups.values(), key=lambda g: g.name)
    total = Figures(name="total")
    for figures in ordered:
        total.add(figures)
    return ordered, total


def province_report(*, code: str) -> tuple[list[Figures], Figures] | None:
    """One province: its points by ministry, with the ministries' own process figures."""
    names = sources.province_names()
    if code not in names:
        return None
    points = sources.points_published()
    groups: dict[Any, Figures] = {}
    level = Level("nation")
    rows = (
        points.filter(province_code=code, agency__status="active")
        .annotate(g=level.key("agency__"))
        .values("g")
        .annotate(
            points=Count("pk"),
            agencies=Count("agency_id", distinct=True),
            copy_free=Count("pk", filter=_copy_free("agency__")),
        )
        .order_by()
    )
    for row in rows:
        groups[row["g"]] = Figures(
            key=row["g"],
            points=row["points"],
            pinned_agencies=row["agencies"],
            copy_free_points=row["copy_free"],
        )
    Agency = sources.agency_model()  # noqa: N806
    for agency in Agency.objects.filter(pk__in=list(groups)):
        groups[agency.pk].agency = agency
        groups[agency.pk].name = agency.name_th
    ordered = sorted((g for g in groups.values() if g.agency), key=lambda g: g.name)
    total = Figures(key=code, name=names[code])
    for figures in ordered:
        total.add(figures)
    return ordered, total


# --- one agency ---------------------------------------------------------------------------
@dataclass
class Step:
    key: str
    label: Any
    done: bool
    missing: str
    url: str | None
    # The survey step while no round is open: nothing to start, so say when and whom to ask.
    closed: bool = False


def agency_figures(*, agency) -> Figures:
    """The agency itself (not its children)."""
    level = Level("department", agency)
    rows, _total = report(level)
    own = next((r for r in rows if r.agency is not None and r.agency.pk == agency.pk), None)
    return own or Figures(key=agency.pk, name=agency.name_th, agency=agency, agencies=1)


def agency_checklist(*, agency, figures: Figures | None = None) -> list[Step]:
    """registered → pinned → surveyed → processes updated → copies stopped, with what is
    missing and where to do it."""

    figures = figures or agency_figures(agency=agency)
    urls = sources.step_urls()
    asking = figures.asking_any
    steps = [
        Step(
            "registered",
            _("Registered for credentials"),
            figures.registered > 0,
            _("Nobody from this agency has activated an account yet."),
            urls["registered"],
        ),
        Step(
            "pinned",
            _("Pinned its service points"),
            figures.points > 0,
            _("No service point of this agency is published on the map yet."),
            urls["pinned"],
        ),
        _survey_step(figures=figures, url=urls["surveyed"]),
        Step(
            "processes",
            _("Updated its processes in the Citizen's Manual"),
            figures.processes > 0 and (figures.stopped_any > 0 or asking == 0),
            _("No process in the Citizen's Manual has been updated to stop asking for copies.")
            if figures.processes
            else _("The agency has no process in the Citizen's Manual yet."),
            urls["processes"],
        ),
        Step(
            "copies",
            _("Stopped asking for copies in every process"),
            figures.processes > 0 and asking == 0,
            ngettext(
                "%(count)d process still asks for a copy of the ID card or house registration.",
                "%(count)d processes still ask for a copy of the ID card or house registration.",
                asking,
            )
            % {"count": asking}
            if figures.processes
            else _("The agency has no process in the Citizen's Manual yet."),
            urls["copies"],
        ),
    ]
    return steps


def _survey_step(*, figures: Figures, url: str | None) -> Step:
    """The survey step; while no round is open it says so (as the closed-survey page does)."""
    from django.utils.translation import gettext as _

    label = _("Answered the readiness survey")
    done = figures.surveyed > 0
    rounds = sources.survey_rounds()
    if done or rounds.current is not None:
        return Step(
            "surveyed", label, done, _("The readiness survey has not been submitted yet."), url
        )
    parts = [_("The survey is not open now.")]
    if rounds.last is not None:
        parts.append(
            _("The last round, %(name)s, closed on %(date)s.")
            % {"name": rounds.last, "date": format_date(rounds.last.closes_on)}
        )
    if rounds.next is not None:
        parts.append(
            _("The next round, %(name)s, opens on %(date)s.")
            % {"name": rounds.next, "date": format_date(rounds.next.opens_on)}
        )
    else:
        parts.append(_("No next round has been scheduled yet."))
    return Step("surveyed", label, False, " ".join(parts), None, closed=True)


# --- the schedule -----------------------------------------------------------------------
@dataclass
class ActivityProgress:
    activity: Activity
    value: int
    target: int
    expected: float

    @property
    def share(self) -> float | None:
        return _share(self.value, self.target)

    @property
    def state(self) -> str:
        today = timezone.localdate()
        share = self.share or 0.0
        if share >= 1:
            return "done"
        if today < self.activity.starts_on:
            return "not_started"
        if today > self.activity.ends_on:
            return "overdue"
        return "on_track" if share >= self.expected else "behind"


def timeline(*, total: Figures | None = None, today: datetime.date | None = None) -> list[dict]:
    """Every active phase with its activities, each measured against its window."""
    total = total or national()
    measures = {
        Activity.Measure.REGISTERED: (total.registered, total.agencies),
        Activity.Measure.PINNED: (total.points, point_target()),
        Activity.Measure.SURVEYED: (total.surveyed, total.pinned_agencies),
        Activity.Measure.COPIES_STOPPED: (total.stopped_any, total.asked_before),
    }
    phases = []
    activities = list(
        Activity.objects.filter(phase__status=Phase.Status.ACTIVE).select_related("phase")
    )
    by_phase: dict[int, dict] = {}
    for activity in activities:
        value, target = measures[activity.measure]
        entry = by_phase.setdefault(activity.phase_id, {"phase": activity.phase, "activities": []})
        entry["activities"].append(
            ActivityProgress(activity, value, target, activity.elapsed_fraction(today))
        )
    for entry in by_phase.values():
        dates = [a.activity.starts_on for a in entry["activities"]] + [
            a.activity.ends_on for a in entry["activities"]
        ]
        entry["starts_on"], entry["ends_on"] = min(dates), max(dates)
        phases.append(entry)
    return phases
