import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import access as base_access
from core.forms import add_service_errors
from core.http import form_data
from exchange import access, demo, labels, selectors, services
from exchange.forms import (
    CertificatesForm,
    DemoExchangeForm,
    KeyAddForm,
    MemberAddForm,
    ReasonForm,
    RightGrantForm,
)
from exchange.models import AccessRight, AuditLogLeaf, MemberKey
from gdx_protocol.envelope import MAX_REQUEST_BYTES
from gdx_protocol.errors import GdxError

# --------------------------------------------------------------------------- node API


def _gdx_error(status: int, code: str, detail: str = "") -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def _int(request: HttpRequest, name: str, default: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ValueError(name)
        return default
    if not raw.isdigit() or len(raw) > 15:
        raise ValueError(name)
    return int(raw)


def exchange_response(request: HttpRequest) -> tuple[int, bytes, list[tuple[str, str]]]:
    """POST /gdx/exchange as (status, JSON body, extra headers): shared by the view and the
    lean WSGI path (``exchange.wsgi``), which answers it without the portal's middleware."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= MAX_REQUEST_BYTES:
        code = "too_large" if length > 0 else "malformed"
        body = json.dumps({"error": code, "detail": ""}).encode()
        return (413 if length > 0 else 400), body, []
    outcome = services.exchange_route(body=request.body)
    extra = []
    if outcome.hub_ms is not None:
        timing = f"hub;dur={outcome.hub_ms}, provider;dur={outcome.provider_ms}"
        extra.append(("Server-Timing", timing))
    return outcome.status, outcome.body, extra


@csrf_exempt  # nodes authenticate by signature, not by cookie
@never_cache
@require_http_methods(["POST"])
def gdx_exchange(request: HttpRequest) -> HttpResponse:
    status, body, extra = exchange_response(request)
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in extra:
        response[name] = value
    return response


@never_cache
@require_http_methods(["GET"])
def gdx_directory(request: HttpRequest) -> HttpResponse:
    publication = services.directory_publish()
    return HttpResponse(
        selectors.published_directory_document(publication), content_type="application/json"
    )


@csrf_exempt  # witnesses authenticate by signature, not by cookie
@never_cache
@require_http_methods(["POST"])
def gdx_directory_cosignature(request: HttpRequest) -> HttpResponse:
    """A witness returns its cosignature of the published directory (ADR 0006)."""
    if len(request.body) > 16 << 10:
        return JsonResponse({"error": "too_large"}, status=413)
    try:
        services.directory_cosignature_add(body=request.body)
    except GdxError as exc:
        return JsonResponse(exc.to_dict(), status=services.HTTP_STATUS.get(exc.code, 400))
    return JsonResponse({"ok": True})


@never_cache
@require_http_methods(["GET"])
def log_sth(request: HttpRequest) -> HttpResponse:
    return JsonResponse(selectors.tree_head_json(services.tree_head_issue()))


@never_cache
@require_http_methods(["GET"])
def log_inclusion(request: HttpRequest) -> HttpResponse:
    try:
        index = _int(request, "index")
        head = None
        if request.GET.get("tree_size"):
            size = _int(request, "tree_size")
        else:  # under the newest signed head that holds the leaf
            head = services.tree_head_covering(index)
            size = head.tree_size
        return JsonResponse(selectors.inclusion_proof(index=index, size=size, head=head))
    except ValueError as exc:
        return _gdx_error(400, "malformed", f"{exc} must be a whole number")
    except GdxError as exc:
        return _gdx_error(400, exc.code, exc.message)


@never_cache
@require_http_methods(["GET"])
def log_consistency(request: HttpRequest) -> HttpResponse:
    try:
        first = _int(request, "first")
        second = _int(request, "second", services.tree_head_issue().tree_size)
        return JsonResponse(selectors.consistency_proof(first=first, second=second))
    except ValueError as exc:
        return _gdx_error(400, "malformed", f"{exc} must be a whole number")
    except GdxError as exc:
        return _gdx_error(400, exc.code, exc.message)


# --------------------------------------------------------------------------- portal pages


@base_access.require(access.can_view_hub)
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exchange/overview.html",
        {
            "members": selectors.member_list(),
            "document_types": selectors.document_type_list(),
            "exchanges": selectors.exchange_recent(limit=50),
            "tree_size": selectors.tree_size(),
            "can_manage": access.can_manage_hub(request.user),
        },
    )


def _member_action(request: HttpRequest, member, forms: dict) -> bool:
    """Run one POSTed admin action; True when it succeeded."""
    action = request.POST.get("action", "")
    by = request.user
    if action in ("suspend", "reactivate", "revoke"):
        getattr(services, f"member_{action}")(member=member, by=by)
        messages.success(
            request,
            _("The member's status is now “%(status)s”.") % {"status": member.get_status_display()},
        )
        return True
    if action == "revoke_key":
        key = get_object_or_404(MemberKey, pk=request.POST.get("key") or 0, member=member)
        form = forms["reason"]
        if form.is_valid():
            services.member_key_revoke(key=key, by=by, reason=form.cleaned_data["reason"])
            messages.success(request, _("The key was revoked. The hub refuses it from now on."))
            return True
        return False
    if action == "add_key":
        form = forms["key"]
        if form.is_valid():
            services.member_key_add(member=member, by=by, **form.cleaned_data)
            messages.success(request, _("The key was added."))
            return True
        return False
    if action == "import_certificates":
        form = forms["certificates"]
        if form.is_valid():
            keys = services.member_keys_import(
                member=member, certificates=form.cleaned_data["certificates"], by=by
            )
            messages.success(
                request,
                _("Certificates imported: %(count)d key(s) added or certified.")
                % {"count": len(keys)},
            )
            return True
        return False
    if action == "grant":
        form = forms["right"]
        if form.is_valid():
            services.access_right_grant(consumer=member, by=by, **form.cleaned_data)
            messages.success(request, _("The access right was granted."))
            return True
        return False
    if action == "withdraw":
        right = get_object_or_404(AccessRight, pk=request.POST.get("right") or 0, consumer=member)
        services.access_right_withdraw(right=right, by=by)
        messages.success(request, _("The access right was withdrawn."))
        return True
    raise Http404


@base_access.require(access.can_manage_hub)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberAddForm(form_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["certificates"]:
                member = services.member_register_with_certificates(
                    agency=data["agency"],
                    endpoint=data["endpoint"],
                    certificates=data["certificates"],
                    by=request.user,
                )
            else:
                member = services.member_register_with_keys(
                    agency=data["agency"],
                    endpoint=data["endpoint"],
                    sig_algorithm=data["sig_algorithm"],
                    sig_public_key=data["sig_public_key"],
                    enc_algorithm=data["enc_algorithm"],
                    enc_public_key=data["enc_public_key"],
                    by=request.user,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The member was added with its keys."))
            return redirect("exchange:member", code=member.code)
    return render(request, "exchange/member_add.html", {"form": form})


@base_access.require(access.can_view_hub)
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, code: str) -> HttpResponse:
    member = selectors.member_get(code=code)
    if member is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "key": KeyAddForm(form_data(request) if action == "add_key" else None, prefix="key"),
        "right": RightGrantForm(form_data(request) if action == "grant" else None, prefix="right"),
        "reason": ReasonForm(
            form_data(request) if action == "revoke_key" else None, prefix="reason"
        ),
        "certificates": CertificatesForm(
            form_data(request) if action == "import_certificates" else None,
            request.FILES or None,
            prefix="certs",
        ),
    }
    if request.method == "POST":
        if not access.can_manage_hub(request.user):
            return HttpResponse(status=403)
        try:
            if _member_action(request, member, forms):
                return redirect("exchange:member", code=member.code)
        except ValidationError as error:
            target = {
                "add_key": "key",
                "grant": "right",
                "import_certificates": "certificates",
            }.get(action or "", "reason")
            add_service_errors(forms[target], error)
    return render(
        request,
        "exchange/member.html",
        {
            "member": member,
            "keys": selectors.member_keys(member=member),
            "rights": selectors.member_rights(member=member),
            "can_manage": access.can_manage_hub(request.user),
            "key_form": forms["key"],
            "certificates_form": forms["certificates"],
            "right_form": forms["right"],
            "reason_form": forms["reason"],
        },
    )


@base_access.require(access.can_run_demo_exchange)
@require_http_methods(["GET", "POST"])
def demo_exchange(request: HttpRequest) -> HttpResponse:
    form = DemoExchangeForm(form_data(request), initial={"purpose": demo.PURPOSE})
    result = None
    error = None
    leaf = None
    configured = demo.load_node_config(demo.CONSUMER) is not None
    if request.method == "POST" and form.is_valid():
        officer = getattr(request.user, "email", "") or "officer"
        status, body = demo.consumer_request(officer=officer, **form.cleaned_data)
        if status == 200:
            result = body
            leaf = AuditLogLeaf.objects.filter(request_id=body["request_id"]).order_by("index")
        else:
            error = body.get("error", "error")
    return render(
        request,
        "exchange/demo.html",
        {
            "form": form,
            "result": result,
            "result_json": json.dumps(result["document"], ensure_ascii=False, indent=2)
            if result and result.get("document")
            else "",
            "error": error,
            "error_label": labels.refusal_label(error) if error else "",
            "status_label": labels.document_status_label(result.get("status", ""))
            if result
            else "",
            "leaves": leaf,
            "configured": configured,
            "consumer": demo.CONSUMER,
            "provider": demo.PROVIDER,
            "sample_ids": demo.sample_citizen_ids() if configured else [],
        },
    )
