"""The officer's counter pages. Thin: forms parse, access decides, services write."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access as base_access
from core import tabular
from core.forms import add_service_errors
from core.http import form_data
from counter import access, gdx, hashing, selectors, services
from counter.forms import (
    CheckForm,
    GdxLookupForm,
    PathForm,
    RecordForm,
    ServiceChoiceForm,
    VoidForm,
)
from counter.models import ServicePath, VerificationRecord

TICKET_SALT = "counter.gdx-ticket"
TICKET_MAX_AGE = 30 * 60  # an answer is used at the counter within half an hour, or asked again
LEGAL_BASIS = "PDPA s.24(3)-(4); Licensing Facilitation Act B.E. 2558"

# Path the readiness survey recommends → the counter's way (the seed's two ways).
READINESS_TO_PATH = {
    "offline": ServicePath.Path.OFFLINE,
    "online_dopa": ServicePath.Path.ONLINE_DOPA,
    "online_ega": ServicePath.Path.ONLINE_EGA,
}


def _agency(request: HttpRequest):
    return base_access.agency_for_officer(request.user)


def _effective_path(agency, service, paths: dict) -> tuple[str, bool]:
    """(path, chosen): the agency's choice for the service, else the readiness recommendation."""
    if service is not None and service.pk in paths:
        return paths[service.pk].path, True
    recommended = selectors.recommended_path(agency=agency)
    return READINESS_TO_PATH.get(recommended or "", ServicePath.Path.OFFLINE), False


@base_access.require(access.can_serve)
@never_cache
@require_http_methods(["GET", "POST"])
def counter_page(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    services_qs = selectors.agency_services(agency=agency)
    points_qs = selectors.agency_points(agency=agency)
    choice = ServiceChoiceForm(
        request.GET or None, services=services_qs, points=points_qs, prefix="c"
    )
    service = point = None
    if choice.is_bound and choice.is_valid():
        service, point = choice.cleaned_data["service"], choice.cleaned_data["point"]
    paths = selectors.path_map(agency=agency)
    path, chosen = _effective_path(agency, service, paths)
    form = RecordForm(form_data(request), initial={"source": _default_source(path)})
    if request.method == "POST" and service is not None and form.is_valid():
        try:
            record = _create_record(request, agency, service, point, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded: the citizen was served without a photocopy."))
            return redirect(record.get_absolute_url())
    elif request.method == "POST" and service is None:
        form.add_error(None, _("Choose the service first."))
    gdx_ready = selectors.gdx_member_active(agency=agency) and gdx.node_for(agency) is not None
    return render(
        request,
        "counter/counter.html",
        {
            "agency": agency,
            "choice": choice,
            "service": service,
            "point": point,
            "path": path,
            "path_chosen": chosen,
            "paths": ServicePath.Path,
            "form": form,
            "gdx_form": GdxLookupForm(
                initial={"service": service.pk if service else None}, prefix="g"
            ),
            "gdx_ready": gdx_ready,
            "reader_url": settings.COUNTER_READER_URL,
            "demo_pairing_code": _demo_pairing_code(),
            "demo_citizen_ids": _demo_citizen_ids(agency) if gdx_ready else [],
            "no_services": not services_qs.exists(),
        },
    )


def _demo_pairing_code() -> str:
    """script/server's simulated reader writes its code here; shown only in the demo."""
    if not settings.DEBUG:
        return ""
    try:
        return (settings.VAR_DIR / "idcard" / "pairing-code").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _demo_citizen_ids(agency) -> list[str]:
    """IDs the GDX demo provider knows, when this agency's node is a demo node (DEBUG only)."""
    from exchange import demo  # lazy: demo

    if not settings.DEBUG or demo.load_node_config(agency.code) is None:
        return []
    return demo.sample_citizen_ids()


def _default_source(path: str) -> str:
    if path == ServicePath.Path.ONLINE_EGA:
        return VerificationRecord.Source.GDX
    return VerificationRecord.Source.CARD


def _create_record(request, agency, service, point, form: RecordForm) -> VerificationRecord:
    data = form.cleaned_data
    evidence = {}
    if data["source"] == VerificationRecord.Source.GDX:
        ticket = _ticket_open(data["gdx_ticket"], agency=agency, user=request.user)
        if ticket is None or ticket["citizen_id"] != data["citizen_id"]:
            raise ValidationError(
                {"source": _("The GDX answer is not for this ID; ask the registry again.")}
            )
        index, proof = gdx.log_evidence(ticket["request_id"])
        evidence = {
            "document_type": ticket["document_type"],
            "gdx_request_id": ticket["request_id"],
            "gdx_log_index": index,
            "gdx_inclusion_proof": proof,
        }
    record = services.verification_record_create(
        agency=agency,
        service=service,
        point=point,
        officer=request.user,
        source=data["source"],
        values=form.values(),
        fields_used=data["fields_used"],
        consent=data["consent"] or data["source"] == VerificationRecord.Source.CARD,
        card_expired=bool(data.get("card_expired")),
        **evidence,
    )
    return record


def _ticket_open(value: str, *, agency, user) -> dict | None:
    """The GDX answer a form refers to, signed by us: no session write per lookup, and one
    record per request id at most (a unique constraint), so a ticket cannot be used twice."""
    try:
        ticket = signing.loads(value, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(ticket, dict) or ticket.get("a") != agency.pk or ticket.get("u") != user.pk:
        return None
    return ticket


@base_access.require(access.can_serve)
@never_cache
@require_POST
def gdx_lookup(request: HttpRequest) -> HttpResponse:
    """JSON for the counter page's script: the registry's answer in the form's fields."""
    agency = _agency(request)
    form = GdxLookupForm(request.POST, prefix="g")
    if not form.is_valid():
        return JsonResponse(
            {
                "error": "invalid",
                "errors": {k: [str(m) for m in v] for k, v in form.errors.items()},
            },
            status=400,
        )
    service = (
        selectors.agency_services(agency=agency).filter(pk=form.cleaned_data["service"]).first()
    )
    if service is None:
        raise Http404
    setting = selectors.path_map(agency=agency).get(service.pk)
    purpose = (setting.gdx_purpose if setting else "") or service.code or str(service.pk)
    try:
        answer = gdx.lookup(
            agency=agency,
            document_type=form.cleaned_data["document_type"],
            citizen_id=form.cleaned_data["citizen_id"],
            purpose=purpose,
            officer=request.user.email,
            legal_basis=LEGAL_BASIS,
        )
    except gdx.GdxLookupError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=409)
    ticket = signing.dumps(
        {
            "request_id": answer.request_id,
            "document_type": answer.document_type,
            "citizen_id": answer.values.get("citizen_id", ""),
            "a": agency.pk,
            "u": request.user.pk,
        },
        salt=TICKET_SALT,
    )
    return JsonResponse(
        {
            "ticket": ticket,
            "values": answer.values,
            "missing": answer.missing,
            "message": str(gdx.MESSAGES["incomplete"]) if answer.missing else "",
            "request_id": answer.request_id,
        }
    )


@base_access.require(access.can_serve)
def record_list(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    page = Paginator(selectors.record_list(agency=agency), 50).get_page(request.GET.get("page"))
    return render(request, "counter/records.html", {"agency": agency, "page": page})


@base_access.require(access.can_serve)
def record_export(request: HttpRequest) -> HttpResponse:
    """The agency's evidence in place of the photocopies: one row per record, no personal data."""
    agency = _agency(request)
    header = [
        "reference", "time", "service", "service_point", "officer", "source", "document",
        "fields_used", "data_hash_hmac_sha256", "gdx_request_id", "gdx_log_index", "card_expired",
        "status", "void_reason",
    ]  # fmt: skip

    def rows():
        for r in selectors.record_list(agency=agency).iterator(chunk_size=500):
            yield list(
                (
                    r.reference,
                    timezone.localtime(r.created_at).isoformat(timespec="seconds"),
                    r.service.name_th,
                    r.point.name_th if r.point else "",
                    r.officer.email,
                    r.source,
                    r.document_type,
                    " ".join(r.fields_used),
                    r.data_hash,
                    r.gdx_request_id or "",
                    "" if r.gdx_log_index is None else r.gdx_log_index,
                    "yes" if r.card_expired else "",
                    r.status,
                    r.void_reason,
                )
            )

    return tabular.csv_response(header, rows(), filename="verification-records.csv")


def _record_or_404(request, reference) -> VerificationRecord:
    record = selectors.record_get(reference=reference)
    base_access.ensure(record is not None and access.can_view_record(request.user, record))
    assert record is not None
    return record


@base_access.require(base_access.is_agency_staff_or_overseer)
@require_http_methods(["GET", "POST"])
def record_detail(request: HttpRequest, reference) -> HttpResponse:
    record = _record_or_404(request, reference)
    can_void = access.can_void_record(request.user, record)
    form = VoidForm(form_data(request))
    if request.method == "POST":
        if not can_void:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                services.verification_record_void(
                    record=record, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The record was voided."))
                return redirect(record.get_absolute_url())
    return _record_page(request, record, void_form=form)


def _record_page(request, record, *, void_form=None, check_form=None, check_result=None):
    can_void = access.can_void_record(request.user, record)
    return render(
        request,
        "counter/record.html",
        {
            "record": record,
            "void_form": void_form or VoidForm(),
            "can_void": can_void and record.status == VerificationRecord.Status.RECORDED,
            "check_form": check_form or CheckForm(fields=record.fields_used, prefix="k"),
            "check_result": check_result,
        },
    )


@base_access.require(base_access.is_agency_staff_or_overseer)
@require_POST
def record_check(request: HttpRequest, reference) -> HttpResponse:
    """Does the data typed here match the record? The evidence without keeping the data."""

    record = _record_or_404(request, reference)
    form = CheckForm(request.POST, fields=record.fields_used, prefix="k")
    result = None
    if form.is_valid():
        result = hmac.compare_digest(hashing.data_hash(form.cleaned_data), record.data_hash)
    return _record_page(request, record, check_form=form, check_result=result)


@base_access.require(access.can_serve)
@require_http_methods(["GET", "POST"])
def path_settings(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    can_change = access.can_change_paths(request.user)
    services_qs = list(selectors.agency_services(agency=agency))
    paths = selectors.path_map(agency=agency)
    recommended = READINESS_TO_PATH.get(selectors.recommended_path(agency=agency) or "")
    if request.method == "POST":
        if not can_change:
            return HttpResponse(status=403)
        service = next((s for s in services_qs if str(s.pk) == request.POST.get("service")), None)
        form = PathForm(request.POST, prefix=f"s{service.pk}" if service else "x")
        if service is None:
            raise Http404
        if form.is_valid():
            services.counter_path_set(
                agency=agency, service=service, by=request.user, **form.cleaned_data
            )
            messages.success(request, _("Saved."))
            return redirect("counter:paths")
    rows = []
    for s in services_qs:
        current = paths.get(s.pk)
        initial = {
            "path": current.path if current else (recommended or ServicePath.Path.OFFLINE),
            "gdx_purpose": current.gdx_purpose if current else "",
        }
        rows.append(
            {"service": s, "current": current, "form": PathForm(initial=initial, prefix=f"s{s.pk}")}
        )
    return render(
        request,
        "counter/paths.html",
        {
            "agency": agency,
            "rows": rows,
            "can_change": can_change,
            "recommended": recommended,
            "recommended_label": dict(ServicePath.Path.choices).get(recommended)
            if recommended
            else None,
            "gdx_member": selectors.gdx_member_active(agency=agency),
        },
    )


@base_access.require(access.can_serve)
def report_mine(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    return render(
        request,
        "counter/report.html",
        {
            "agency": agency,
            "total": selectors.copies_avoided_total(agency=agency),
            "by_service": selectors.copies_avoided_by_service(agency=agency),
            "by_point": selectors.copies_avoided_by_point(agency=agency),
        },
    )


@base_access.require(access.can_view_national)
def report_national(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "counter/national.html",
        {
            "total": selectors.copies_avoided_total(),
            "by_agency": selectors.copies_avoided_by_agency(),
        },
    )
