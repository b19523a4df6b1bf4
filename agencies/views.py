from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import access
from accounts.selectors import agency_members, registration_history, registration_pending_for
from agencies.forms import AgencyRequestApproveForm, AgencyRequestForm, AgencyRequestRejectForm
from agencies.models import AgencyRequest
from agencies.selectors import (
    agency_children,
    agency_get,
    agency_request_pending,
    agency_search,
    agency_top_level,
)
from agencies.services import agency_request_approve, agency_request_reject, agency_request_submit
from core.forms import add_service_errors
from core.http import form_data, is_htmx
from core.mail import public_base_url
from core.text import search_text
from progress.selectors import agency_checklist


@require_http_methods(["GET"])
def directory(request: HttpRequest) -> HttpResponse:
    query = search_text(request.GET.get("q"))
    results = agency_search(query=query, limit=50) if query else []
    if is_htmx(request):
        return render(
            request,
            "agencies/includes/search_results.html",
            {"query": query, "results": results, "purpose": "directory"},
        )
    return render(
        request,
        "agencies/directory.html",
        {
            "query": query,
            "results": results,
            "purpose": "directory",
            "top_level": [] if query else agency_top_level(),
        },
    )


@require_http_methods(["GET"])
def detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "children": agency_children(agency=agency),
            "can_see_private": access.can_view_agency_private(request.user, agency),
        },
    )


def _private_context(agency) -> dict:
    return {
        "agency": agency,
        "checklist": agency_checklist(agency=agency),
        "requesters": registration_history(agency=agency)[:200],
        "members": agency_members(agency=agency),
    }


@access.require(access.is_agency_staff_or_overseer)
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    agency = access.agency_for_officer(request.user)
    if agency is None:
        return render(
            request,
            "agencies/overview.html",
            {
                "pending_registrations": registration_pending_for(user=request.user).count(),
                "pending_reports": agency_request_pending().count()
                if access.can_see_agency_reports(request.user)
                else None,
            },
        )
    context = _private_context(agency)
    context["pending_registrations"] = registration_pending_for(user=request.user).count()
    return render(request, "agencies/home.html", context)


@access.require(access.is_agency_staff_or_overseer)
@require_http_methods(["GET"])
def people(request: HttpRequest, code: str) -> HttpResponse:
    agency = agency_get(code=code)
    if agency is None or not access.can_view_agency_private(request.user, agency):
        raise Http404
    return render(request, "agencies/people.html", _private_context(agency))


@require_http_methods(["GET", "POST"])
def request_missing(request: HttpRequest) -> HttpResponse:
    form = AgencyRequestForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            agency_request_submit(request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "agencies/request_sent.html")
    return render(request, "agencies/request.html", {"form": form})


@access.require(access.can_see_agency_reports)
@require_http_methods(["GET"])
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/reports.html", {"reports": agency_request_pending()})


@access.require(access.can_see_agency_reports)
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AgencyRequest, pk=pk, status=AgencyRequest.Status.PENDING)
    can_decide = access.is_ega_admin(request.user)
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    approve_form = AgencyRequestApproveForm(
        request.POST if request.POST.get("decision") == "approve" else None,
        initial={
            "name_th": report.name_th,
            "name_en": report.name_en,
            "parent": report.parent,
            "kind": "unit" if report.parent else "independent",
        },
        prefix="approve",
    )
    reject_form = AgencyRequestRejectForm(
        request.POST if request.POST.get("decision") == "reject" else None, prefix="reject"
    )
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve" and approve_form.is_valid():
                agency = agency_request_approve(
                    report=report,
                    by=request.user,
                    base_url=public_base_url(),
                    **approve_form.cleaned_data,
                )
                messages.success(
                    request, _("%(name)s is now in the directory.") % {"name": agency.name_th}
                )
                return redirect("agencies:reports")
            if request.POST.get("decision") == "reject" and reject_form.is_valid():
                agency_request_reject(
                    report=report, by=request.user, note=reject_form.cleaned_data["review_note"]
                )
                messages.success(request, _("The report was rejected."))
                return redirect("agencies:reports")
        except ValidationError as error:
            add_service_errors(
                approve_form if request.POST.get("decision") == "approve" else reject_form, error
            )
    return render(
        request,
        "agencies/report_review.html",
        {
            "report": report,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "can_decide": can_decide,
        },
    )
