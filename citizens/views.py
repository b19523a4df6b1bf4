"""The citizen's own space at /me/ (ADR 0110). Thin: forms parse, services write, selectors read."""

import json
import logging
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens import selectors, services, sms, thaid
from citizens.access import citizen_required, current_citizen, safe_next
from citizens.forms import CodeForm, ConsentForm, ContactForm, LineLinkForm
from citizens.models import CitizenContact
from citizens.pseudonym import PseudonymKeyMissingError
from core.forms import add_service_errors
from core.parsing import optional_id
from line_channel import conf as line_conf
from line_channel import selectors as line_selectors
from line_channel import services as line_services

log = logging.getLogger(__name__)
# The page bench/citizen_readings.py measures: 100 readings, older ones a page at a time.
READINGS_PAGE = 100
# Where to come back to after ThaiD (a /me/ page asked for while signed out).
NEXT_KEY = "_citizen_next"
# LINE's account-link page (Messaging API, "Linking user accounts").
LINE_ACCESS_ORIGIN = "https://access.line.me"
LINE_ACCOUNT_LINK_URL = f"{LINE_ACCESS_ORIGIN}/dialog/bot/accountLink"
SIGN_IN_ERRORS = {
    "cancelled": gettext_lazy("You cancelled the sign-in at ThaiD."),
    "provider_unreachable": gettext_lazy("ThaiD did not answer. Try again in a few minutes."),
}


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    citizen = current_citizen(request)
    if citizen is None:
        configured = thaid.is_configured()
        response = render(
            request,
            "citizens/sign_in.html",
            {
                "configured": configured,
                "staff": request.user.is_authenticated,
                "next": safe_next(request, request.GET.get("next")),
            },
        )
        if configured:
            response._csp_update = {"form-action": thaid.form_action_origins()}  # type: ignore[attr-defined]
        return response
    return render(
        request,
        "citizens/home.html",
        {
            "readings": selectors.readings(citizen=citizen, limit=5),
            "complaints": selectors.complaints_of(citizen=citizen)[:5],
            "feedback": selectors.feedback_of(citizen=citizen)[:5],
            "contacts": citizen.contacts.all(),
            "line": _line_status(citizen),
        },
    )


def _line_status(citizen) -> dict:
    """The /me/ LINE section: off, linked (since when), or how to link from the chat."""
    basic_id = line_conf.get("LINE_BOT_BASIC_ID")
    return {
        "enabled": line_conf.enabled(),
        "links": line_selectors.line_links_of(citizen=citizen),
        # LINE's URL scheme: opens the chat with the link request typed in.
        "chat_url": (
            f"https://line.me/R/oaMessage/{quote(basic_id, safe='')}/?{quote('เชื่อมบัญชี')}"
            if basic_id
            else ""
        ),
    }


@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    if not thaid.is_configured():
        raise Http404
    back = safe_next(request, request.POST.get("next"))
    if back:
        request.session[NEXT_KEY] = back
    try:
        return thaid.start(request, request.build_absolute_uri(reverse("citizens:callback")))
    except thaid.SignInFailedError as failure:
        return _sign_in_failed(request, failure.code)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    if not thaid.is_configured():
        raise Http404
    try:
        claims = thaid.finish(request)
        citizen = services.citizen_sign_in(claims=claims, request=request)
    except thaid.SignInFailedError as failure:
        return _sign_in_failed(request, failure.code)
    except ValidationError as error:
        return _sign_in_failed(request, "refused", error.messages[0])
    except PseudonymKeyMissingError:
        log.error("Citizen sign-in is off: no pseudonym key at CITIZEN_PSEUDONYM_KEY_FILE")
        return _sign_in_failed(request, "not_configured")
    back = safe_next(request, request.session.pop(NEXT_KEY, None))
    services.citizen_session_start(request=request, citizen=citizen)
    return redirect(back or "citizens:home")


def _sign_in_failed(request: HttpRequest, code: str, message: str = "") -> HttpResponse:
    message = (
        message
        or SIGN_IN_ERRORS.get(code)
        or _("The sign-in could not be completed. Nothing was saved; please try again.")
    )
    return render(request, "citizens/sign_in_failed.html", {"message": message}, status=400)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if current_citizen(request) is not None:
        services.citizen_session_end(request=request)
    return redirect("core:home")


@never_cache
@citizen_required
def readings(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    before = optional_id(request.GET.get("before"))
    found = selectors.readings(citizen=citizen, limit=READINGS_PAGE, before=before)
    return render(
        request,
        "citizens/readings.html",
        {
            "readings": found,
            "older": found[-1]["index"] if len(found) == READINGS_PAGE else None,
            "counter_checks": selectors.counter_checks(citizen=citizen)[:200],
            "proof_url_template": reverse("citizens:proof", args=[0]).replace("/0/", "/{index}/"),
        },
    )


@never_cache
@citizen_required
def proof(request: HttpRequest, index: int) -> JsonResponse:
    found = selectors.reading_proof(citizen=request.citizen, index=index)
    if found is None:
        raise Http404
    return JsonResponse(found)


@never_cache
@citizen_required
def proof_bundle(request: HttpRequest) -> HttpResponse:
    bundle = selectors.proof_bundle(citizen=request.citizen)
    response = HttpResponse(
        json.dumps(bundle, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="gdx-proof-bundle.json"'
    return response


@never_cache
@citizen_required
def records(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    return render(
        request,
        "citizens/records.html",
        {
            "complaints": selectors.complaints_of(citizen=citizen),
            "feedback": selectors.feedback_of(citizen=citizen),
            "has_contacts": bool(
                selectors.confirmed_values(citizen=citizen, kind="email")
                or selectors.confirmed_values(citizen=citizen, kind="phone")
            ),
        },
    )


@never_cache
@citizen_required
def contacts(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    form = ContactForm(request.POST or None, initial={"kind": "email"})
    if not sms.enabled():
        form.fields["kind"].choices = [CitizenContact.Kind.choices[0]]
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_add(citizen=citizen, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("We sent a 6-digit code. Enter it below."))
            return redirect("citizens:contact_confirm", pk=contact.pk)
    return render(
        request, "citizens/contacts.html", {"form": form, "contacts": citizen.contacts.all()}
    )


def _own_contact(request: HttpRequest, pk: int) -> CitizenContact:
    # Another citizen's contact is not acknowledged: 404, like a missing one.
    return get_object_or_404(CitizenContact, pk=pk, citizen=request.citizen)


@never_cache
@citizen_required
def contact_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _own_contact(request, pk)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_confirm(contact=contact, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Confirmed. Records given with it are now in your space."))
            return redirect("citizens:records")
    return render(request, "citizens/contact_confirm.html", {"form": form, "contact": contact})


@require_POST
@citizen_required
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    services.contact_remove(contact=_own_contact(request, pk))
    messages.success(request, _("Removed."))
    return redirect("citizens:contacts")


@never_cache
@citizen_required
def notifications(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    emails = selectors.confirmed_values(citizen=citizen, kind="email")
    form = ConsentForm(request.POST or None, emails=emails, initial={"email": citizen.notify_email})
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            services.consent_withdraw(citizen=citizen)
            messages.success(request, _("You will get no more notifications."))
            return redirect("citizens:notifications")
        if form.is_valid():
            try:
                services.consent_give(citizen=citizen, email=form.cleaned_data["email"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("We will email you when your data is read."))
                return redirect("citizens:notifications")
    return render(request, "citizens/notifications.html", {"form": form, "emails": emails})


@never_cache
@citizen_required
def export_json(request: HttpRequest) -> HttpResponse:
    data = selectors.export_data(citizen=request.citizen)
    services.data_exported(citizen=request.citizen, fmt="json")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="citizeninfo-my-data.json"'
    return response


@never_cache
@citizen_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    from core.pdf import font_dir, render_pdf  # lazy: heavy

    data = selectors.export_data(citizen=request.citizen)
    html = render_to_string(
        "citizens/pdf/export.html",
        {"data": data, "font_dir": font_dir().as_uri(), "generated_at": timezone.now()},
        request=request,
    )
    services.data_exported(citizen=request.citizen, fmt="pdf")
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="citizeninfo-my-data.pdf"'
    return response


@never_cache
@citizen_required
def erase(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen
    if request.method == "POST":
        counts = services.citizen_erase_contacts(citizen=citizen)
        messages.success(
            request,
            _("Your contact details were removed from %(c)s complaints and %(f)s answers.")
            % {"c": counts["complaints"], "f": counts["feedback"]},
        )
        return redirect("citizens:home")
    return render(
        request,
        "citizens/erase.html",
        {
            "complaints": selectors.complaints_of(citizen=citizen).count(),
            "feedback": selectors.feedback_of(citizen=citizen).count(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
def line_link(request: HttpRequest) -> HttpResponse:
    """LINE's account link, our side: the chat sent the citizen here with a link token; they
    are signed in (ThaiD), read what linking means, and agree; we make a single-use nonce
    and send them to LINE, whose `accountLink` event completes the link (ADR 0122)."""
    citizen = request.citizen  # type: ignore[attr-defined]  # citizen_required
    enabled = line_conf.enabled()
    form = LineLinkForm(request.POST if request.method == "POST" else request.GET)
    valid = enabled and form.is_valid()
    if request.method == "POST" and valid:
        nonce = line_services.line_link_begin(citizen=citizen)
        query = urlencode({"linkToken": form.cleaned_data["linkToken"], "nonce": nonce})
        return redirect(f"{LINE_ACCOUNT_LINK_URL}?{query}")
    response = render(
        request,
        "citizens/line_link.html",
        {"form": form, "valid": valid, "enabled": enabled, "line": _line_status(citizen)},
        status=400 if request.method == "POST" else 200,
    )
    # The form posts here and is redirected to LINE: the CSP's form-action must allow it.
    response._csp_update = {"form-action": [LINE_ACCESS_ORIGIN]}  # type: ignore[attr-defined]
    return response


@require_POST
@citizen_required
def line_unlink(request: HttpRequest) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]  # citizen_required
    if line_services.line_unlink(citizen=citizen, reason="citizen"):
        messages.success(request, _("LINE is unlinked from your space."))
    return redirect("citizens:home")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "citizens/privacy.html",
        {
            "dpo_email": settings.DATA_PROTECTION_EMAIL,
            "inactive_days": settings.CITIZEN_INACTIVE_DAYS,
            "complaint_days": settings.COMPLAINT_CONTACT_RETENTION_DAYS,
            "feedback_days": settings.FEEDBACK_CONTACT_RETENTION_DAYS,
            "hash_days": getattr(settings, "FEEDBACK_HASH_RETENTION_DAYS", 30),
        },
    )
