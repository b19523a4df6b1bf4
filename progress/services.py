"""Every write of `progress`."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from progress import access, sources
from progress.models import TALLY_FIELDS, Activity, Phase, ProcessTally


@transaction.atomic
def process_tally_refresh(*, agency_ids: Iterable[int] | None = None) -> int:
    """Counts the agencies' processes again (all agencies with `agency_ids=None`).

    Not audited: it derives figures from data whose own changes are audited."""
    counts = sources.process_counts(agency_ids=agency_ids)
    if agency_ids is None:
        ids = set(counts) | set(ProcessTally.objects.values_list("agency_id", flat=True))
    else:
        ids = set(agency_ids)
    existing = {t.agency_id: t for t in ProcessTally.objects.filter(agency_id__in=ids)}
    now = timezone.now()
    to_create, to_update = [], []
    zero = dict.fromkeys(TALLY_FIELDS, 0)
    valid = set(
        sources.active_agencies().model.objects.filter(pk__in=ids).values_list("pk", flat=True)
    )
    for agency_id in ids & valid:
        values = counts.get(agency_id, zero)
        tally = existing.get(agency_id)
        if tally is None:
            to_create.append(ProcessTally(agency_id=agency_id, refreshed_at=now, **values))
            continue
        for name in TALLY_FIELDS:
            setattr(tally, name, values[name])
        tally.refreshed_at = now
        to_update.append(tally)
    ProcessTally.objects.bulk_create(to_create, batch_size=2000)
    ProcessTally.objects.bulk_update(to_update, [*TALLY_FIELDS, "refreshed_at"], batch_size=2000)
    return len(to_create) + len(to_update)


@transaction.atomic
def activity_reschedule(
    *, activity: Activity, by: Any, starts_on: datetime.date, ends_on: datetime.date
) -> Activity:
    """Moves an activity's window (schedules are configurable for later phases)."""
    access.ensure_can_configure(by)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = [activity.starts_on.isoformat(), activity.ends_on.isoformat()]
    activity.starts_on, activity.ends_on = starts_on, ends_on
    activity.full_clean()
    activity.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        action="progress.activity.rescheduled",
        actor=by,
        target=activity,
        data={"before": before, "after": [starts_on.isoformat(), ends_on.isoformat()]},
    )
    return activity


@transaction.atomic
def phase_create(*, by: Any, number: int, name_th: str, name_en: str = "") -> Phase:
    """Opens a later phase of the programme (its activities follow in the schedule)."""
    access.ensure_can_configure(by)
    phase = Phase(number=number, name_th=name_th, name_en=name_en)
    phase.full_clean()
    phase.save()
    audit_record(
        action="progress.phase.created",
        actor=by,
        target=phase,
        data={"number": number, "name_th": name_th, "name_en": name_en},
    )
    return phase


@transaction.atomic
def phase_rename(*, phase: Phase, by: Any, name_th: str, name_en: str = "") -> Phase:
    access.ensure_can_configure(by)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    before = {"name_th": phase.name_th, "name_en": phase.name_en}
    phase.name_th, phase.name_en = name_th, name_en
    phase.full_clean()
    after = {"name_th": phase.name_th, "name_en": phase.name_en}
    if after == before:
        return phase
    phase.save(update_fields=["name_th", "name_en"])
    audit_record(
        action="progress.phase.renamed",
        actor=by,
        target=phase,
        data={"before": before, "after": after},
    )
    return phase


@transaction.atomic
def phase_archive(*, phase: Phase, by: Any) -> Phase:
    access.ensure_can_configure(by)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    phase.archive()
    phase.save(update_fields=["status"])
    audit_record(action="progress.phase.archived", actor=by, target=phase)
    return phase
