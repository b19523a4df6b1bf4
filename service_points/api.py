"""The service-point API for agency systems: one API key per agency, sent as X-API-Key."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader

from service_points import selectors, services
from service_points.models import ServicePoint, ServicePointChange


class AgencyKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        found = services.api_key_authenticate(secret=key or "")
        return found.agency if found else None


router = Router(tags=["service points"], auth=AgencyKey())


class PointIn(Schema):
    name_th: str
    name_en: str
    government: str = ServicePoint.Government.ADMINISTRATIVE
    house_number: str = ""
    road: str = ""
    subdistrict_code: str
    postcode: str
    latitude: float
    longitude: float
    phone: str
    contact_name: str = ""
    contact_phone: str = ""
    opening_hours: str = ""


class PointPatch(Schema):
    name_th: str | None = None
    name_en: str | None = None
    government: str | None = None
    house_number: str | None = None
    road: str | None = None
    subdistrict_code: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    opening_hours: str | None = None
    status: str | None = None


class PointOut(Schema):
    id: int
    status: str
    name_th: str
    name_en: str
    government: str
    house_number: str
    road: str
    province_code: str
    district_code: str
    subdistrict_code: str
    postcode: str
    latitude: float
    longitude: float
    phone: str
    contact_name: str
    contact_phone: str
    opening_hours: str
    updated_at: datetime


def _fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if v is not None and k != "status"}
    if "subdistrict_code" in fields:
        fields["district_code"] = fields["subdistrict_code"][:4]
        fields["province_code"] = fields["subdistrict_code"][:2]
    return fields


def _errors(error: ValidationError) -> HttpError:
    detail = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items()))


def _own(request, point_id: int) -> ServicePoint:
    point = ServicePoint.objects.filter(pk=point_id, agency=request.auth).first()
    if point is None:
        raise Http404
    return point


MAX_OFFSET = 10**9


@router.get("/mine", response=list[PointOut], summary="Your agency's points")
def list_points(request, status: str | None = None, offset: int = 0, limit: int = 100):
    qs = selectors.service_point_list_for_agency(agency=request.auth, status=status)
    # Clamped, not refused (as before); the upper bound keeps the SQL offset a 64-bit integer.
    offset, limit = max(0, min(offset, MAX_OFFSET)), max(1, min(limit, 1000))
    return list(qs.order_by("pk")[offset : offset + limit])


@router.get("/mine/{point_id}", response=PointOut, summary="One of your agency's points")
def get_point(request, point_id: int):
    return _own(request, point_id)


@router.post("/mine", response={201: PointOut}, summary="Pin a new point (a draft)")
def create_point(request, payload: PointIn):
    label = f"api:{request.auth.code}"
    try:
        point = services.service_point_create(
            agency=request.auth,
            api_agency=request.auth,
            fields=_fields(payload.dict()),
            source=ServicePointChange.Source.API,
            label=label,
        )
    except ValidationError as error:
        raise _errors(error) from None
    return 201, point


@router.patch(
    "/mine/{point_id}",
    response=PointOut,
    summary="Change a point; status=published or archived moves it",
)
def update_point(request, point_id: int, payload: PointPatch):
    point = _own(request, point_id)
    data = payload.dict(exclude_unset=True)
    label = f"api:{request.auth.code}"
    kwargs = {"api_agency": request.auth, "label": label, "source": ServicePointChange.Source.API}
    try:
        fields = _fields(data)
        if fields:
            point = services.service_point_update(point=point, fields=fields, **kwargs)
        status = data.get("status")
        if status == ServicePoint.Status.PUBLISHED and point.status != status:
            point = services.service_point_publish(point=point, **kwargs)
        elif status == ServicePoint.Status.ARCHIVED and point.status != status:
            point = services.service_point_archive(point=point, **kwargs)
        elif status not in (None, point.status):
            raise ValidationError({"status": ["published or archived"]})
    except ValidationError as error:
        raise _errors(error) from None
    except PermissionDenied:
        raise Http404 from None
    return point


class PhotoOut(Schema):
    id: int
    kind: str
    width: int
    height: int


@router.post(
    "/mine/{point_id}/photos",
    response={201: PhotoOut},
    summary="Add a photo (JPEG, PNG or WebP; kind: entrance, sign or counter); "
    "a point is published only with a photo",
)
def add_photo(request, point_id: int, photo: File[UploadedFile], kind: Form[str] = "entrance"):
    point = _own(request, point_id)
    try:
        stored, _gps = services.service_point_photo_add(
            point=point,
            by=None,
            upload=photo,
            kind=kind,
            api_agency=request.auth,
            label=f"api:{request.auth.code}",
            source=ServicePointChange.Source.API,
        )
    except ValidationError as error:
        raise _errors(error) from None
    except PermissionDenied:
        raise Http404 from None
    return 201, stored
