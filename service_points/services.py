"""Every write to service points: validated, atomic, audited and kept in the point's history."""

import hmac
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.models import AuditEvent
from audit.services import audit_event, audit_record
from service_points import access
from service_points.images import process_upload
from service_points.models import ApiKey, ServicePoint, ServicePointChange, ServicePointPhoto
from service_points.selectors import bump_map_version

EDITABLE_FIELDS = [
    "name_th",
    "name_en",
    "government",
    "house_number",
    "road",
    "province_code",
    "district_code",
    "subdistrict_code",
    "postcode",
    "latitude",
    "longitude",
    "phone",
    "contact_name",
    "contact_phone",
    "opening_hours",
]
POSITION_FIELDS = {"latitude", "longitude"}


def _clean_value(name: str, value: Any) -> Any:
    if name in POSITION_FIELDS:
        if value in (None, ""):
            return None
        try:
            return round(float(value), 7)
        except (TypeError, ValueError):
            raise ValidationError({name: [_("Enter a number.")]}) from None
    return "" if value is None else str(value).strip()


def _actor(by) -> tuple[Any, str]:
    if by is None or not getattr(by, "is_authenticated", False):
        return None, ""
    return by, by.email


def point_history(
    point: ServicePoint, *, kind: str, by, source: str, changes: dict | None = None, label: str = ""
) -> tuple[ServicePointChange, AuditEvent]:
    """The history row and the audit event of one change, unsaved (the importer saves many)."""
    user, user_label = _actor(by)
    change = ServicePointChange(
        point=point,
        kind=kind,
        source=source,
        changed_by=user,
        changed_by_label=label or user_label,
        changes=changes or {},
    )
    event = audit_event(
        action=f"service_point.{kind}",
        actor=user,
        actor_label=label or user_label,
        target=point,
        agency=point.agency,
        data=changes or {},
    )
    return change, event


def _record(
    point: ServicePoint, *, kind: str, by, source: str, changes: dict | None = None, label: str = ""
) -> None:
    change, event = point_history(
        point, kind=kind, by=by, source=source, changes=changes, label=label
    )
    change.save()
    event.save()


def _ensure_can_edit(by, point: ServicePoint, api_agency: Agency | None) -> None:
    if api_agency is not None:
        if api_agency.pk != point.agency_id:
            raise PermissionDenied
    elif not (access.can_edit_point(by, point) or access.can_correct_points(by)):
        raise PermissionDenied


def _refuse_unknown(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )


# The point's agency and pinner are set by the service, never from input: not re-checked.
_NOT_CLEANED = ["agency", "pinned_by"]


def point_new(*, agency: Agency, by, fields: dict[str, Any]) -> tuple[ServicePoint, dict]:
    """A validated, unsaved new draft and the history of its creation.

    Only for `service_point_create` and the importer (which saves many at once)."""
    _refuse_unknown(fields)
    user, _label = _actor(by)
    point = ServicePoint(agency=agency, pinned_by=user)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(point, name, _clean_value(name, fields[name]))
    point.full_clean(exclude=_NOT_CLEANED)
    created = {
        name: [None, getattr(point, name)]
        for name in EDITABLE_FIELDS
        if name not in ("contact_name", "contact_phone")
    }
    return point, {ServicePointChange.Kind.CREATED: created}


def point_apply(point: ServicePoint, *, by, fields: dict[str, Any]) -> dict[str, dict]:
    """Applies `fields` to the (locked) point in memory: validates, works out what changed and
    stamps `updated_at` (and `pinned_at` for a move). Returns {history kind: changes}, empty
    when nothing changed. The caller saves; only `service_point_update` and the importer."""
    _refuse_unknown(fields)
    if point.status == ServicePoint.Status.ARCHIVED:
        raise ValidationError(_("An archived service point cannot be changed. Restore it first."))
    before = {name: getattr(point, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(point, name, _clean_value(name, value))
    point.full_clean(exclude=_NOT_CLEANED)
    changed = {
        name: [before[name], getattr(point, name)]
        for name in EDITABLE_FIELDS
        if before[name] != getattr(point, name)
    }
    if not changed:
        return {}
    moved = {k: v for k, v in changed.items() if k in POSITION_FIELDS}
    edited = {k: v for k, v in changed.items() if k not in POSITION_FIELDS}
    user, _label = _actor(by)
    point.updated_at = timezone.now()
    if moved:
        point.pinned_at = point.updated_at
        point.pinned_by = user or point.pinned_by
    kinds = {ServicePointChange.Kind.MOVED: moved, ServicePointChange.Kind.EDITED: edited}
    return {kind: data for kind, data in kinds.items() if data}


@transaction.atomic
def service_point_create(
    *,
    agency: Agency,
    by=None,
    fields: dict[str, Any],
    source: str = ServicePointChange.Source.WEB,
    api_agency: Agency | None = None,
    label: str = "",
) -> ServicePoint:
    """A new draft point. `by` is the officer; an API call passes `api_agency` instead."""
    _refuse_unknown(fields)
    if api_agency is None and (
        access.agency_for_officer(by) is None or access.agency_for_officer(by).pk != agency.pk
    ):
        raise PermissionDenied
    if api_agency is not None and api_agency.pk != agency.pk:
        raise PermissionDenied
    point, history = point_new(agency=agency, by=by, fields=fields)
    point.save()
    for kind, changes in history.items():
        _record(point, kind=kind, by=by, source=source, label=label, changes=changes)
    return point


@transaction.atomic
def service_point_update(
    *,
    point: ServicePoint,
    by=None,
    fields: dict[str, Any],
    source: str = ServicePointChange.Source.WEB,
    api_agency: Agency | None = None,
    label: str = "",
) -> ServicePoint:
    """Changes the given fields; a move of the pin and other edits are recorded separately.

    The pin page, the API and the admin call it; the importer uses `point_apply` directly."""
    _ensure_can_edit(by, point, api_agency)
    _refuse_unknown(fields)
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    history = point_apply(point, by=by, fields=fields)
    if not history:
        return point
    point.save()
    for kind, changes in history.items():
        _record(point, kind=kind, by=by, source=source, changes=changes, label=label)
    if point.is_published:
        bump_map_version()
    return point


def _transition(
    point: ServicePoint,
    *,
    by,
    method: str,
    kind: str,
    api_agency: Agency | None = None,
    label: str = "",
    source: str = ServicePointChange.Source.WEB,
) -> ServicePoint:
    _ensure_can_edit(by, point, api_agency)
    point = ServicePoint.objects.select_for_update().get(pk=point.pk)
    getattr(point, method)()
    point.updated_at = timezone.now()
    point.full_clean()
    point.save()
    _record(point, kind=kind, by=by, source=source, label=label)
    bump_map_version()
    return point


@transaction.atomic
def service_point_publish(
    *,
    point: ServicePoint,
    by=None,
    api_agency: Agency | None = None,
    label: str = "",
    source: str = ServicePointChange.Source.WEB,
) -> ServicePoint:
    return _transition(
        point,
        by=by,
        method="publish",
        kind=ServicePointChange.Kind.PUBLISHED,
        api_agency=api_agency,
        label=label,
        source=source,
    )


@transaction.atomic
def service_point_archive(
    *,
    point: ServicePoint,
    by=None,
    api_agency: Agency | None = None,
    label: str = "",
    source: str = ServicePointChange.Source.WEB,
) -> ServicePoint:
    return _transition(
        point,
        by=by,
        method="archive",
        kind=ServicePointChange.Kind.ARCHIVED,
        api_agency=api_agency,
        label=label,
        source=source,
    )


@transaction.atomic
def service_point_restore(*, point: ServicePoint, by) -> ServicePoint:
    return _transition(point, by=by, method="restore", kind=ServicePointChange.Kind.RESTORED)


@transaction.atomic
def service_point_photo_add(
    *,
    point: ServicePoint,
    by,
    upload,
    kind: str,
    api_agency: Agency | None = None,
    label: str = "",
    source: str = ServicePointChange.Source.WEB,
) -> tuple[ServicePointPhoto, tuple[float, float] | None]:
    """Stores a cleaned copy of the photo. Returns it and the GPS position it carried, if any."""
    _ensure_can_edit(by, point, api_agency)
    if point.status == ServicePoint.Status.ARCHIVED:
        raise ValidationError(_("An archived service point cannot be changed. Restore it first."))
    if kind not in ServicePointPhoto.Kind.values:
        raise ValidationError({"kind": [_("Choose what the photo shows.")]})
    processed = process_upload(upload)
    photo = ServicePointPhoto(
        point=point, kind=kind, width=processed.width, height=processed.height, uploaded_by=by
    )
    photo.image.save("photo.jpg", ContentFile(processed.content), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    _record(
        point,
        kind=ServicePointChange.Kind.PHOTO_ADDED,
        by=by,
        source=source,
        label=label,
        changes={"photo": [None, photo.pk]},
    )
    return photo, processed.gps


@transaction.atomic
def service_point_photo_archive(*, photo: ServicePointPhoto, by) -> ServicePointPhoto:
    _ensure_can_edit(by, photo.point, None)
    photo.archive()
    photo.save(update_fields=["status"])
    _record(
        photo.point,
        kind=ServicePointChange.Kind.PHOTO_REMOVED,
        by=by,
        source=ServicePointChange.Source.WEB,
        changes={"photo": [photo.pk, None]},
    )
    return photo


@transaction.atomic
def api_key_create(*, agency: Agency, by, name: str) -> tuple[ApiKey, str]:
    """Returns the key and its secret; the secret is shown once and only its hash is kept."""
    if not access.can_manage_api_keys(by) or by.agency_id != agency.pk:
        raise PermissionDenied
    prefix, secret = ApiKey.generate()
    key = ApiKey(
        agency=agency, name=name.strip(), prefix=prefix, key_hash=ApiKey.hash(secret), created_by=by
    )
    key.full_clean()
    key.save()
    audit_record(
        action="service_point.api_key_created",
        actor=by,
        target=key,
        agency=agency,
        data={"prefix": prefix, "name": key.name},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by) -> ApiKey:
    if not access.can_manage_api_keys(by) or by.agency_id != key.agency_id:
        raise PermissionDenied
    key.revoke()
    key.save(update_fields=["revoked_at"])
    audit_record(
        action="service_point.api_key_revoked",
        actor=by,
        target=key,
        agency=key.agency,
        data={"prefix": key.prefix},
    )
    return key


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    parts = (secret or "").split("_")
    if len(parts) < 3 or parts[0] != "sp":
        return None
    key = ApiKey.objects.select_related("agency").filter(prefix=parts[1]).first()
    if key is None or not key.is_active:
        return None

    if not hmac.compare_digest(key.key_hash, ApiKey.hash(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
