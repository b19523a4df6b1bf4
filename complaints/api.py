"""The same complaint data as Open311, as JSON in the project's API (OpenAPI at /api/docs).

Public reads carry no personal data. Filing from a system takes an agency's service-point
API key (X-API-Key) and calls the same `complaint_submit` as the form and Open311.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from agencies.selectors import agency_get
from complaints import selectors, services
from complaints.models import DESCRIPTION_MAX_LENGTH, Category, Complaint
from core.http import client_ip
from core.mail import public_base_url
from core.text import search_text
from service_points.api import AgencyKey

router = Router(tags=["complaints"])


class CategoryOut(Schema):
    code: str
    name_th: str
    name_en: str
    deadline_working_days: int


class EventOut(Schema):
    kind: str
    state_to: str
    note: str
    at: datetime


class ComplaintOut(Schema):
    reference: str
    category: str
    state: str
    open311_status: str
    agency: str | None
    province_code: str
    latitude: float
    longitude: float
    description: str
    filed: datetime
    updated: datetime
    deadline: date
    overdue: bool
    supporters: int
    reopened: int


class ComplaintDetailOut(ComplaintOut):
    timeline: list[EventOut]


class ComplaintIn(Schema):
    category: str
    description: str
    latitude: float
    longitude: float
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""


class FiledOut(Schema):
    reference: str
    state: str
    agency: str | None
    deadline: date


class FiguresOut(Schema):
    received: int
    open: int
    fixed: int
    closed: int
    overdue: int
    median_days_to_fix: float | None
    reopen_rate: float | None
    confirmation_rate: float | None


class Filters(Schema):
    province: str = ""
    agency: str = ""
    category: str = ""
    state: str = ""
    # Bounded in the schema, so a huge number is a 422 and never reaches the database.
    limit: int = Field(50, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


def _out(c: Complaint) -> dict:
    return {
        "reference": c.reference,
        "category": c.category.code,
        "state": c.state,
        "open311_status": c.open311_status,
        "agency": c.agency.code if c.agency else None,
        "province_code": c.province_code,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "description": c.public_text(),
        "filed": c.created_at,
        "updated": c.state_changed_at,
        "deadline": c.deadline,
        "overdue": c.is_overdue(),
        "supporters": c.supporters,
        "reopened": c.reopen_count,
    }


@router.get("/categories", response=list[CategoryOut], summary="What complaints may be about")
def categories(request: HttpRequest):
    return list(selectors.categories_active())


@router.get("/", response=list[ComplaintOut], summary="Public complaints, newest first")
def complaint_list(request: HttpRequest, filters: Query[Filters]):
    given = (filters.province, filters.agency, filters.category, filters.state)
    if any(search_text(value, max_length=len(value)) != value.strip() for value in given):
        return []  # a control character (a NUL would make PostgreSQL refuse) matches nothing
    agency = agency_get(code=filters.agency) if filters.agency else None
    category = Category.objects.filter(code=filters.category).first() if filters.category else None
    if (filters.agency and agency is None) or (filters.category and category is None):
        return []
    qs = selectors.public_complaints(
        province_code=filters.province[:2],
        agency=agency,
        category=category,
        state=filters.state[:20],
    )
    limit = max(1, min(filters.limit, 1000))
    offset = max(0, filters.offset)
    return [_out(c) for c in qs[offset : offset + limit]]


@router.get("/{reference}", response=ComplaintDetailOut, summary="One public complaint")
def complaint_detail(request: HttpRequest, reference: str):
    complaint = selectors.complaint_public_get(reference=reference[:20])
    if complaint is None:
        raise HttpError(404, "Not found")
    events = [
        {"kind": e.kind, "state_to": e.state_to, "note": e.note, "at": e.created_at}
        for e in selectors.timeline(complaint=complaint)
    ]
    return {**_out(complaint), "timeline": events}


@router.post(
    "/", response={201: FiledOut}, auth=AgencyKey(), summary="File a complaint from a system"
)
def complaint_file(request: HttpRequest, payload: ComplaintIn):
    category = Category.objects.filter(code=payload.category, is_active=True).first()
    if category is None:
        raise HttpError(400, "Unknown category")
    if len(payload.description) > DESCRIPTION_MAX_LENGTH * 2:
        raise HttpError(400, "description is too long")
    try:
        complaint = services.complaint_submit(
            category=category,
            description=payload.description,
            latitude=payload.latitude,
            longitude=payload.longitude,
            reporter_name=payload.reporter_name,
            reporter_email=payload.reporter_email[:254],
            reporter_phone=payload.reporter_phone[:20],
            device_token=f"api:{request.auth.pk}",
            ip=client_ip(request) or "",
            source=Complaint.Source.API,
            base_url=public_base_url(),
        )
    except services.TooManyComplaintsError:
        raise HttpError(429, "Too many complaints from this network") from None
    except ValidationError as error:
        raise HttpError(400, "; ".join(error.messages)) from None
    return 201, {
        "reference": complaint.reference,
        "state": complaint.state,
        "agency": complaint.agency.code if complaint.agency else None,
        "deadline": complaint.deadline,
    }


@router.get("/agencies/{code}/figures", response=FiguresOut, summary="An agency's figures")
def agency_figures(request: HttpRequest, code: str):
    agency = agency_get(code=code[:32])
    if agency is None:
        raise HttpError(404, "Not found")
    f = selectors.figures(agency=agency)
    return {
        "received": f.received,
        "open": f.open,
        "fixed": f.fixed,
        "closed": f.closed,
        "overdue": f.overdue,
        "median_days_to_fix": f.median_days_to_fix,
        "reopen_rate": f.reopen_rate,
        "confirmation_rate": f.confirmation_rate,
    }
