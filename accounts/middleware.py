"""Staff who must (or chose to) use two-factor sign-in go no further than its pages until
they have typed a code in this session (ADR 0131)."""

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from accounts.services import two_factor_enrolled

# Paths a signed-in person reaches before the code: the two-factor pages, signing out, and
# what every page needs (static files, language switch, the app shell, health checks).
OPEN_PREFIXES = (
    "/accounts/two-factor/",
    "/accounts/sign-out/",
    "/static/",
    "/i18n/",
    "/jsi18n/",
    "/healthz",
    "/metrics",
    "/manifest.webmanifest",
    "/sw.js",
    "/favicon.ico",
)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            enrolled = two_factor_enrolled(user=user)  # type: ignore[arg-type]
            if enrolled or access.two_factor_required(user):
                return self._stop(request, enrolled=enrolled)
        return self.get_response(request)

    @staticmethod
    def _stop(request: HttpRequest, *, enrolled: bool) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Type the code from your authenticator first.")}, status=403
            )
        page = "accounts:two_factor_verify" if enrolled else "accounts:two_factor_setup"
        return redirect(f"{reverse(page)}?next={quote(request.get_full_path())}")
