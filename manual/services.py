"""Every write to the Citizen's Manual."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.services import audit_record
from manual.access import can_edit_service
from manual.models import (
    SAMPLE_FORM_TYPES,
    RequiredDocument,
    SampleForm,
    Service,
    ServiceChannel,
    ServiceFee,
    ServiceStep,
    ServiceVersion,
    validate_sample_form_file,
)
from manual.records import build_snapshot, diff_snapshots
from manual.search import index_text

SERVICE_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "category",
    "keywords",
    "description",
    "legal_basis",
    "criteria",
    "total_duration_value",
    "total_duration_unit",
    "no_fee",
    "complaint_channels",
    "notes",
)
CHILDREN: dict[str, tuple[Any, tuple[str, ...]]] = {
    # relation: (model, fields, label for errors)
    "steps": (ServiceStep, ("description", "duration_value", "duration_unit", "responsible_unit")),
    "documents": (
        RequiredDocument,
        (
            "name",
            "form",
            "count",
            "issuing_agency",
            "is_id_card_copy",
            "is_house_registration_copy",
            "note",
        ),
    ),
    "fees": (ServiceFee, ("description", "amount")),
    "channels": (ServiceChannel, ("kind", "place", "province", "opening_hours", "url")),
}


def _child_label(relation: str, number: int) -> str:
    labels = {
        "steps": _("Step %(number)s"),
        "documents": _("Document %(number)s"),
        "fees": _("Fee %(number)s"),
        "channels": _("Channel %(number)s"),
    }
    return labels[relation] % {"number": number}


def _ensure_can_edit(by: Any, service: Service) -> None:
    """`by=None` is the system itself (management commands); people must own the service."""
    if by is not None and not can_edit_service(by, service):
        raise PermissionDenied


def _build_children(
    service: Service, relation: str, rows: list[dict], errors: dict[str, list[str]]
) -> list:
    model, fields = CHILDREN[relation]
    built = []
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - set(fields)
        if unknown:
            errors.setdefault(relation, []).append(
                _("%(item)s: unknown fields %(fields)s")
                % {"item": _child_label(relation, number), "fields": ", ".join(sorted(unknown))}
            )
            continue
        instance = model(service=service, position=number, **row)
        try:
            instance.full_clean(exclude=["service"])
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                label = (
                    getattr(model._meta.get_field(field_name), "verbose_name", "")
                    if field_name in fields
                    else ""
                )
                for message in messages:
                    errors.setdefault(relation, []).append(
                        f"{_child_label(relation, number)}: {label}: {message}"
                        if label
                        else f"{_child_label(relation, number)}: {message}"
                    )
        built.append(instance)
    return built


def _check_completeness(
    *, no_fee: bool, steps: list, fees: list, errors: dict[str, list[str]]
) -> None:
    if not steps:
        errors.setdefault("steps", []).append(_("Add at least one step."))
    if no_fee and fees:
        errors.setdefault("no_fee", []).append(
            _("You ticked “there is no fee” but also listed fees: keep one or the other.")
        )
    if not no_fee and not fees:
        errors.setdefault("no_fee", []).append(
            _("List the fees, or tick “there is no fee”: the Act requires saying so.")
        )


@transaction.atomic
def service_save(
    *,
    by: Any,
    agency: Agency,
    fields: dict[str, Any],
    steps: list[dict],
    documents: list[dict],
    fees: list[dict],
    channels: list[dict],
    service: Service | None = None,
) -> Service:
    """Create or replace the working copy of a service. Any error: nothing is written."""
    created = service is None
    if service is None:
        service = Service(agency=agency)
    else:
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.agency_id != agency.pk:
            raise PermissionDenied
    _ensure_can_edit(by, service)
    if service.status == Service.Status.ARCHIVED:
        raise ValidationError(_("An archived service cannot be edited. Reopen it first."))
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(service, name, value.strip() if isinstance(value, str) else value)
    service.updated_by = by if getattr(by, "is_authenticated", False) else None
    service.has_unpublished_changes = True

    errors: dict[str, list[str]] = {}
    try:
        service.full_clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    children = {
        "steps": _build_children(service, "steps", steps, errors),
        "documents": _build_children(service, "documents", documents, errors),
        "fees": _build_children(service, "fees", fees, errors),
        "channels": _build_children(service, "channels", channels, errors),
    }
    _check_completeness(no_fee=service.no_fee, steps=steps, fees=fees, errors=errors)
    if errors:
        raise ValidationError(errors)

    service.save()
    for relation, (model, _fields) in CHILDREN.items():
        model._default_manager.filter(service=service).delete()  # the working copy's rows; history
        for instance in children[relation]:  # lives in ServiceVersion snapshots
            instance.service = service
        model._default_manager.bulk_create(children[relation])
    audit_record(
        action="manual.service.created" if created else "manual.service.updated",
        actor=by,
        target=service,
        agency=service.agency,
    )
    return service


def _publish_problems(service: Service) -> list[str]:
    problems: dict[str, list[str]] = {}
    _check_completeness(
        no_fee=service.no_fee,
        steps=list(service.steps.all()),
        fees=list(service.fees.all()),
        errors=problems,
    )
    messages = [m for ms in problems.values() for m in ms]
    if not service.channels.exists():
        messages.append(_("Add at least one service channel, so people know where to go."))
    return messages


def _listing_text(service: Service) -> str:
    # Names and keywords only: category labels ("...บัตรประจำตัวประชาชน") would make every
    # service of a category match its words; the category has its own filter.
    agency = service.agency
    ministry = agency.ministry if agency.ministry_id else None
    return index_text(
        service.name_th,
        service.name_en,
        service.code,
        service.keywords,
        agency.name_th,
        agency.name_en,
        agency.abbreviation,
        ministry.name_th if ministry else "",
    )


@transaction.atomic
def service_publish(*, service: Service, by: Any) -> ServiceVersion:
    """Makes the working copy what citizens see, as a new version."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("agency", "agency__ministry", "current_version")
        .get(pk=service.pk)
    )
    _ensure_can_edit(by, service)
    problems = _publish_problems(service)
    if problems:
        raise ValidationError(problems)
    previous = service.current_version
    service.publish()
    snapshot = build_snapshot(service)
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ServiceVersion(
        service=service,
        number=number,
        published_at=service.published_at or timezone.now(),
        published_by=by if getattr(by, "is_authenticated", False) else None,
        snapshot=snapshot,
        changes=diff_snapshots(previous.snapshot if previous else None, snapshot),
    )
    version.full_clean(exclude=["service", "published_by"])
    version.save()
    service.current_version = version
    service.listed_name_th = service.name_th
    service.listed_name_en = service.name_en
    service.listed_category = service.category
    provinces = sorted(
        {c["province"] for c in snapshot["channels"] if c["province"]}
        | {p["province"] for p in snapshot["service_points"] if p["province"]}
    )
    service.listed_provinces = f",{','.join(provinces)}," if provinces else ""
    service.search_text = _listing_text(service)
    service.save()
    audit_record(
        action="manual.service.published",
        actor=by,
        target=service,
        agency=service.agency,
        data={"version": number},
    )
    return version


@transaction.atomic
def service_archive(*, service: Service, by: Any) -> Service:
    service = Service.objects.select_for_update().get(pk=service.pk)
    _ensure_can_edit(by, service)
    service.archive()
    service.save(update_fields=["status", "updated_at"])
    audit_record(action="manual.service.archived", actor=by, target=service, agency=service.agency)
    return service


@transaction.atomic
def service_reopen(*, service: Service, by: Any) -> Service:
    service = Service.objects.select_for_update().get(pk=service.pk)
    _ensure_can_edit(by, service)
    service.reopen()
    service.save(update_fields=["status", "has_unpublished_changes", "updated_at"])
    audit_record(action="manual.service.reopened", actor=by, target=service, agency=service.agency)
    return service


@transaction.atomic
def sample_form_add(*, service: Service, by: Any, title: str, upload) -> SampleForm:
    """Checks size, type and content before anything is stored."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    _ensure_can_edit(by, service)
    if service.status == Service.Status.ARCHIVED:
        raise ValidationError(_("An archived service cannot be edited. Reopen it first."))
    try:
        validate_sample_form_file(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    extension = "." + upload.name.rsplit(".", 1)[-1].lower()
    form = SampleForm(
        service=service,
        title=title.strip(),
        file=upload,
        content_type=SAMPLE_FORM_TYPES[extension][0],
        size=upload.size,
    )
    form.full_clean(exclude=["file"])
    form.save()
    service.has_unpublished_changes = True
    service.save(update_fields=["has_unpublished_changes", "updated_at"])
    audit_record(
        action="manual.sample_form.added",
        actor=by,
        target=form,
        agency=service.agency,
        data={"size": form.size, "type": form.content_type},
    )
    return form


@transaction.atomic
def sample_form_archive(*, form: SampleForm, by: Any) -> SampleForm:
    """Takes a form off the working copy (the file stays for earlier versions)."""
    form = (
        SampleForm.objects.select_for_update(of=("self",)).select_related("service").get(pk=form.pk)
    )
    _ensure_can_edit(by, form.service)
    if form.is_archived:
        raise ValidationError(_("This form has already been removed."))
    form.is_archived = True
    form.save(update_fields=["is_archived"])
    Service.objects.filter(pk=form.service_id).update(has_unpublished_changes=True)
    audit_record(
        action="manual.sample_form.archived", actor=by, target=form, agency=form.service.agency
    )
    return form


def service_import(*, by: Any, agency: Agency, text: str, fmt: str):
    """Creates or updates the agency's services (as working copies) from JSON or CSV.

    All or nothing: any error anywhere and nothing is written; every error is listed with
    its line (CSV) or position (JSON).
    """
    from manual.importer import ImportResult, check_rows, parse_csv, parse_json

    result = ImportResult()
    services = parse_json(text, result) if fmt == "json" else parse_csv(text, result)
    if not services and not result.errors:
        result.errors.append(("", _("The file has no services.")))
    check_rows(services, agency, result)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for parsed in services:
                existing = Service.objects.filter(agency=agency, code=parsed.fields["code"]).first()
                rows = {
                    r: [values for _where, values in items] for r, items in parsed.children.items()
                }
                try:
                    service_save(
                        by=by, agency=agency, service=existing, fields=parsed.fields, **rows
                    )
                except ValidationError as error:
                    for message in error.messages:
                        result.errors.append((parsed.where, message))
                    continue
                if existing is None:
                    result.created += 1
                else:
                    result.updated += 1
            if result.errors:
                raise ValidationError("rollback")
            audit_record(
                action="manual.service.imported",
                actor=by,
                agency=agency,
                data={"created": result.created, "updated": result.updated},
            )
    except ValidationError:
        result.created = result.updated = 0
    return result


@transaction.atomic
def service_points_set(*, service: Service, by: Any, points: list) -> Service:
    """Which of the agency's own service points offer this service (working copy)."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    _ensure_can_edit(by, service)
    foreign = [p for p in points if p.agency_id != service.agency_id]
    if foreign:
        raise ValidationError(_("Choose only your own agency's service points."))
    service.offered_at.set(points)
    service.has_unpublished_changes = True
    service.save(update_fields=["has_unpublished_changes", "updated_at"])
    audit_record(
        action="manual.service.points_set",
        actor=by,
        target=service,
        agency=service.agency,
        data={"points": [p.pk for p in points]},
    )
    return service
