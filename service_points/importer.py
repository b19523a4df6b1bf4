"""Bulk import of an agency's points from CSV or XLSX: every row checked, all or nothing.

The columns are the open data set's (so a downloaded CSV comes back in unchanged), plus the
private contact columns. `id` of one of the agency's own points updates that point; an empty
or unknown `id` creates a new draft.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.parsing import csv_table, optional_id
from service_points.models import ServicePoint, ServicePointChange
from service_points.services import EDITABLE_FIELDS, POSITION_FIELDS, _clean_value

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


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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


def _row_fields(row: dict) -> dict:
    values = {k: (row.get(k) or "").strip() for k in EDITABLE_FIELDS if k in row}
    sub = values.get("subdistrict_code", "")
    values["district_code"] = sub[:4]
    values["province_code"] = sub[:2]
    values.setdefault("government", ServicePoint.Government.ADMINISTRATIVE)
    if not values["government"]:
        values["government"] = ServicePoint.Government.ADMINISTRATIVE
    return values


def service_point_import(*, agency, by, data: bytes, filename: str) -> ImportResult:
    """Creates or updates the agency's points. Any bad row: nothing written, every error listed."""
    result = ImportResult()
    try:
        rows = read_rows(data=data, filename=filename)
    except ValidationError as error:
        result.errors.append((1, " ".join(error.messages)))
        return result
    if not rows:
        result.errors.append((1, _("The file has no rows.")))
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        result.errors.append(
            (1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return result
    own = {p.pk: p for p in ServicePoint.objects.filter(agency=agency)}
    other_ids = set()
    ids = [i for r in rows if (i := optional_id(r.get("id"))) is not None]
    if ids:
        other_ids = set(
            ServicePoint.objects.filter(pk__in=ids)
            .exclude(agency=agency)
            .values_list("pk", flat=True)
        )
    pending: list[tuple[int, ServicePoint, dict | None]] = []
    for index, row in enumerate(rows, start=2):
        agency_code = (row.get("agency_code") or "").strip()
        if agency_code and agency_code != agency.code:
            result.errors.append(
                (
                    index,
                    _("agency_code “%(code)s” is not your agency (%(own)s).")
                    % {"code": agency_code, "own": agency.code},
                )
            )
            continue
        raw_id = (row.get("id") or "").strip()
        point_id = optional_id(raw_id)
        if raw_id and point_id is None:
            result.errors.append((index, _("id “%(id)s” is not a number.") % {"id": raw_id}))
            continue
        if point_id in other_ids:
            result.errors.append(
                (index, _("Point %(id)s belongs to another agency.") % {"id": point_id})
            )
            continue
        values = _row_fields(row)
        existing = own.get(point_id) if point_id else None
        point = ServicePoint(agency=agency, pinned_by=by) if existing is None else existing
        before = {k: getattr(point, k) for k in EDITABLE_FIELDS} if existing else None
        if existing is not None and existing.status == ServicePoint.Status.ARCHIVED:
            result.errors.append((index, _("Point %(id)s is archived.") % {"id": point_id}))
            continue
        try:
            for name, value in values.items():
                setattr(point, name, _clean_value(name, value))
            point.full_clean(exclude=["agency", "pinned_by"])
        except ValidationError as error:
            for field_name, messages in getattr(
                error, "message_dict", {"": error.messages}
            ).items():
                for message in messages:
                    result.errors.append(
                        (index, f"{field_name}: {message}" if field_name else message)
                    )
            continue
        pending.append((index, point, before))
    if result.errors:
        result.errors.sort()
        return result
    with transaction.atomic():
        to_create = [p for _i, p, before in pending if before is None]
        for point in to_create:
            point.refresh_search_text()
        ServicePoint.objects.bulk_create(to_create, batch_size=1000)
        changes = [
            ServicePointChange(
                point=p,
                kind=ServicePointChange.Kind.CREATED,
                source=ServicePointChange.Source.IMPORT,
                changed_by=by,
                changed_by_label=getattr(by, "email", ""),
            )
            for p in to_create
        ]
        result.created = len(to_create)
        for _index, point, before in pending:
            if before is None:
                continue
            diff = {
                k: [before[k], getattr(point, k)]
                for k in EDITABLE_FIELDS
                if before[k] != getattr(point, k)
            }
            if not diff:
                result.unchanged += 1
                continue
            point.save()
            result.updated += 1
            moved = {k: v for k, v in diff.items() if k in POSITION_FIELDS}
            edited = {k: v for k, v in diff.items() if k not in POSITION_FIELDS}
            for kind, data_ in (
                (ServicePointChange.Kind.MOVED, moved),
                (ServicePointChange.Kind.EDITED, edited),
            ):
                if data_:
                    changes.append(
                        ServicePointChange(
                            point=point,
                            kind=kind,
                            source=ServicePointChange.Source.IMPORT,
                            changed_by=by,
                            changed_by_label=getattr(by, "email", ""),
                            changes=data_,
                        )
                    )
        ServicePointChange.objects.bulk_create(changes, batch_size=2000)
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
    from service_points.selectors import bump_map_version

    bump_map_version()
    return result
