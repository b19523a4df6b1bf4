"""Keeps each agency's ProcessTally current: another app's write marks the agency, and the
count runs once the transaction commits (ADR 0060). The only writes `progress` makes on
another app's behalf; `sources` only reads."""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from progress.services import process_tally_refresh


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
    pairs = [
        ("manual.Service", _on_service),
        ("manual.RequiredDocument", _on_service_child),
        ("manual.ServiceVersion", _on_service_child),
        ("readiness.SurveyResponse", _on_response),
    ]
    for label, handler in pairs:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(handler, sender=model, dispatch_uid=f"progress:{label}:{signal}")
