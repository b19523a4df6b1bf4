import logging
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access as accounts_access
from agencies.selectors import agency_get
from complaints import access, map_data, opendata, selectors, services
from complaints.forms import (
    ComplaintForm,
    FilterForm,
    HandOverForm,
    ModerateForm,
    NoteForm,
    PartnerKeyForm,
    ReopenForm,
    TemplateForm,
    TransitionForm,
    complaint_quick_clean,
)
from complaints.models import Complaint, PartnerKey
from core.forms import add_service_errors
from core.http import client_ip
from core.mail import public_base_url
from core.parsing import optional_id
from service_points import conf as sp_conf
from service_points.models import ServicePoint

logger = logging.getLogger(__name__)
DEVICE_COOKIE = "cr_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
# Tells the follow page, once, that its complaint was just filed (a cookie, not the session:
# an anonymous citizen's session would be one more database write per complaint).
FILED_COOKIE = "cr_filed"
FOLLOW_PATH = "/complaints/follow/"
ALL_AGENCIES = "all"  # ?agency=all: every agency's queue, for EGA and overseers


def _device(request: HttpRequest) -> str:
    return request.COOKIES.get(DEVICE_COOKIE, "")[:64] or secrets.token_urlsafe(18)


def _remember(response: HttpResponse, device: str) -> HttpResponse:
    response.set_cookie(
        DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response


def _map_context() -> dict:
    return {"tile_url": sp_conf.tile_url(), "tile_attribution": sp_conf.tile_attribution()}


def _base_url(request: HttpRequest) -> str:
    return public_base_url()


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -180 <= number <= 180 else None


# --- citizens -------------------------------------------------------------------------
def _point_from_request(request: HttpRequest) -> ServicePoint | None:
    point_pk = optional_id(request.GET.get("point") or request.POST.get("point"))
    if point_pk is None:
        return None
    point = ServicePoint.objects.filter(pk=point_pk, status=ServicePoint.Status.PUBLISHED).first()
    if point is None:
        raise Http404
    return point


def _new_form_initial(request: HttpRequest, point: ServicePoint | None) -> ComplaintForm:
    initial = {
        "latitude": _float(request.GET.get("lat")),
        "longitude": _float(request.GET.get("lon")),
    }
    code = request.GET.get("category", "")
    category = selectors.categories_active().filter(code=code).first()
    if category is None and request.GET.get("from") == "feedback":
        category = selectors.categories_active().filter(code="service").first()
    if category is not None:
        initial["category"] = category.pk
    return ComplaintForm(initial=initial, point=point)


def _nearby_for(request: HttpRequest, data: dict, point: ServicePoint | None) -> list[Complaint]:
    """Open complaints nearby in the same category, offered before a duplicate is filed."""
    lat, lon = data.get("latitude"), data.get("longitude")
    if point is not None or lat is None or lon is None or request.POST.get("file_anyway"):
        return []
    return selectors.nearby_open(category=data["category"], latitude=lat, longitude=lon)


def _submit(
    request: HttpRequest, data: dict, point: ServicePoint | None, device: str
) -> tuple[HttpResponse | None, int, ValidationError | str | None]:
    """Files the checked data. Returns (the response that ends the request, or None to show
    the form again; the status for that form page; the problem to show on the form)."""
    try:
        complaint = services.complaint_submit(
            category=data["category"],
            service=data.get("service"),
            description=data["description"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            point=point,
            photos=data["photos"],
            reporter_name=data["reporter_name"],
            name_public=data["name_public"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            device_token=device,
            ip=client_ip(request) or "",
            base_url=_base_url(request),
        )
    except services.TooManyComplaintsError:
        response = render(request, "complaints/too_many.html", status=429)
        response["Retry-After"] = "3600"
        return response, 429, None
    except ValidationError as error:
        return None, 400, error
    except (OperationalError, InterfaceError):
        logger.warning("complaint not stored: database unavailable", exc_info=True)
        return (
            None,
            503,
            _(
                "Your complaint could not be saved just now. It is still filled in "
                "below: please send it again."
            ),
        )
    response = redirect("complaints:follow", complaint.follow_token)
    response.set_cookie(
        FILED_COOKIE,
        complaint.reference,
        max_age=600,
        path=FOLLOW_PATH,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return _remember(response, device), 302, None


def _posted(
    request: HttpRequest, point: ServicePoint | None
) -> tuple[ComplaintForm | None, dict | None]:
    """(the bound form, or None when the quick check passed; the checked data or None). The
    usual complaint is checked without building the form (ADR 0101)."""
    if point is None:
        quick = complaint_quick_clean(
            request.POST, request.FILES, categories=selectors.categories_offered()
        )
        if quick is not None:
            return None, quick
    form = ComplaintForm(request.POST, request.FILES, point=point)
    return form, (form.cleaned_data if form.is_valid() else None)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """File a complaint: from /complaints/new/, a point's page (?point=), the feedback page
    after a low rating (?point=&from=feedback) or the public map (?lat=&lon=)."""
    point = _point_from_request(request)
    device = _device(request)
    nearby: list[Complaint] = []
    status = 200
    if request.method != "POST":
        form = _new_form_initial(request, point)
    else:
        form, data = _posted(request, point)
        problem = None
        if data is not None:
            nearby = _nearby_for(request, data, point)
            if not nearby:
                done, status, problem = _submit(request, data, point, device)
                if done is not None:
                    return done
        form = form or ComplaintForm(request.POST, request.FILES, point=point)
        if isinstance(problem, ValidationError):
            form.is_valid()
            add_service_errors(form, problem)
        elif problem:
            form.is_valid()
            form.add_error(None, problem)
        if form.errors and status == 200:
            status = 400
    context = {"form": form, "point": point, "nearby": nearby, **_map_context()}
    response = render(request, "complaints/new.html", context, status=status)
    return _remember(sp_conf.with_tiles_allowed(response), device)


@require_POST
def support(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_public_get(reference=reference)
    if complaint is None:
        raise Http404
    device = _device(request)
    try:
        added = services.complaint_support(complaint=complaint, device_token=device)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: your support was added.")
            if added
            else _("You already support this complaint."),
        )
    return _remember(redirect(complaint.get_absolute_url()), device)


def _follow_or_404(token: str) -> Complaint:
    complaint = selectors.complaint_by_token(token=token)
    if complaint is None:
        raise Http404
    return complaint


@require_http_methods(["GET"])
def follow(request: HttpRequest, token: str) -> HttpResponse:
    complaint = _follow_or_404(token)
    just_filed = request.COOKIES.get(FILED_COOKIE) == complaint.reference
    context = {
        "complaint": complaint,
        "events": selectors.timeline(complaint=complaint),
        "photos": complaint.photos.all(),
        "just_filed": just_filed,
        "reopen_form": ReopenForm(),
    }
    response = render(request, "complaints/follow.html", context)
    # The token is in the address: never sent to another site ("no-referrer" would make the
    # browser send "Origin: null" with the page's own forms, which CSRF refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    if just_filed:
        response.delete_cookie(FILED_COOKIE, path=FOLLOW_PATH, samesite="Lax")
    return response


def _follow_action(request, token, action) -> HttpResponse:
    complaint = _follow_or_404(token)
    try:
        action(complaint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. Your answer has been saved."))
    return redirect("complaints:follow", token)


@require_POST
def follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _follow_action(request, token, lambda c: services.complaint_confirm_fixed(complaint=c))


@require_POST
def follow_reopen(request: HttpRequest, token: str) -> HttpResponse:
    form = ReopenForm(request.POST)
    reason = request.POST.get("reason", "") if form.is_valid() else ""
    return _follow_action(
        request,
        token,
        lambda c: services.complaint_reopen(
            complaint=c, reason=reason, base_url=_base_url(request)
        ),
    )


@require_POST
def follow_answer(request: HttpRequest, token: str) -> HttpResponse:
    answer = request.POST.get("still_fixed")
    if answer not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect("complaints:follow", token)
    return _follow_action(
        request,
        token,
        lambda c: services.questionnaire_answer(
            complaint=c, still_fixed=answer == "yes", base_url=_base_url(request)
        ),
    )


# --- the public -------------------------------------------------------------------------
def _filtered(request: HttpRequest):
    form = FilterForm(request.GET if request.GET else None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    agency = agency_get(code=data["agency"]) if data.get("agency") else None
    if data.get("agency") and agency is None:
        form.add_error("agency", _("No agency has this code."))
        return form, selectors.public_complaints().none()
    qs = selectors.public_complaints(
        province_code=data.get("province") or "",
        agency=agency,
        category=data.get("category"),
        state=data.get("state") or "",
    )
    return form, qs


@require_http_methods(["GET"])
def public_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = selectors.public_page(
        qs,
        after=optional_id(request.GET.get("after")),
        before=optional_id(request.GET.get("before")),
        size=selectors.PUBLIC_PAGE_SIZE,
    )
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    return sp_conf.with_tiles_allowed(
        render(
            request,
            "complaints/list.html",
            {
                "form": form,
                "options": _filter_options(form),
                "page": page,
                "query": query.urlencode(),
                "count_cap": f"{selectors.PUBLIC_COUNT_CAP:,}",
                **_map_context(),
            },
        )
    )


def _filter_options(form: FilterForm) -> dict[str, str]:
    """The filters' <option>s as HTML, drawn in Python: the template engine takes ~0.1 ms an
    option, and the provinces alone are 78."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    options = {}
    for name in ("province", "category", "state"):
        chosen = str(form[name].value() or "")
        options[name] = mark_safe(  # noqa: S308 - every value and label is escaped
            "".join(
                f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
                f"{escape(label)}</option>"
                for value, label in form.fields[name].choices
            )
        )
    return options


@require_http_methods(["GET"])
def public_map_data(request: HttpRequest) -> HttpResponse:
    """GeoJSON of the newest 2,000 public complaints for the filters (no personal data).

    Written from the rows' tuples (ADR 0103): the same JSON, byte for byte, as building a dict
    per feature and `JsonResponse`, at a fraction of the CPU."""
    _form, qs = _filtered(request)
    rows = qs.values_list("reference", "latitude", "longitude", "state", "category_id")
    return HttpResponse(
        map_data.geojson(rows[: map_data.MAX_PINS]), content_type="application/json"
    )


@require_http_methods(["GET"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_public_get(reference=reference)
    if complaint is None:
        raise Http404
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "events": selectors.timeline(complaint=complaint),
            "photos": complaint.photos.filter(hidden=False),
        },
    )


@require_http_methods(["GET"])
def agency_figures(request: HttpRequest, code: str) -> HttpResponse:
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    return render(
        request,
        "complaints/agency_figures.html",
        {"agency": agency, "figures": selectors.figures(agency=agency)},
    )


# --- agencies and EGA ----------------------------------------------------------------------
@accounts_access.require(access.can_view_queue)
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    own = accounts_access.agency_for_officer(request.user)
    agency = own
    fallback = everyone = False
    scope = ""
    if own is None:  # EGA and overseers: the fallback queue, ?agency=<code> or ?agency=all
        code = request.GET.get("agency", "")[:32]
        everyone = code == ALL_AGENCIES
        agency = agency_get(code=code) if code and not everyone else None
        fallback = agency is None and not everyone
        scope = ALL_AGENCIES if everyone else (agency.code if agency else "")
    state = request.GET.get("state", "open")[:20]
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.queue(
        agency=agency, fallback=fallback, everyone=everyone, state=state, overdue=overdue
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/queue.html",
        {
            "agency": agency,
            "fallback": fallback,
            "everyone": everyone,
            "scope": scope,
            "page": page,
            "state": state,
            "overdue": overdue,
            "held": selectors.held_complaints()[:50]
            if accounts_access.is_ega_admin(request.user)
            else None,
        },
    )


def _manageable(request: HttpRequest, reference: str) -> Complaint:
    complaint = selectors.complaint_get(reference=reference)
    if complaint is None:
        raise Http404
    accounts_access.ensure(
        access.can_view_complaint(request.user, complaint)
        or (complaint.agency_id is None and accounts_access.can_oversee(request.user))
    )
    return complaint


def _manage_page(request, complaint, *, status=200, **forms) -> HttpResponse:
    user = request.user
    context = {
        "complaint": complaint,
        "events": selectors.timeline(complaint=complaint, internal=True),
        "photos": complaint.photos.all(),
        "can_act": access.can_act_on(user, complaint),
        "can_see_contact": access.can_see_contact(user, complaint),
        "can_moderate": access.can_moderate(user),
        "templates": selectors.templates_for(agency=complaint.agency)
        if complaint.agency_id
        else [],
        "transition_form": forms.get("transition_form") or TransitionForm(complaint=complaint),
        "note_form": forms.get("note_form") or NoteForm(),
        "hand_over_form": forms.get("hand_over_form") or HandOverForm(),
        "moderate_form": forms.get("moderate_form")
        or ModerateForm(initial={"hide_text": not complaint.text_hidden}),
    }
    return render(request, "complaints/manage.html", context, status=status)


@accounts_access.require(access.can_view_queue)
@require_http_methods(["GET"])
def manage(request: HttpRequest, reference: str) -> HttpResponse:
    return _manage_page(request, _manageable(request, reference))


def _act(request, reference, form_class, name, call, form_kwargs=None) -> HttpResponse:
    complaint = _manageable(request, reference)
    accounts_access.ensure(access.can_act_on(request.user, complaint) or name == "moderate_form")
    form = form_class(request.POST, **(form_kwargs(complaint) if form_kwargs else {}))
    if form.is_valid():
        try:
            call(complaint, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("complaints:manage", complaint.reference)
    return _manage_page(request, complaint, status=400, **{name: form})


@accounts_access.require(access.can_view_queue)
@require_POST
def manage_state(request: HttpRequest, reference: str) -> HttpResponse:
    def call(complaint, data):
        original = None
        if data["duplicate_of"]:
            original = selectors.complaint_get(reference=data["duplicate_of"].strip().upper())
            if original is None:
                raise ValidationError({"duplicate_of": _("No complaint has this reference.")})
        services.complaint_transition(
            complaint=complaint,
            state=data["state"],
            by=request.user,
            note=data["note"],
            duplicate_of=original,
            base_url=_base_url(request),
        )

    return _act(
        request,
        reference,
        TransitionForm,
        "transition_form",
        call,
        form_kwargs=lambda c: {"complaint": c},
    )


@accounts_access.require(access.can_view_queue)
@require_POST
def manage_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        NoteForm,
        "note_form",
        lambda c, d: services.complaint_note_add(complaint=c, by=request.user, note=d["note"]),
    )


@accounts_access.require(access.can_view_queue)
@require_POST
def manage_hand_over(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        HandOverForm,
        "hand_over_form",
        lambda c, d: services.complaint_hand_over(
            complaint=c, to_agency=d["to_agency"], by=request.user, reason=d["reason"]
        ),
    )


@accounts_access.require(access.can_moderate)
@require_POST
def manage_moderate(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        ModerateForm,
        "moderate_form",
        lambda c, d: services.complaint_moderate(
            complaint=c, by=request.user, hide_text=d["hide_text"], reason=d["reason"]
        ),
    )


@accounts_access.require(access.can_moderate)
@require_POST
def manage_release(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_get(reference=reference)
    if complaint is None:
        raise Http404
    try:
        services.complaint_release(complaint=complaint, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("complaints:queue")


@accounts_access.require(lambda user: accounts_access.agency_for_officer(user) is not None)
@require_http_methods(["GET", "POST"])
def response_templates(request: HttpRequest) -> HttpResponse:
    agency = accounts_access.agency_for_officer(request.user)
    form = TemplateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.template_save(agency=agency, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("complaints:templates")
        status = 400
    return render(
        request,
        "complaints/templates.html",
        {"form": form, "templates": selectors.templates_for(agency=agency)},
        status=status,
    )


@accounts_access.require(access.can_manage_partner_keys)
@require_http_methods(["GET", "POST"])
def partner_keys(request: HttpRequest) -> HttpResponse:
    """EGA issues and revokes partner channels' keys for Open311 POST."""
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "revoke":
        key_id = optional_id(request.POST.get("key"))
        key = PartnerKey.objects.filter(pk=key_id, revoked_at__isnull=True).first()
        if key is None:
            raise Http404
        services.partner_key_revoke(key=key, by=request.user)
        messages.success(request, _("The key is revoked."))
        return redirect("complaints:partner_keys")
    form = PartnerKeyForm(request.POST if request.method == "POST" else None)
    secret, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _key, secret = services.partner_key_issue(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
        if secret is None:
            status = 400
    return render(
        request,
        "complaints/partner_keys.html",
        {
            "form": PartnerKeyForm() if secret else form,
            "secret": secret,
            "keys": PartnerKey.objects.all(),
        },
        status=status,
    )


# --- open data -------------------------------------------------------------------------------
@require_http_methods(["GET"])
def opendata_page(request: HttpRequest) -> HttpResponse:

    return render(request, "complaints/opendata.html", {"months": opendata.months()})


@require_http_methods(["GET"])
def opendata_file(request: HttpRequest, month: str, ext: str) -> HttpResponse:
    from django.http import StreamingHttpResponse

    if ext not in ("csv", "geojson") or opendata.month_bounds(month[:7]) is None:
        raise Http404
    if ext == "csv":
        response = StreamingHttpResponse(
            opendata.csv_chunks(month), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            opendata.geojson_chunks(month), content_type="application/geo+json"
        )
    response["Content-Disposition"] = f'attachment; filename="complaints-{month}.{ext}"'
    return response
