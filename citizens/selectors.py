"""Every read of the citizen's space. A citizen's records are found only through what proves
they are theirs: the pseudonym (GDX log) and contacts confirmed with a code."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from citizens.models import Citizen, CitizenContact
from complaints.models import Complaint
from counter.models import VerificationRecord
from exchange import selectors as exchange_selectors
from feedback.models import Response
from line_channel import selectors as line_selectors


def confirmed_values(*, citizen: Citizen, kind: str) -> list[str]:
    return list(
        citizen.contacts.filter(kind=kind, confirmed_at__isnull=False).values_list(
            "value", flat=True
        )
    )


def _phone_variants(phones: list[str]) -> list[str]:
    # Stored as typed by the reporter: "0812345678", "081-234-5678", "+66812345678"...
    variants = set(phones)
    variants.update("+66" + p[1:] for p in phones if p.startswith("0"))
    return sorted(variants)


def _digits(field: str):
    return Replace(
        Replace(Replace(field, Value(" "), Value("")), Value("-"), Value("")), Value("."), Value("")
    )


def _linked(
    queryset: QuerySet, citizen: Citizen, email_field: str, phone_field: str, also: Q | None = None
) -> QuerySet:
    """Rows given with one of the citizen's confirmed contacts, or matching `also`: one
    filter (no join that repeats a row)."""
    emails = confirmed_values(citizen=citizen, kind=CitizenContact.Kind.EMAIL)
    phones = _phone_variants(confirmed_values(citizen=citizen, kind=CitizenContact.Kind.PHONE))
    match = also if also is not None else Q(pk__in=[])
    for email in emails:
        match |= Q(**{f"{email_field}__iexact": email})
    if phones:
        queryset = queryset.annotate(_phone=_digits(phone_field))
        match |= Q(_phone__in=phones)
    return queryset.filter(match)


def complaints_of(*, citizen: Citizen) -> QuerySet[Complaint]:
    """Complaints given with a confirmed email or phone, or filed from a LINE account linked
    to the space (ADR 0122); one row each, however many ways they match."""
    by_line = Q(line_link__user_hash__in=line_selectors.linked_hashes(citizen=citizen))
    return _linked(
        Complaint.objects.select_related("category", "agency"),
        citizen,
        "reporter_email",
        "reporter_phone",
        also=by_line,
    ).order_by("-created_at")


def feedback_of(*, citizen: Citizen) -> QuerySet[Response]:
    return _linked(
        Response.objects.select_related("point", "agency", "service"),
        citizen,
        "contact_email",
        "contact_phone",
    ).order_by("-created_at")


def readings(*, citizen: Citizen, limit: int = 100, before: int | None = None) -> list[dict]:
    """Who read my data: the GDX log's entries about this citizen's pseudonym, newest first."""
    return exchange_selectors.subject_readings(
        pseudonym=citizen.pseudonym, limit=limit, before=before
    )


def reading_proof(*, citizen: Citizen, index: int) -> dict[str, Any] | None:
    return exchange_selectors.subject_reading_proof(pseudonym=citizen.pseudonym, index=index)


def proof_bundle(*, citizen: Citizen) -> dict[str, Any]:
    return exchange_selectors.subject_proof_bundle(pseudonym=citizen.pseudonym)


def counter_checks(*, citizen: Citizen) -> QuerySet[VerificationRecord]:
    """No Copy at the counter: the verifications of the citizen's card or registry record."""
    if not citizen.counter_ref:
        return VerificationRecord.objects.none()
    return (
        VerificationRecord.objects.filter(citizen_ref=citizen.counter_ref)
        .select_related("agency", "service", "point")
        .order_by("-created_at")
    )


def citizens_inactive(*, before: datetime) -> QuerySet[Citizen]:
    return Citizen.objects.filter(status=Citizen.Status.ACTIVE, last_sign_in_at__lt=before)


def citizens_to_notify() -> QuerySet[Citizen]:
    return Citizen.objects.filter(status=Citizen.Status.ACTIVE).exclude(notify_email="")


def complaints_past_contact_retention(*, now: datetime) -> QuerySet[Complaint]:
    """Closed (or fixed) complaints whose last change is older than the retention period."""
    cutoff = now - timedelta(days=settings.COMPLAINT_CONTACT_RETENTION_DAYS)
    has_contact = ~Q(reporter_email="") | ~Q(reporter_phone="") | ~Q(reporter_name="")
    return Complaint.objects.filter(
        has_contact, state__in=Complaint.DONE_STATES, state_changed_at__lt=cutoff
    )


def feedback_past_contact_retention(*, now: datetime) -> QuerySet[Response]:
    cutoff = now - timedelta(days=settings.FEEDBACK_CONTACT_RETENTION_DAYS)
    has_contact = ~Q(contact_email="") | ~Q(contact_phone="") | ~Q(contact_name="")
    return Response.objects.filter(has_contact, created_at__lt=cutoff)


def _complaint_row(c: Complaint) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "filed": c.created_at.isoformat(),
        "category": c.category.name_th,
        "agency": c.agency.name_th if c.agency else "",
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "description": c.description,
        "reporter_name": c.reporter_name,
        "reporter_email": c.reporter_email,
        "reporter_phone": c.reporter_phone,
        "filed_on": c.source,
    }


def _feedback_row(r: Response) -> dict[str, Any]:
    return {
        "received": r.created_at.isoformat(),
        "service_point": r.point.name_th,
        "agency": r.agency.name_th,
        "service": r.service.name_th if r.service else r.service_other,
        "scores": {
            "overall": r.overall,
            "process": r.process,
            "staff": r.staff,
            "facilities": r.facilities,
            "outcome": r.outcome,
        },
        "asked_for_copy": r.asked_for_copy,
        "comment": r.comment,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "contact_name": r.contact_name,
        "contact_email": r.contact_email,
        "contact_phone": r.contact_phone,
        "replies": [{"sent": x.created_at.isoformat(), "body": x.body} for x in r.replies.all()],
    }


def export_data(*, citizen: Citizen) -> dict[str, Any]:
    """Everything the portal holds about the citizen (PDPA s.30-31), for JSON and the PDF."""
    return {
        "account": {
            "pseudonym": citizen.pseudonym,
            "name_th": citizen.name_th,
            "name_en": citizen.name_en,
            "identity_assurance_level": citizen.ial,
            "first_sign_in": citizen.created_at.isoformat(),
            "last_sign_in": citizen.last_sign_in_at.isoformat(),
            "notification_email": citizen.notify_email,
            "notification_consent_given": (
                citizen.notify_consent_at.isoformat() if citizen.notify_consent_at else None
            ),
        },
        "contacts": [
            {
                "kind": c.kind,
                "value": c.value,
                "confirmed": c.confirmed_at.isoformat() if c.confirmed_at else None,
            }
            for c in citizen.contacts.all()
        ],
        "line": [
            {"linked": link["linked_at"].isoformat() if link["linked_at"] else None}
            for link in line_selectors.line_links_of(citizen=citizen)
        ],
        "complaints": [_complaint_row(c) for c in complaints_of(citizen=citizen)],
        "feedback": [
            _feedback_row(r) for r in feedback_of(citizen=citizen).prefetch_related("replies")
        ],
        "readings_of_my_data": readings(citizen=citizen, limit=1000),
        "counter_checks": [
            {
                "when": v.created_at.isoformat(),
                "agency": v.agency.name_th,
                "service": v.service.name_th if v.service else "",
                "how": str(v.get_source_display()),
                "fields_used": v.fields_used,
                "status": v.status,
                "gdx_request_id": str(v.gdx_request_id or ""),
            }
            for v in counter_checks(citizen=citizen)
        ],
    }
