"""The programme console: thin views over the owning apps' services and selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import require
from agencies import services as agency_services
from agencies.models import Agency
from audit.models import AuditEvent
from console import access, details, exports, selectors, services
from console.forms import (
    ActivityScheduleForm,
    AgencyForm,
    AuditSearchForm,
    ConfirmForm,
    FollowUpForm,
    ImportForm,
    LimitationOptionForm,
    RoundForm,
    SearchForm,
)
from core.forms import add_service_errors
from core.http import form_data
from core.text import normalize_for_search
from progress import services as progress_services
from progress.models import Activity, Phase
from readiness import selectors as readiness_selectors
from readiness import services as readiness_services
from readiness import tasks as readiness_tasks
from readiness.models import LimitationOption, SurveyRound


@require(access.can_view_console)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/home.html",
        {
            "attention": selectors.attention(),
            "can_run": access.can_run_programme(request.user),
            "keys_days": selectors.KEYS_EXPIRING_DAYS,
        },
    )


@require(access.can_view_console)
def rounds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/rounds.html",
        {
            "rounds": SurveyRound.objects.order_by("-opens_on"),
            "can_run": access.can_run_programme(request.user),
        },
    )


@require(access.can_run_programme)
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            round = readiness_services.survey_round_save(
                round=form.instance,
                by=request.user,
                options=list(form.cleaned_data["limitation_options"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round was saved."))
            return redirect("console:round", pk=round.pk)
    return render(request, "console/round_form.html", {"form": form})


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(SurveyRound, pk=pk)
    can_run = access.can_run_programme(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = RoundForm(
        form_data(request) if action == "save" else None,
        instance=SurveyRound.objects.get(pk=round.pk),
    )
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        try:
            if action == "save" and form.is_valid():
                readiness_services.survey_round_save(
                    round=form.instance,
                    by=request.user,
                    options=list(form.cleaned_data["limitation_options"]),
                )
                messages.success(request, _("The round was saved."))
                return redirect("console:round", pk=round.pk)
            if action == "archive":
                readiness_services.survey_round_archive(round=round, by=request.user)
                messages.success(request, _("The round was closed and archived."))
                return redirect("console:round", pk=round.pk)
        except ValidationError as error:
            round.refresh_from_db()
            if form.is_bound:
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(
        request,
        "console/round_detail.html",
        {
            "round": round,
            "form": form,
            "can_run": can_run,
            "sent": AuditEvent.objects.filter(
                action="readiness.reminders_sent",
                target_type=round._meta.label_lower,
                target_id=str(round.pk),
            ).select_related("actor")[:20],
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def reminders(request: HttpRequest, pk: int) -> HttpResponse:
    round = get_object_or_404(SurveyRound, pk=pk)
    can_run = access.can_run_programme(request.user)
    form = ConfirmForm(form_data(request))
    targets = readiness_selectors.reminder_preview(round=round)
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        if form.is_valid():
            readiness_tasks.send_reminders.enqueue(
                round_id=round.pk,
                by_id=request.user.pk,
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(
                request,
                _("The reminders are being sent. The record below shows what went out."),
            )
            return redirect("console:round", pk=round.pk)
    unreachable = [t for t in targets if not t.to_mail and not t.reminded_recently]
    return render(
        request,
        "console/reminders.html",
        {
            "round": round,
            "form": form,
            "can_run": can_run,
            "targets": [t for t in targets if t.to_mail],
            "recent": [t for t in targets if not t.to_mail and t.reminded_recently],
            "unreachable": unreachable,
            "emails": sum(len(t.to_mail) for t in targets),
        },
    )


@require(access.can_view_console)
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_search(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.details = details.readable(event)
        event.target_label = details.target_label(event)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/audit.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require(access.can_view_console)
def dates(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dates.html", {"found": selectors.suspicious_dates()})


@require(access.can_view_console)
@require_http_methods(["GET"])
def followup(request: HttpRequest, kind: str = "") -> HttpResponse:
    form = FollowUpForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agencies = selectors.followup_agencies(
        gap=filters.get("gap") or "",
        ministry=filters.get("ministry"),
        province=filters.get("province") or "",
    )
    if kind == "csv":
        return exports.as_csv(agencies)
    if kind == "xlsx":
        return exports.as_xlsx(agencies)
    if kind:
        raise Http404
    page = Paginator(agencies, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/followup.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.followup_rows(page.object_list),
            "query": query.urlencode(),
            "round": selectors.current_round(),
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def options(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Question 8's options: the list, and a form to add one or change the one chosen."""
    can_run = access.can_run_programme(request.user)
    option = get_object_or_404(LimitationOption, pk=pk) if pk else LimitationOption()
    form = LimitationOptionForm(form_data(request), instance=option)
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                readiness_services.limitation_option_save(option=form.instance, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The option was saved."))
                return redirect("console:options")
    return render(
        request,
        "console/options.html",
        {
            "options": LimitationOption.objects.order_by("position", "letter"),
            "form": form,
            "editing": option if pk else None,
            "can_run": can_run,
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def agencies(request: HttpRequest) -> HttpResponse:
    """The directory: search it, add an agency, import the CSV file."""

    can_run = access.can_run_programme(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = AgencyForm(form_data(request) if action == "add" else None)
    upload = ImportForm(
        request.POST if action == "import" else None,
        request.FILES if action == "import" else None,
    )
    result = None
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        if action == "add" and form.is_valid():
            try:
                agency = agency_services.agency_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is now in the directory.") % {"name": agency})
                return redirect("console:agency", code=agency.code)
        if action == "import" and upload.is_valid():
            result = agency_services.agency_import_csv(
                text=upload.cleaned_data["file"], by=request.user
            )
    search = SearchForm(request.GET or None)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    found = Agency.objects.select_related("parent").order_by("name_th")
    if query:
        found = found.filter(search_text__contains=normalize_for_search(query))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "console/agencies.html",
        {
            "search": search,
            "page": page,
            "query": f"q={query}" if query else "",
            "form": form,
            "upload": upload,
            "result": result,
            "can_run": can_run,
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def agency(request: HttpRequest, code: str) -> HttpResponse:

    agency = get_object_or_404(Agency.objects.select_related("parent"), code=code)
    can_run = access.can_run_programme(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = AgencyForm(
        form_data(request) if action == "save" else None,
        editing=True,
        initial={
            "name_th": agency.name_th,
            "name_en": agency.name_en,
            "abbreviation": agency.abbreviation,
            "parent": agency.parent.code if agency.parent_id else "",
        },
    )
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        try:
            if action == "save" and form.is_valid():
                agency_services.agency_update(agency=agency, by=request.user, **form.cleaned_data)
                messages.success(request, _("The agency was saved."))
                return redirect("console:agency", code=agency.code)
            if action == "archive":
                agency_services.agency_archive(agency=agency, by=request.user)
                messages.success(request, _("The agency was archived. Its history is kept."))
                return redirect("console:agency", code=agency.code)
        except ValidationError as error:
            agency.refresh_from_db()
            if form.is_bound:
                add_service_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    return render(
        request,
        "console/agency.html",
        {
            "agency": agency,
            "form": form,
            "can_run": can_run,
            "history": AuditEvent.objects.filter(agency=agency, action__startswith="agency.")
            .select_related("actor")
            .order_by("-created_at")[:20],
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def followup_remind(request: HttpRequest) -> HttpResponse:
    """'Remind these': who gets a mail, who cannot be reached; mail only once confirmed."""

    form = FollowUpForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agencies = selectors.followup_agencies(
        gap=filters.get("gap") or "",
        ministry=filters.get("ministry"),
        province=filters.get("province") or "",
    )
    can_run = access.can_run_programme(request.user)
    rows = selectors.followup_rows(agencies[: services.MAX_AGENCIES])
    members = selectors.followup_members([row.agency.pk for row in rows])
    confirm = ConfirmForm(form_data(request))
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        if confirm.is_valid():
            result = services.followup_remind(
                rows=rows,
                members=members,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                gap=filters.get("gap") or "",
            )
            messages.success(
                request,
                _(
                    "%(emails)d emails are being sent to %(agencies)d agencies; "
                    "%(unreachable)d agencies have no one to email."
                )
                % {
                    "emails": result.emails,
                    "agencies": result.agencies - result.unreachable,
                    "unreachable": result.unreachable,
                },
            )
            return redirect(f"{reverse('console:followup')}?{request.GET.urlencode()}")
    return render(
        request,
        "console/followup_remind.html",
        {
            "form": form,
            "confirm": confirm,
            "can_run": can_run,
            "reached": [(row, members[row.agency.pk]) for row in rows if row.agency.pk in members],
            "unreachable": [row for row in rows if row.agency.pk not in members],
            "emails": sum(len(people) for people in members.values()),
            "query": request.GET.urlencode(),
        },
    )


@require(access.can_view_console)
@require_http_methods(["GET", "POST"])
def phases(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The programme's phases and their schedules; EGA moves an activity's window."""

    can_run = access.can_run_programme(request.user)
    if request.method == "POST":
        if not can_run:
            return HttpResponse(status=403)
        if pk is None:
            raise Http404
    activities = list(Activity.objects.select_related("phase"))
    if pk is not None and not any(a.pk == pk for a in activities):
        raise Http404
    forms = {}
    for activity in activities:
        bound = request.method == "POST" and activity.pk == pk
        forms[activity.pk] = ActivityScheduleForm(
            request.POST if bound else None,
            prefix=f"a{activity.pk}",
            initial={"starts_on": activity.starts_on, "ends_on": activity.ends_on},
        )
    if request.method == "POST":
        form = forms[pk]  # type: ignore[index]
        if form.is_valid():
            activity = next(a for a in activities if a.pk == pk)
            try:
                progress_services.activity_reschedule(
                    activity=activity, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The schedule was saved."))
                return redirect("console:phases")
    return render(
        request,
        "console/phases.html",
        {
            "phases": [
                (phase, [(a, forms[a.pk]) for a in activities if a.phase_id == phase.pk])
                for phase in Phase.objects.order_by("number")
            ],
            "can_run": can_run,
            "failed": forms.get(pk) if pk is not None else None,
        },
    )
