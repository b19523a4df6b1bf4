import base64

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import access
from accounts.forms import (
    PasswordResetForm,
    RegistrationForm,
    SetPasswordForm,
    SignInForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)
from accounts.models import EmailToken, Registration
from accounts.selectors import registration_pending_for
from accounts.services import (
    SignInRefusedError,
    TwoFactorRefusedError,
    email_is_government,
    email_token_check,
    password_reset_request,
    password_set_with_token,
    registration_approve,
    registration_reject,
    registration_submit,
    sign_in_attempt,
    two_factor_confirm,
    two_factor_disable,
    two_factor_enrolled,
    two_factor_recovery_codes_new,
    two_factor_setup_start,
    two_factor_verify,
)
from agencies.selectors import agency_get, agency_search
from core.forms import add_service_errors
from core.http import form_data, is_htmx
from core.mail import public_base_url
from core.text import search_text

LAST_REGISTRATION = "last_registration_id"


def _base_url(request: HttpRequest) -> str:
    return public_base_url()  # never the Host header: links in mail must not be steerable


@require_http_methods(["GET"])
def register_start(request: HttpRequest) -> HttpResponse:
    query = search_text(request.GET.get("q"))
    results = agency_search(query=query, limit=25) if query else []
    template = (
        "agencies/includes/search_results.html"
        if is_htmx(request)
        else "accounts/register_start.html"
    )
    return render(request, template, {"query": query, "results": results, "purpose": "register"})


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, code: str) -> HttpResponse:
    agency = agency_get(code=code)
    if agency is None:
        raise Http404
    form = RegistrationForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_submit(
                agency=agency, base_url=_base_url(request), request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            email = form.cleaned_data["email"].strip().lower()
            # What the done page shows, the same whether the email was new or not.
            request.session[LAST_REGISTRATION] = {
                "agency": agency.code,
                "email": email,
                "status": (
                    Registration.Status.AWAITING_ACTIVATION
                    if email_is_government(email)
                    else Registration.Status.PENDING_APPROVAL
                ),
                "id": registration.pk if registration is not None else None,
            }
            return redirect("accounts:register_done", code=agency.code)
    return render(request, "accounts/register.html", {"agency": agency, "form": form})


@require_http_methods(["GET"])
def register_done(request: HttpRequest, code: str) -> HttpResponse:
    shown = request.session.get(LAST_REGISTRATION)
    agency = agency_get(code=code)
    if not isinstance(shown, dict) or agency is None or shown.get("agency") != code:
        raise Http404
    return render(
        request,
        "accounts/register_done.html",
        {"registration": shown, "agency": agency},
    )


def _token_page(request: HttpRequest, secret: str, purpose: str) -> HttpResponse:
    try:
        token = email_token_check(secret=secret, purpose=purpose)
    except ValidationError as error:
        return render(
            request,
            "accounts/link_problem.html",
            {"problem": error.messages[0], "code": error.code},
            status=410 if error.code in ("used", "expired") else 404,
        )
    form = SetPasswordForm(form_data(request), user=token.user)
    if request.method == "POST" and form.is_valid():
        try:
            password_set_with_token(
                secret=secret,
                purpose=purpose,
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your password is set. Sign in with it now."))
            return redirect("accounts:sign_in")
    return render(
        request, "accounts/set_password.html", {"form": form, "token": token, "purpose": purpose}
    )


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, secret: str) -> HttpResponse:
    return _token_page(request, secret, EmailToken.Purpose.ACTIVATE)


@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest, secret: str) -> HttpResponse:
    return _token_page(request, secret, EmailToken.Purpose.RESET)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        password_reset_request(
            email=form.cleaned_data["email"], base_url=_base_url(request), request=request
        )
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/password_reset.html", {"form": form})


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return ""
    return next_url


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(form_data(request))
    next_url = _next_url(request)
    locked_until = None
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_attempt(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except SignInRefusedError as refusal:
            form.add_error(None, refusal.message)
            locked_until = refusal.locked_until
        else:
            login(request, user)
            return redirect(next_url or reverse("agencies:home"))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": next_url, "locked_until": locked_until},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("core:home")


@access.require(access.can_see_registration_queue)
@require_http_methods(["GET"])
def approvals(request: HttpRequest) -> HttpResponse:
    pending = registration_pending_for(user=request.user)
    return render(
        request,
        "accounts/approvals.html",
        {"pending": pending, "can_decide": access.can_decide_some_registration(request.user)},
    )


@access.require(access.can_decide_some_registration)
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404
    registration = get_object_or_404(Registration.objects.select_related("agency"), pk=pk)
    access.ensure(access.can_decide_registration(request.user, registration))
    try:
        if decision == "approve":
            registration_approve(
                registration=registration, by=request.user, base_url=_base_url(request)
            )
            messages.success(
                request,
                _("Approved. %(name)s will get a link to set a password.")
                % {"name": registration.first_name},
            )
        else:
            registration_reject(registration=registration, by=request.user)
            messages.success(
                request,
                _("Rejected. %(name)s has been told by email.") % {"name": registration.first_name},
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:approvals")


# --- staff two-factor sign-in (ADR 0131) ---
@access.require(access.is_signed_in)
@require_http_methods(["GET"])
def two_factor(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": two_factor_enrolled(user=request.user),
            "required": access.two_factor_required(request.user),
            "may_turn_off": access.may_turn_off_two_factor(request.user),
        },
    )


@access.require(access.is_signed_in)
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Adds an authenticator: a QR code (and its key, to type), then its first code. A
    person who already has one must have verified it in this session (the middleware)."""
    device = two_factor_setup_start(user=request.user)
    form = TwoFactorSetupForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_confirm(
                user=request.user, token=form.cleaned_data["code"], request=request
            )
        except TwoFactorRefusedError as refusal:
            form.add_error("code", refusal.message)
        else:
            otp_login(request, device)
            return _recovery_codes_page(request, codes)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": _next_url(request) or reverse("accounts:two_factor")},
    )


@access.require(access.is_signed_in)
@require_http_methods(["GET", "POST"])
def two_factor_verify_page(request: HttpRequest) -> HttpResponse:
    if not two_factor_enrolled(user=request.user):
        return redirect("accounts:two_factor_setup")
    form = TwoFactorCodeForm(form_data(request))
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify(
                user=request.user, token=form.cleaned_data["code"], request=request
            )
        except TwoFactorRefusedError as refusal:
            form.add_error("code", refusal.message)
        else:
            otp_login(request, device)
            return redirect(next_url or reverse("agencies:home"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@access.require(access.is_signed_in)
@require_POST
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor_recovery_codes_new(user=request.user, request=request)
    except PermissionDenied:
        return redirect("accounts:two_factor_setup")
    return _recovery_codes_page(request, codes)


@access.require(access.may_turn_off_two_factor)
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    two_factor_disable(user=request.user, request=request)
    messages.info(request, _("Two-factor sign-in is off."))
    return redirect("accounts:two_factor")
