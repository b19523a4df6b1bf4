from urllib.parse import urljoin

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_ega_admin
from agencies.models import Agency, AgencyRequest, agency_code_validator
from audit.services import audit_record
from core.imports import ImportResult
from core.mail import email_enqueue
from core.parsing import csv_table

IMPORT_COLUMNS = [
    "code",
    "kind",
    "parent_code",
    "name_th",
    "name_en",
    "abbreviation",
    "gfmis_code",
    "tax_id",
]
IMPORT_REQUIRED = ["code", "kind", "name_th"]


@transaction.atomic
def agency_create(
    *,
    by,
    code: str,
    kind: str,
    name_th: str,
    name_en: str = "",
    parent: Agency | None = None,
    abbreviation: str = "",
) -> Agency:
    agency = Agency(
        code=code.strip().lower(),
        kind=kind,
        name_th=name_th.strip(),
        name_en=name_en.strip(),
        parent=parent,
        abbreviation=abbreviation.strip(),
    )
    agency.full_clean()
    agency.save()
    audit_record(action="agency.created", actor=by, target=agency, agency=agency)
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    by,
    name_th: str,
    name_en: str = "",
    abbreviation: str = "",
    parent: Agency | None = None,
) -> Agency:
    """Renames or moves an agency (its code never changes); the agencies under it follow."""
    if not is_ega_admin(by):
        raise PermissionDenied
    before = {
        "name_th": agency.name_th,
        "name_en": agency.name_en,
        "abbreviation": agency.abbreviation,
        "parent": agency.parent.code if agency.parent is not None else None,
    }
    agency.name_th, agency.name_en = name_th.strip(), name_en.strip()
    agency.abbreviation = abbreviation.strip()
    agency.parent = parent
    agency.full_clean()
    agency.save()
    after = {
        "name_th": agency.name_th,
        "name_en": agency.name_en,
        "abbreviation": agency.abbreviation,
        "parent": parent.code if parent else None,
    }
    if before["parent"] != after["parent"]:
        _refresh_descendants(agency)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit_record(
            action="agency.moved" if "parent" in changed else "agency.renamed",
            actor=by,
            target=agency,
            agency=agency,
            data=changed,
        )
    return agency


def _refresh_descendants(agency: Agency) -> None:
    """Each agency stores its ministry: after a move, everything below takes the new one."""
    level = list(agency.children.all())
    for _depth in range(8):
        if not level:
            break
        for child in level:
            child.save()
        level = list(Agency.objects.filter(parent__in=level))


@transaction.atomic
def agency_archive(*, agency: Agency, by) -> Agency:
    """Deactivates an agency: kept with its history, gone from lists and registration."""
    if not is_ega_admin(by):
        raise PermissionDenied
    if agency.children.filter(status=Agency.Status.ACTIVE).exists():
        raise ValidationError(_("Archive or move the agencies under this one first."))
    agency.archive()
    agency.save(update_fields=["status", "updated_at"])
    audit_record(action="agency.archived", actor=by, target=agency, agency=agency)
    return agency


@transaction.atomic
def agency_request_submit(
    *,
    name_th: str,
    name_en: str,
    parent: Agency | None,
    requester_name: str,
    requester_email: str,
    requester_phone: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> AgencyRequest:
    report = AgencyRequest(
        name_th=name_th.strip(),
        name_en=name_en.strip(),
        parent=parent,
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip().lower(),
        requester_phone=requester_phone.strip(),
        note=note.strip(),
    )
    report.full_clean()
    report.save()
    audit_record(
        action="agency_request.submitted",
        actor_label=report.requester_email,
        target=report,
        request=request,
    )
    return report


@transaction.atomic
def agency_request_approve(
    *,
    report: AgencyRequest,
    by,
    base_url: str,
    code: str,
    kind: str,
    parent: Agency | None,
    name_th: str,
    name_en: str,
) -> Agency:
    if not is_ega_admin(by):
        raise ValidationError(_("Only an EGA administrator may add agencies."))
    report = AgencyRequest.objects.select_for_update().get(pk=report.pk)
    agency = agency_create(
        by=by, code=code, kind=kind, name_th=name_th, name_en=name_en, parent=parent
    )
    report.approve(by=by, agency=agency)
    report.save()
    audit_record(action="agency_request.approved", actor=by, target=report, agency=agency)
    email_enqueue(
        to=report.requester_email,
        template="agencies/email/request_approved",
        context={
            "report": report,
            "agency": agency,
            "link": urljoin(
                base_url, reverse("accounts:register_agency", kwargs={"code": agency.code})
            ),
        },
    )
    return agency


@transaction.atomic
def agency_request_reject(*, report: AgencyRequest, by, note: str) -> AgencyRequest:
    if not is_ega_admin(by):
        raise ValidationError(_("Only an EGA administrator may review these reports."))
    if not note.strip():
        raise ValidationError({"review_note": _("Say why, so the person who reported it knows.")})
    report = AgencyRequest.objects.select_for_update().get(pk=report.pk)
    report.reject(by=by, note=note.strip())
    report.save()
    audit_record(action="agency_request.rejected", actor=by, target=report)
    email_enqueue(
        to=report.requester_email,
        template="agencies/email/request_rejected",
        context={"report": report},
    )
    return report


def _read_rows(text: str, result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    try:
        table = csv_table(text)
    except ValidationError as error:
        result.errors.append((1, " ".join(error.messages)))
        return []
    missing = [c for c in IMPORT_REQUIRED + ["parent_code"] if c not in table.fieldnames]
    if missing:
        result.errors.append(
            (1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        )
        return []
    rows = []
    for line, row in table.rows:
        clean = {k: (row.get(k) or "").strip() for k in IMPORT_COLUMNS}
        rows.append((line, clean))
    return rows


def _code_errors(code: str, line: int, in_file: dict[str, int]) -> list[str]:
    errors = []
    try:
        agency_code_validator(code)
    except ValidationError:
        errors.append(
            _("Code “%(code)s” is not valid: use lowercase English letters, digits and hyphens.")
            % {"code": code}
        )
    if code in in_file:
        errors.append(
            _("Code “%(code)s” already appears on line %(line)s.")
            % {"code": code, "line": in_file[code]}
        )
    in_file.setdefault(code, line)
    return errors


def _parent_errors(row: dict[str, str], parent_kind: str | None) -> list[str]:
    parent = row["parent_code"]
    top = row["kind"] in (Agency.Kind.MINISTRY, Agency.Kind.INDEPENDENT)
    if parent and top:
        return [_("A ministry-level agency has no parent.")]
    if not parent:
        return (
            [_("parent_code is needed for a department or unit.")]
            if row["kind"] and not top
            else []
        )
    if parent == row["code"]:
        return [_("An agency cannot be part of itself.")]
    if parent_kind is None:
        return [_("Parent “%(code)s” is not in the directory or the file.") % {"code": parent}]
    if parent_kind == Agency.Kind.UNIT:
        return [_("A unit cannot contain other agencies.")]
    return []


def _check_rows(rows: list[tuple[int, dict[str, str]]], result: ImportResult) -> None:
    existing = {a.code: a.kind for a in Agency.objects.only("code", "kind")}
    in_file: dict[str, int] = {}
    kinds = {row["code"]: row["kind"] for _line, row in rows}
    for line, row in rows:
        errors = [
            _("“%(column)s” is empty.") % {"column": column}
            for column in IMPORT_REQUIRED
            if not row[column]
        ]
        if row["code"]:
            errors += _code_errors(row["code"], line, in_file)
        if row["kind"] and row["kind"] not in Agency.Kind.values:
            errors.append(
                _("Kind “%(kind)s” is not one of: %(kinds)s.")
                % {"kind": row["kind"], "kinds": ", ".join(Agency.Kind.values)}
            )
        parent = row["parent_code"]
        errors += _parent_errors(row, kinds.get(parent) or existing.get(parent))
        result.errors += [(line, message) for message in errors]


def _depth(code: str, parents: dict[str, str]) -> int:
    depth, seen = 0, {code}
    while parents.get(code):
        code = parents[code]
        if code in seen:
            return 99
        seen.add(code)
        depth += 1
    return depth


def agency_import_csv(*, text: str, by=None) -> ImportResult:
    """Creates or updates agencies by code. Any bad row: nothing is written, every error listed."""
    result = ImportResult()
    rows = _read_rows(text, result)
    if not result.errors:
        _check_rows(rows, result)
    if result.errors:
        return result
    parents = {row["code"]: row["parent_code"] for _line, row in rows}
    rows.sort(key=lambda item: _depth(item[1]["code"], parents))
    try:
        with transaction.atomic():
            for line, row in rows:
                _import_row(line, row, result)
            if result.errors:
                raise ValidationError("rollback")
            audit_record(
                action="agency.imported",
                actor=by,
                data={"created": result.created, "updated": result.updated},
            )
    except ValidationError:
        result.created = result.updated = result.unchanged = 0
    result.errors.sort()
    return result


def _import_row(line: int, row: dict[str, str], result: ImportResult) -> None:
    agency = Agency.objects.filter(code=row["code"]).first()
    created = agency is None
    agency = agency or Agency(code=row["code"])
    before = (
        agency.kind,
        agency.parent_id,
        agency.name_th,
        agency.name_en,
        agency.abbreviation,
        agency.gfmis_code,
        agency.tax_id,
    )
    agency.kind = row["kind"]
    agency.parent = Agency.objects.get(code=row["parent_code"]) if row["parent_code"] else None
    agency.name_th, agency.name_en = row["name_th"], row["name_en"]
    agency.abbreviation = row["abbreviation"]
    agency.gfmis_code, agency.tax_id = row["gfmis_code"], row["tax_id"]
    after = (
        agency.kind,
        agency.parent_id,
        agency.name_th,
        agency.name_en,
        agency.abbreviation,
        agency.gfmis_code,
        agency.tax_id,
    )
    if not created and before == after:
        result.unchanged += 1
        return
    try:
        agency.full_clean()
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            for message in messages:
                result.errors.append((line, f"{field_name}: {message}"))
        return
    agency.save()
    if created:
        result.created += 1
    else:
        result.updated += 1
