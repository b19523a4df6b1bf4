from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import access as accounts_access
from progress import access, charts, exports, selectors, sources
from progress.pages import map_context, summary_context


def _agency_or_404(code: str):
    agency = (
        sources.active_agencies().select_related("parent", "ministry").filter(code=code).first()
    )
    if agency is None:
        raise Http404
    return agency


@require_http_methods(["GET"])
def public(request: HttpRequest) -> HttpResponse:
    """The transparency page: aggregates only, for everyone."""
    context = summary_context(selectors.national())
    context.update(map_context())
    return render(request, "progress/public.html", context)


def _group_context(user, agency=None) -> dict:
    level = selectors.level_for(agency)
    rows, total = selectors.report(level)
    for row in rows:
        row.can_open = row.agency is not None and (
            row.agency.kind != "unit" or access.can_see_agency_detail(user, row.agency)
        )
        row.is_unit = row.agency is not None and row.agency.kind == "unit"
    context = summary_context(total) if agency is None else {"total": total}
    context.update(
        {
            "level": level,
            "agency": agency,
            "rows": rows,
            "chart": charts.bars([(r.name, r.stopped_share) for r in rows[:40]]),
            "points_chart": charts.bars(
                [(r.name, r.points / total.points if total.points else None) for r in rows[:40]]
            ),
            "can_see_detail": agency is not None and access.can_see_agency_detail(user, agency),
        }
    )
    return context


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _group_context(request.user)
    context.update(map_context())
    return render(request, "progress/dashboard.html", context)


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def group(request: HttpRequest, code: str) -> HttpResponse:
    """A ministry's departments, or a department's units: aggregates."""
    agency = _agency_or_404(code)
    if agency.kind == "unit":
        return redirect("progress:agency", code=agency.code)
    context = _group_context(request.user, agency)
    return render(request, "progress/group.html", context)


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def provinces(request: HttpRequest) -> HttpResponse:
    return render(request, "progress/provinces.html", map_context())


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def province(request: HttpRequest, code: str) -> HttpResponse:
    result = selectors.province_report(code=code)
    if result is None:
        raise Http404
    rows, total = result
    return render(
        request,
        "progress/province.html",
        {
            "rows": rows,
            "total": total,
            "chart": charts.bars([(r.name, r.copy_free_points_share) for r in rows[:40]]),
        },
    )


def _agency_context(agency) -> dict:
    figures = selectors.agency_figures(agency=agency)
    readiness = sources.readiness_latest_for(agency=agency)
    processes = sources.processes_with_survey(agency=agency, readiness=readiness)
    return {
        "agency": agency,
        "figures": figures,
        "checklist": selectors.agency_checklist(agency=agency, figures=figures),
        "processes": processes,
        "processes_differ": any(r["differs_id"] or r["differs_house"] for r in processes),
        "readiness": readiness,
        "evidence": sources.copy_request_rate(agency=agency),
        "copies_avoided": sources.copies_avoided(agency=agency),
        "copies_plan": sources.copies_plan_for(agency=agency),
        "complaints": sources.complaint_figures(agency=agency),
        "children": agency.children.filter(status="active").exists(),
    }


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def agency_page(request: HttpRequest, code: str) -> HttpResponse:
    agency = _agency_or_404(code)
    accounts_access.ensure(access.can_see_agency_detail(request.user, agency))
    own = accounts_access.agency_for_officer(request.user)
    # "Do it now" leads to the agency's own pages (/my-agency/…): only its staff can use
    # them; EGA and overseers are pointed to the people to contact instead.
    return render(
        request,
        "progress/agency.html",
        {
            **_agency_context(agency),
            "own_agency": own is not None and own.pk == agency.pk,
            "follows_up": accounts_access.can_oversee(request.user),
        },
    )


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    agency = accounts_access.agency_for_officer(request.user)
    if agency is None:
        return redirect("progress:dashboard")
    return redirect("progress:agency", code=agency.code)


@accounts_access.require(access.can_export_national)
@require_http_methods(["GET"])
def export_national(request: HttpRequest, kind: str) -> HttpResponse:
    detail = accounts_access.can_oversee(request.user)
    if kind == "xlsx":
        return exports.national_xlsx(every_agency=detail)
    if kind == "pdf":
        return exports.national_pdf(request=request)
    raise Http404


@accounts_access.require(access.can_see_dashboard)
@require_http_methods(["GET"])
def export_agency(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    agency = _agency_or_404(code)
    accounts_access.ensure(access.can_see_agency_detail(request.user, agency))
    if kind == "xlsx":
        return exports.agency_xlsx(agency=agency, context=_agency_context(agency))
    if kind == "pdf":
        return exports.agency_pdf(request=request, context=_agency_context(agency))
    raise Http404
