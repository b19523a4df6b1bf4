"""The demo OpenID provider's endpoints at /demo-thaid/ (THAID_DEMO_PROVIDER only)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens import demo_provider


def _on() -> None:
    if not settings.THAID_DEMO_PROVIDER:
        raise Http404


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    _on()
    return JsonResponse(demo_provider.metadata())


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    _on()
    return JsonResponse(demo_provider.jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """ThaiD's own screen, in miniature: choose one of the demo citizens and allow."""
    _on()
    server = demo_provider.server()
    try:
        grant = server.get_consent_grant(request)
    except demo_provider.OAuth2Error as error:
        return render(request, "citizens/demo_authorize.html", {"error": error.error}, status=400)
    if request.method == "POST":
        chosen = demo_provider.citizen_by_pid(request.POST.get("pid", ""))
        if request.POST.get("action") == "deny":
            chosen = None
        return server.create_authorization_response(request, grant_user=chosen, grant=grant)
    return render(
        request,
        "citizens/demo_authorize.html",
        {"citizens": demo_provider.demo_citizens(), "query": request.GET.urlencode()},
    )


@csrf_exempt  # a back-channel call from the relying party, authenticated by its secret
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    _on()
    response = demo_provider.server().create_token_response(request)
    response["Cache-Control"] = "no-store"
    return response
