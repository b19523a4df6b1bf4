"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), and FixMyStreet's
`servicerequestupdates` extension, at /open311/v2/.

XML is the spec's required format and follows its examples element for element; JSON is the
same data. `service_request_id` is the complaint's reference (CR-2569-000123). Requests are
created at once, so POST answers with the id (no token is needed; `tokens/{id}` answers for
a reference). Status is `open`/`closed`; the finer state and the rest of our data are in
`extended_attributes`. Errors are `<errors><error><code/><description/></error></errors>`
(JSON: a list of {code, description}) with the same HTTP status.
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from complaints import services
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto, PartnerKey
from core.http import client_ip
from core.mail import public_base_url
from service_points.models import ApiKey
from service_points.services import api_key_authenticate

DEFAULT_DAYS = 90
MAX_ROWS = 1000
SPEC = "http://wiki.open311.org/GeoReport_v2"
# FixMyStreet's update statuses, per our state.
FMS_STATUS = {
    Complaint.State.RECEIVED: "OPEN",
    Complaint.State.CONFIRMED: "INVESTIGATING",
    Complaint.State.IN_PROGRESS: "IN_PROGRESS",
    Complaint.State.ACTION_SCHEDULED: "ACTION_SCHEDULED",
    Complaint.State.FIXED: "FIXED",
    Complaint.State.NOT_RESPONSIBLE: "NOT_COUNCILS_RESPONSIBILITY",
    Complaint.State.DUPLICATE: "DUPLICATE",
    Complaint.State.NO_FURTHER_ACTION: "NO_FURTHER_ACTION",
}


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _w3c(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


_SINGULAR = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _escape(text: str) -> str:
    # What ElementTree escapes in character data, no more: the output stays byte for byte
    # what ET.tostring wrote before ADR 0103.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _to_xml(out: list[str], tag: str, value: Any) -> None:
    """Appends `value` as the element `tag` (a dict: one child per key; a list under a key:
    one child per entry, named by the key's singular), written as ElementTree writes it."""
    if isinstance(value, dict):
        if not value:
            out.append(f"<{tag} />")
            return
        out.append(f"<{tag}>")
        for key, item in value.items():
            if isinstance(item, list):
                _list_to_xml(out, key, item)
            else:
                _to_xml(out, key, item)
        out.append(f"</{tag}>")
        return
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = "" if value is None else str(value)
    out.append(f"<{tag}>{_escape(text)}</{tag}>" if text else f"<{tag} />")


def _list_to_xml(out: list[str], key: str, entries: list) -> None:
    if not entries:
        out.append(f"<{key} />")
        return
    out.append(f"<{key}>")
    singular = _SINGULAR.get(key, key.rstrip("s"))
    for entry in entries:
        _to_xml(out, singular, entry)
    out.append(f"</{key}>")


def _xml_body(root: str, item: str, rows: Any) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    if isinstance(rows, list):
        if rows:
            out.append(f"<{root}>")
            for row in rows:
                _to_xml(out, item, row)
            out.append(f"</{root}>")
        else:
            out.append(f"<{root} />")
    else:
        _to_xml(out, root, rows)
    return "".join(out).encode()


def _render(fmt: str, root: str, item: str, rows: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(
        _xml_body(root, item, rows), content_type="text/xml; charset=utf-8", status=status
    )


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    rows = [{"code": code, "description": description}]
    return _render(fmt if fmt in ("json", "xml") else "xml", "errors", "error", rows, code)


def _endpoint(view):
    def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        if fmt not in ("json", "xml"):
            return _error("xml", 404, "Format not supported: use .xml or .json.")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            return _error(fmt, error.code, error.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_http_methods(["GET"])
@_endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = public_base_url().rstrip("/") + reverse("open311:root")
    data = {
        "changeset": "2026-11-30T00:00:00+07:00",
        "contact": "EGA CITIZENinfo, contact@ega.or.th",
        "key_service": public_base_url().rstrip("/") + reverse("service_points:api_keys"),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base.rstrip("/"),
                "changeset": "2026-11-30T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(fmt, "discovery", "", data)


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name_th,
        "description": category.description or category.name_en,
        "metadata": False,
        "type": "realtime",
        "keywords": category.name_en,
        "group": "service" if category.is_about_service else "place",
    }


@require_http_methods(["GET"])
@_endpoint
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [_service(c) for c in Category.objects.filter(is_active=True)]
    return _render(fmt, "services", "service", rows)


@require_http_methods(["GET"])
@_endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"Service code not found: {code[:40]}")
    return _render(fmt, "service_definition", "", {"service_code": category.code, "attributes": []})


_FIELDS = (
    "pk",
    "reference",
    "state",
    "text_hidden",
    "description_public",
    "created_at",
    "state_changed_at",
    "deadline",
    "latitude",
    "longitude",
    "province_code",
    "supporters",
    "reopen_count",
    "category__code",
    "category__name_th",
    "agency__code",
    "agency__name_th",
)


def _rows(request: HttpRequest, complaints) -> list[dict]:
    """Rows for the first MAX_ROWS of `complaints` (a queryset, ordered): plain values, no model
    instances, one query whatever the number (1,000 rows is the default page). The status note
    (the newest public state change's) and the first visible photo come from correlated
    subqueries: an IN list of 1,000 ids cost more to bind than the rows cost to read."""
    notes = (
        ComplaintEvent.objects.filter(
            complaint=OuterRef("pk"), kind=ComplaintEvent.Kind.STATE, internal=False
        )
        .order_by("-created_at", "-pk")
        .values("note")[:1]
    )
    photos = (
        ComplaintPhoto.objects.filter(complaint=OuterRef("pk"), hidden=False)
        .order_by("pk")
        .values("image")[:1]
    )
    values = complaints.annotate(status_note=Subquery(notes), photo=Subquery(photos)).values(
        *_FIELDS, "status_note", "photo"
    )[:MAX_ROWS]
    base = public_base_url().rstrip("/")
    media = base + settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else settings.MEDIA_URL
    tz = timezone.get_current_timezone()
    open_states = set(Complaint.OPEN_STATES)

    def w3c(value) -> str:
        return value.astimezone(tz).isoformat(timespec="seconds") if value else ""

    expected: dict[datetime.date, str] = {}  # a page holds a few dozen deadlines

    def end_of(day: datetime.date) -> str:
        if day not in expected:
            end = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)
            expected[day] = end.isoformat(timespec="seconds")
        return expected[day]

    rows = []
    for v in values:
        photo = v["photo"]
        rows.append(
            {
                "service_request_id": v["reference"],
                "status": "open" if v["state"] in open_states else "closed",
                "status_notes": v["status_note"] or "",
                "service_name": v["category__name_th"],
                "service_code": v["category__code"],
                "description": "" if v["text_hidden"] else v["description_public"],
                "agency_responsible": v["agency__name_th"] or "",
                "service_notice": "",
                "requested_datetime": w3c(v["created_at"]),
                "updated_datetime": w3c(v["state_changed_at"]),
                "expected_datetime": end_of(v["deadline"]),
                "address": "",
                "address_id": "",
                "zipcode": "",
                "lat": v["latitude"],
                "long": v["longitude"],
                "media_url": media + photo if photo else "",
                "extended_attributes": {
                    "state": v["state"],
                    "province_code": v["province_code"],
                    "agency_code": v["agency__code"] or "",
                    "supporters": v["supporters"],
                    "reopened": v["reopen_count"],
                    "url": f"{base}/complaints/{v['reference']}/",
                },
            }
        )
    return rows


def _public():
    return Complaint.objects.filter(held=False)


def _date(value: str, name: str) -> datetime.datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None
    if parsed is None:
        raise Open311Error(400, f"{name} must be a W3C date-time, e.g. 2026-01-01T00:00:00Z")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(request: HttpRequest):
    ids = [v.strip() for v in request.GET.get("service_request_id", "").split(",") if v.strip()]
    if ids:  # overrides every other parameter, as the spec says
        return _public().filter(reference__in=ids[:MAX_ROWS]).order_by("-created_at")
    qs = _public()
    codes = [v.strip() for v in request.GET.get("service_code", "").split(",") if v.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    now = timezone.now()
    start = request.GET.get("start_date", "")
    end = request.GET.get("end_date", "")
    end_at = _date(end, "end_date") if end else now
    start_at = (
        _date(start, "start_date") if start else end_at - datetime.timedelta(days=DEFAULT_DAYS)
    )
    if end_at < start_at:
        raise Open311Error(400, "end_date is before start_date")
    if end_at - start_at > datetime.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, "The date range may not span more than 90 days")
    qs = qs.filter(created_at__gte=start_at, created_at__lte=end_at)
    statuses = {v.strip() for v in request.GET.get("status", "").split(",") if v.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    if statuses == {"open"}:
        qs = qs.filter(state__in=Complaint.OPEN_STATES)
    elif statuses == {"closed"}:
        qs = qs.filter(state__in=Complaint.DONE_STATES)
    return qs.order_by("-created_at")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_endpoint
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _render(fmt, "service_requests", "request", _rows(request, _list(request)))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    secret = data.get("api_key", "")
    # An agency's service point key, or a key EGA issued to a partner channel.
    key = api_key_authenticate(secret=secret) or services.partner_key_authenticate(secret=secret)
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    channel = key.prefix if isinstance(key, ApiKey) else f"{PartnerKey.SCHEME}:{key.prefix}"
    category = Category.objects.filter(code=data.get("service_code", ""), is_active=True).first()
    if category is None:
        raise Open311Error(404, "service_code not found")
    try:
        lat, lon = float(data.get("lat", "")), float(data.get("long", ""))
    except ValueError:
        raise Open311Error(
            400, "lat and long are required (address_string alone is not accepted)"
        ) from None
    name = " ".join(v for v in (data.get("first_name", ""), data.get("last_name", "")) if v)
    try:
        complaint = services.complaint_submit(
            category=category,
            description=data.get("description", ""),
            latitude=lat,
            longitude=lon,
            reporter_name=name,
            reporter_email=data.get("email", "")[:254],
            reporter_phone=data.get("phone", "")[:20],
            device_token=f"open311:{channel}:{data.get('device_id', '')[:64]}",
            ip=client_ip(request) or "",
            source=Complaint.Source.OPEN311,
            base_url=public_base_url(),
        )
    except services.TooManyComplaintsError:
        raise Open311Error(
            429, "Too many requests from this network; try again in an hour"
        ) from None
    except ValidationError as error:
        messages = [f"{field}: {' '.join(errs)}" for field, errs in error.message_dict.items()]
        raise Open311Error(400, "; ".join(messages)) from None
    row = {"service_request_id": complaint.reference, "service_notice": "", "account_id": ""}
    return _render(fmt, "service_requests", "request", [row], status=201)


@require_http_methods(["GET"])
@_endpoint
def request_detail(request: HttpRequest, fmt: str, reference: str) -> HttpResponse:
    rows = _rows(request, _public().filter(reference=reference))
    if not rows:
        raise Open311Error(404, f"Service request not found: {reference[:30]}")
    return _render(fmt, "service_requests", "request", rows)


@require_http_methods(["GET"])
@_endpoint
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    complaint = _public().filter(reference=token).first()
    if complaint is None:
        raise Open311Error(404, "Token not found")
    row = {"service_request_id": complaint.reference, "token": token}
    return _render(fmt, "service_requests", "request", [row])


@require_http_methods(["GET"])
@_endpoint
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's servicerequestupdates: public state changes between two dates."""
    now = timezone.now()
    end = request.GET.get("end_date", "")
    start = request.GET.get("start_date", "")
    end_at = _date(end, "end_date") if end else now
    start_at = _date(start, "start_date") if start else end_at - datetime.timedelta(days=1)
    if end_at < start_at or end_at - start_at > datetime.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, "start_date and end_date must span 0 to 90 days")
    events = (
        ComplaintEvent.objects.filter(
            kind__in=(ComplaintEvent.Kind.STATE, ComplaintEvent.Kind.REOPENED),
            internal=False,
            complaint__held=False,
            created_at__gte=start_at,
            created_at__lte=end_at,
        )
        .select_related("complaint")
        .order_by("created_at", "pk")[:MAX_ROWS]
    )
    rows = [
        {
            "update_id": str(event.pk),
            "service_request_id": event.complaint.reference,
            "status": FMS_STATUS.get(event.state_to, "OPEN"),
            "updated_datetime": _w3c(event.created_at),
            "description": event.note,
            "media_url": "",
            "extended_attributes": {"state": event.state_to},
        }
        for event in events
    ]
    return _render(fmt, "service_request_updates", "request_update", rows)


def root(request: HttpRequest) -> HttpResponse:
    return _error("xml", 404, "See discovery.xml")
