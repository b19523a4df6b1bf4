import logging
import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access as accounts_access
from agencies.selectors import agency_get
from core import tabular
from core.forms import add_service_errors
from core.http import client_ip, form_data
from core.memo import ProcessCache
from feedback import access, conf, selectors, services
from feedback.forms import ReplyForm, ResponseForm, response_quick_clean
from feedback.models import Response
from feedback.poster import feedback_url, poster_pdf
from service_points.models import ServicePoint

logger = logging.getLogger(__name__)
DEVICE_COOKIE = "fb_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
STORED_HEADER = "X-Answer-Stored"


def _target_or_404(pk: int) -> selectors.FeedbackTarget:
    """The point and its services, from the process's memory (ADR 0044), or 404."""
    target = selectors.feedback_target(point_pk=pk)
    if target is None:
        raise Http404
    return target


# --- citizens -------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def give(request: HttpRequest, point_pk: int) -> HttpResponse:
    """The page the poster's QR code opens: works without JavaScript and without sign-in."""
    target = _target_or_404(point_pk)
    point = target.point
    device = request.COOKIES.get(DEVICE_COOKIE, "")[:64] or secrets.token_urlsafe(18)
    form = None
    unavailable = False
    if request.method == "POST":
        data = response_quick_clean(request.POST, services=target.services)
        if data is None:
            form = ResponseForm(request.POST, services=target.services)
            data = form.cleaned_data if form.is_valid() else None
        if data is not None:
            try:
                stored = services.response_submit(
                    point=point,
                    service=data["service_obj"],
                    service_other=data["service_other"],
                    overall=data["overall"],
                    process=data["process"],
                    staff=data["staff"],
                    facilities=data["facilities"],
                    outcome=data["outcome"],
                    asked_for_copy=data["asked_for_copy"],
                    comment=data["comment"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    honeypot=request.POST.get("website", ""),
                    device_token=device,
                    ip=client_ip(request) or "",
                    submission=data["submission"],
                )
            except services.TooManyResponsesError:
                response = render(request, "feedback/too_many.html", {"point": point}, status=429)
                response["Retry-After"] = "3600"
                return response
            except ValidationError as error:
                form = form or _bound_form(request, target)
                add_service_errors(form, error)
            except (OperationalError, InterfaceError):
                # The database is out of reach (a restart, a failover): nothing was stored, so
                # the citizen gets the form back, answers kept, and is asked to send it again.
                logger.warning("feedback answer not stored: database unavailable", exc_info=True)
                form = form or _bound_form(request, target)
                form.add_error(
                    None,
                    _(
                        "Your answers could not be saved just now. They are still filled in "
                        "below: please press “Send my answers” again."
                    ),
                )
                unavailable = True
            else:
                response = _held_page(request, stored, point)
                if response is None:
                    response = redirect("feedback:thanks", point_pk=point.pk)
                    if data["overall"] <= 2:  # a low rating: the thanks page offers a complaint
                        response["Location"] += "?low=1"
                _remember_device(response, request, device)
                return response
    if form is None:
        form = ResponseForm(form_data(request), services=target.services)
    status = (503 if unavailable else 400) if request.method == "POST" else 200
    form_html = form.render() if form.is_bound else _blank_form_html(target)
    response = render(
        request,
        "feedback/give.html",
        {"point": point, "form": form, "form_html": form_html},
        status=status,
    )
    if unavailable:
        response["Retry-After"] = "5"
    _remember_device(response, request, device)
    return response


def _held_page(request: HttpRequest, stored, point) -> HttpResponse | None:
    """An answer held for review is said to be held, not thanked for as if it counted.

    Held for a rate (device, network, or one network's burst at this point): 429 with
    Retry-After, as the limit says. Held as a repeat of the same device's answer: 200. The
    honeypot (a robot) gets the usual thanks, so it learns nothing."""
    reason = stored.flag_reason
    if stored.is_counted or reason == stored.FlagReason.HONEYPOT:
        return None
    limited = reason != stored.FlagReason.DUPLICATE
    response = render(
        request,
        "feedback/held.html",
        {"point": point, "limited": limited, "duplicate": not limited},
        status=429 if limited else 200,
    )
    if limited:
        response["Retry-After"] = "3600"
    # The app's offline queue reads this: stored (held), so not to be sent again (ADR 0091).
    response[STORED_HEADER] = "held"
    return response


_BLANK_FORMS: ProcessCache[str] = ProcessCache("feedback.blank_forms", max_entries=5_000)


def _blank_form_html(target) -> str:
    """The empty questionnaire as HTML, drawn once per language and list of services.

    Drawing the form's widgets costs about 7 ms, four-fifths of the page; every citizen who
    scans a QR code gets the same empty form for that agency, so it is kept per process.
    The CSRF token is outside it, in the page."""
    key = (translation.get_language(), tuple((s.pk, s.name_th) for s in target.services))
    html = _BLANK_FORMS.get(key)
    if html is None:
        html = _BLANK_FORMS.set(key, ResponseForm(None, services=target.services).render())
    return html


def _bound_form(request: HttpRequest, target) -> ResponseForm:
    """The full form for the answer the quick check passed, to show a service's errors on."""
    form = ResponseForm(request.POST, services=target.services)
    form.is_valid()
    return form


def _remember_device(response: HttpResponse, request: HttpRequest, device: str) -> None:
    if request.COOKIES.get(DEVICE_COOKIE) != device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )


@require_http_methods(["GET"])
def thanks(request: HttpRequest, point_pk: int) -> HttpResponse:
    target = _target_or_404(point_pk)
    low_rating = request.GET.get("low") == "1"
    return render(
        request, "feedback/thanks.html", {"point": target.point, "low_rating": low_rating}
    )


@require_http_methods(["GET"])
def waiting(request: HttpRequest) -> HttpResponse:
    """Answers kept on the phone until the network returns: the service worker keeps a copy of
    this page and shows it when an answer cannot be sent; core/app.js fills in their state."""
    return render(request, "feedback/waiting.html")


# --- agencies and overseers ---------------------------------------------------------------
def _period(request: HttpRequest) -> str:
    return "month" if request.GET.get("period") == "month" else "week"


def _report_context(request: HttpRequest, **scope) -> dict:
    period = _period(request)
    return {
        "summary": selectors.feedback_summary(**scope),
        "trend": selectors.feedback_trend(period=period, **scope)[-26:],
        "period": period,
        "drivers": selectors.feedback_by_driver(**scope),
        "held": selectors.feedback_held_count(**scope),
    }


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The header's "Citizen feedback": overseers go to the national view, staff to theirs."""
    if access.can_view_national(request.user):
        return redirect("feedback:national")
    return redirect("feedback:agency", code=accounts_access.agency_for_officer(request.user).code)


@accounts_access.require(access.can_view_national)
@require_http_methods(["GET"])
def national(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "feedback/national.html",
        {
            **_report_context(request),
            "agencies": selectors.feedback_by_agency()[:500],
            "can_review": access.can_see_review_queue(request.user),
        },
    )


def _comments_for(user, comments) -> list:
    """Each comment with what this viewer may see and do: the contact rule is its own."""
    shown = list(comments)
    for comment in shown:
        comment.show_contact = access.can_see_contact(user, comment)
        comment.may_reply = access.can_reply(user, comment)
    return shown


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def agency(request: HttpRequest, code: str) -> HttpResponse:
    found = agency_get(code=code)
    accounts_access.ensure(
        found is not None and access.can_view_agency_feedback(request.user, found)
    )
    return render(
        request,
        "feedback/agency.html",
        {
            **_report_context(request, agency=found),
            "agency": found,
            "points": selectors.feedback_by_point(agency=found)[:1000],
            "comments": _comments_for(
                request.user, selectors.feedback_comments(agency=found, limit=50)
            ),
            "can_export": access.can_export(request.user, found),
        },
    )


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def point(request: HttpRequest, pk: int) -> HttpResponse:
    found = ServicePoint.objects.select_related("agency").filter(pk=pk).first()
    accounts_access.ensure(
        found is not None and access.can_view_point_feedback(request.user, found)
    )
    return render(
        request,
        "feedback/point.html",
        {
            **_report_context(request, point=found),
            "point": found,
            "comments": _comments_for(
                request.user, selectors.feedback_comments(point=found, limit=200)
            ),
            "can_print": found.is_published and access.can_print_poster(request.user, found),
            "feedback_url": feedback_url(found),
            "public_minimum": conf.get("FEEDBACK_PUBLIC_MIN_RESPONSES"),
        },
    )


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_get(pk=pk)
    accounts_access.ensure(response is not None and access.can_reply(request.user, response))
    form = ReplyForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_send(response=response, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your reply is on its way to %(email)s.") % {"email": response.contact_email},
            )
            return redirect("feedback:point", pk=response.point_id)
    return render(
        request,
        "feedback/reply.html",
        {
            "response": response,
            "form": form,
            "replies": response.replies.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


UNDO_SESSION_KEY = "feedback_review_undo"


@accounts_access.require(access.can_see_review_queue)
@require_http_methods(["GET"])
def review(request: HttpRequest) -> HttpResponse:
    can_decide = access.can_review(request.user)
    return render(
        request,
        "feedback/review.html",
        {
            "held": selectors.feedback_held_for_review(),
            "can_decide": can_decide,
            "undo": bool(request.session.get(UNDO_SESSION_KEY)) if can_decide else False,
        },
    )


@accounts_access.require(access.can_review)
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """The ticked answers counted or not, in one go; the page then offers to undo it."""
    pks = [int(v) for v in request.POST.getlist("pk") if v.isdigit()][:500]
    action = request.POST.get("action", "")
    if not pks:
        messages.error(request, _("Tick the answers first."))
        return redirect("feedback:review")
    try:
        decided = services.responses_review(pks=pks, action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("feedback:review")
    request.session[UNDO_SESSION_KEY] = decided
    messages.success(
        request,
        ngettext(
            "%(count)d answer counted.",
            "%(count)d answers counted.",
            len(decided),
        )
        % {"count": len(decided)}
        if action == "accept"
        else ngettext(
            "%(count)d answer not counted (kept).",
            "%(count)d answers not counted (kept).",
            len(decided),
        )
        % {"count": len(decided)},
    )
    return redirect("feedback:review")


@accounts_access.require(access.can_review)
@require_POST
def review_undo(request: HttpRequest) -> HttpResponse:
    pks = request.session.pop(UNDO_SESSION_KEY, [])
    count = services.responses_reopen(pks=pks, by=request.user) if pks else 0
    messages.success(
        request,
        ngettext(
            "%(count)d answer is back in the queue.",
            "%(count)d answers are back in the queue.",
            count,
        )
        % {"count": count},
    )
    return redirect("feedback:review")


@accounts_access.require(access.can_review)
@require_POST
def review_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    response = selectors.response_get(pk=pk)
    if response is None or action not in ("accept", "reject"):
        raise Http404
    decide = services.response_accept if action == "accept" else services.response_reject
    try:
        decide(response=response, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        request.session[UNDO_SESSION_KEY] = [response.pk]
        messages.success(
            request,
            _("Answer counted.")
            if action == "accept"
            else _("Answer rejected. It is kept but never counted."),
        )
    return redirect("feedback:review")


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    found = ServicePoint.objects.select_related("agency").filter(pk=pk).first()
    accounts_access.ensure(
        found is not None and found.is_published and access.can_print_poster(request.user, found)
    )
    response = HttpResponse(poster_pdf(point=found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="feedback-poster-{found.pk}.pdf"'
    return response


# --- exports ----------------------------------------------------------------------------
EXPORT_COLUMNS = [
    "id",
    "received",
    "point_id",
    "point",
    "service",
    "other_service",
    "overall",
    "process",
    "staff",
    "facilities",
    "outcome",
    "asked_for_copy",
    "comment_masked",
    "status",
]


def _export_row(response: Response) -> list:
    return [
        response.pk,
        timezone.localtime(response.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        response.point_id,
        response.point.name_th,
        response.service.name_th if response.service_id else "",
        response.service_other,
        response.overall,
        response.process,
        response.staff,
        response.facilities,
        response.outcome,
        "yes" if response.asked_for_copy else "no",
        response.comment,
        response.status,
    ]


def _export_agency(request: HttpRequest, code: str, kind: str):
    found = agency_get(code=code)
    accounts_access.ensure(found is not None and access.can_export(request.user, found))
    services.response_export_record(agency=found, by=request.user, kind=kind, request=request)
    return found


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def export_csv(request: HttpRequest, code: str) -> HttpResponse:
    found = _export_agency(request, code, "csv")
    return tabular.csv_response(
        EXPORT_COLUMNS,
        map(_export_row, selectors.response_export_rows(agency=found)),
        filename=f"feedback-{found.code}.csv",
    )


@accounts_access.require(access.can_view_reports)
@require_http_methods(["GET"])
def export_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    found = _export_agency(request, code, "xlsx")
    rows = map(_export_row, selectors.response_export_rows(agency=found))
    return tabular.xlsx_response(
        [tabular.Sheet("feedback", EXPORT_COLUMNS, rows)], filename=f"feedback-{found.code}.xlsx"
    )
