"""A lean WSGI path for ``POST /gdx/exchange``, the hub's only per-exchange request (ADR 0032),
and for ``GET /gdx/log/inclusion``, the providers' sampled audit-log check of forwards.

The portal's middleware (sessions, locale, CSRF, authentication, messages, CSP…) and URL
resolution cost the hub about as much CPU as verifying the request's signature, for a
machine-to-machine calls that use none of them: nodes authenticate by signature, not by
cookie, and proofs are public. ``with_node_api(application)`` answers these two (``ROUTES``)
directly, and hands everything else, unchanged, to Django's handler.

What Django would do for these requests is kept: the request_started/request_finished
signals (database connections are checked and recycled by them), ``ALLOWED_HOSTS``
(``DisallowedHost`` answers 400), the HTTPS redirect (an insecure request takes Django's
path, which redirects it), the security headers of ``SecurityMiddleware`` and
``XFrameOptionsMiddleware``, ``never_cache``, and an unexpected error is logged on
``django.request`` and answered 500 without details. The Content-Security-Policy is the
strictest there is: the answer is JSON, never a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from exchange.views import exchange_response, log_inclusion

logger = logging.getLogger("django.request")

PATH = "/gdx/exchange"
INCLUSION_PATH = "/gdx/log/inclusion"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def security_headers(*, secure: bool) -> list[tuple[str, str]]:
    """The headers SecurityMiddleware, XFrameOptionsMiddleware and never_cache would add."""
    headers = [
        ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY")),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        headers.append(("Referrer-Policy", policy))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers.append(("Strict-Transport-Security", hsts))
    return headers


def _answer(
    start_response: StartResponse,
    status: int,
    body: bytes,
    secure: bool,
    extra: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *extra,
        *security_headers(secure=secure),
    ]
    start_response(_status(status), headers)
    return [body]


Handler = Callable[[WSGIRequest], tuple[int, bytes, list[tuple[str, str]]]]


def _inclusion(request: WSGIRequest) -> tuple[int, bytes, list[tuple[str, str]]]:
    """GET /gdx/log/inclusion, the providers' audit-log check (T18): one forward in
    ``log_check_every`` leads to one. The view's answer; this path's headers replace its
    cache headers (``security_headers`` forbids storing, as ``never_cache`` does)."""
    response = log_inclusion(request)
    return response.status_code, response.content, []


# (method, path) -> handler. Machine-to-machine calls that use none of the portal's
# middleware; everything else is Django's.
ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", PATH): exchange_response,
    ("GET", INCLUSION_PATH): _inclusion,
}


def _serve(
    handler: Handler, request: WSGIRequest, start_response: StartResponse, secure: bool
) -> list[bytes]:
    try:
        request.get_host()  # ALLOWED_HOSTS
    except DisallowedHost:
        logging.getLogger("django.security.DisallowedHost").warning(
            "Invalid HTTP_HOST header on %s", request.path_info
        )
        return _answer(start_response, 400, b'{"error":"bad_request"}', secure)
    status, body, extra = handler(request)
    return _answer(start_response, status, body, secure, extra)


def with_node_api(django_app: WsgiApp) -> WsgiApp:
    """Wrap Django's WSGI application: the ``ROUTES`` take the lean path."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        handler = ROUTES.get((environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")))
        if handler is None:
            return django_app(environ, start_response)
        request = WSGIRequest(environ)
        secure = request.is_secure()
        if settings.SECURE_SSL_REDIRECT and not secure:
            return django_app(environ, start_response)  # Django redirects it to HTTPS
        signals.request_started.send(sender=with_node_api, environ=environ)
        try:
            return _serve(handler, request, start_response, secure)
        except Exception:
            logger.exception("Internal Server Error: %s", request.path_info)
            signals.got_request_exception.send(sender=with_node_api, request=request)
            return _answer(start_response, 500, b'{"error":"internal"}', secure)
        finally:
            signals.request_finished.send(sender=with_node_api)

    return application
