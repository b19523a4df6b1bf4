"""Bulk import of an agency's points from CSV or XLSX: every row checked, all or nothing.

The columns are the open data set's (so a downloaded CSV comes back in unchanged), plus the
private contact columns. `id` of one of the agency's own points updates that point; an empty
or unknown `id` creates a new draft.
"""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from core.imports import ImportResult
from core.parsing import csv_table, optional_id
from service_points.models import ServicePoint, ServicePointChange
from service_points.selectors import bump_map_version
from service_points.services import EDITABLE_FIELDS, point_apply, point_history, point_new

REQUIRED_COLUMNS = [
    "name_th",
    "name_en",
    "subdistrict_code",
    "postcode",
    "latitude",
    "longitude",
    "phone",
]
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024


def _rows_from_csv(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The CSV file is not UTF-8. Save it as “CSV UTF-8”.")) from None
    return [row for _line, row in csv_table(text).rows]


def _rows_from_xlsx(data: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ValidationError(
            _("This file is not an Excel workbook (.xlsx) we can read.")
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    result = []
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            continue
        result.append(
            {h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False)}
        )
        if len(result) > MAX_ROWS:
            break
    workbook.close()
    return result


def read_rows(*, data: bytes, filename: str) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB. Split it into several files."))
    name = filename.lower()
    if name.endswith(".csv"):
        rows = _rows_from_csv(data)
    elif name.endswith(".xlsx"):
        rows = _rows_from_xlsx(data)
    else:
        raise ValidationError(_("Send a .csv or .xlsx file."))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    return rows


def _row_fields(row: dict, existing: ServicePoint | None = None) -> dict:
    """The row's values; a missing or empty `government` keeps the point's own (a new point:
    administrative)."""
    values = {k: (row.get(k) or "").strip() for k in EDITABLE_FIELDS if k in row}
    sub = values.get("subdistrict_code", "")
    values["district_code"] = sub[:4]
    values["province_code"] = sub[:2]
    if not values.get("government"):
        values["government"] = (
            existing.government if existing else ServicePoint.Government.ADMINISTRATIVE
        )
    return values


def _row_error(result: ImportResult, index: int, error: ValidationError) -> None:
    for field_name, messages in getattr(error, "message_dict", {"": error.messages}).items():
        for message in messages:
            result.errors.append((index, f"{field_name}: {message}" if field_name else message))


def _check_file(data: bytes, filename: str, result: ImportResult) -> list[dict]:
    """The file's rows, or none with the reason in `result.errors`."""
    try:
        rows = read_rows(data=data, filename=filename)
    except ValidationError as error:
        result.errors.append((1, " ".join(error.messages)))
        return []
    if not rows:
        result.errors.append((1, _("The file has no rows.")))
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        result.errors.append(
            (1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return []
    return rows


def _row_target(row: dict, agency, own: dict, other_ids: set) -> ServicePoint | None:
    """The agency's own point the row updates, None for a new one; refuses anything else."""
    agency_code = (row.get("agency_code") or "").strip()
    if agency_code and agency_code != agency.code:
        raise ValidationError(
            _("agency_code “%(code)s” is not your agency (%(own)s).")
            % {"code": agency_code, "own": agency.code}
        )
    raw_id = (row.get("id") or "").strip()
    if not raw_id:
        return None
    point_id = optional_id(raw_id)
    if point_id is None:
        raise ValidationError(_("id “%(id)s” is not a number.") % {"id": raw_id})
    if point_id in other_ids:
        raise ValidationError(_("Point %(id)s belongs to another agency.") % {"id": point_id})
    existing = own.get(point_id)
    if existing is not None and existing.status == ServicePoint.Status.ARCHIVED:
        raise ValidationError(_("Point %(id)s is archived.") % {"id": point_id})
    return existing


def service_point_import(*, agency, by, data: bytes, filename: str) -> ImportResult:
    """Creates or updates the agency's points. Any bad row: nothing written, every error listed.

    Each row goes through the same `point_new` / `point_apply` as the pin page, so an imported
    point gets the same history, audit events and timestamps; only the saving is in bulk."""
    result = ImportResult()
    rows = _check_file(data, filename, result)
    if not rows:
        return result
    own = {p.pk: p for p in ServicePoint.objects.select_related("agency").filter(agency=agency)}
    ids = [i for r in rows if (i := optional_id(r.get("id"))) is not None]
    other_ids = set(
        ServicePoint.objects.filter(pk__in=ids).exclude(agency=agency).values_list("pk", flat=True)
        if ids
        else []
    )
    created: list[tuple[ServicePoint, dict]] = []
    updated: list[tuple[ServicePoint, dict]] = []
    for index, row in enumerate(rows, start=2):
        try:
            existing = _row_target(row, agency, own, other_ids)
            if existing is None:
                created.append(point_new(agency=agency, by=by, fields=_row_fields(row)))
            else:
                history = point_apply(existing, by=by, fields=_row_fields(row, existing))
                if history:
                    updated.append((existing, history))
                else:
                    result.unchanged += 1
        except ValidationError as error:
            _row_error(result, index, error)
    if result.errors:
        result.errors.sort()
        return result
    _save(created, updated, agency=agency, by=by, filename=filename, result=result)
    bump_map_version()
    return result


@transaction.atomic
def _save(created, updated, *, agency, by, filename: str, result: ImportResult) -> None:
    new_points = [point for point, _kinds in created]
    for point in new_points:
        point.refresh_search_text()
    ServicePoint.objects.bulk_create(new_points, batch_size=1000)
    for point, _kinds in updated:
        point.save()
    changes, events = [], []
    for point, history in [*created, *updated]:
        for kind, data_ in history.items():
            change, event = point_history(
                point, kind=kind, by=by, source=ServicePointChange.Source.IMPORT, changes=data_
            )
            changes.append(change)
            events.append(event)
    ServicePointChange.objects.bulk_create(changes, batch_size=2000)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    result.created, result.updated = len(created), len(updated)
    audit_record(
        action="service_point.imported",
        actor=by,
        agency=agency,
        data={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "file": filename[:100],
        },
    )
