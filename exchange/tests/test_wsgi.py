# mypy: ignore-errors
# (pytest fixtures are untyped; the code under test is checked.)
"""The lean WSGI path for POST /gdx/exchange (exchange/wsgi.py): the same answers, headers
and refusals as the Django view, without the portal's middleware."""

import io
import json
import logging

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections

from exchange import services
from exchange.models import AuditLogLeaf, Exchange
from exchange.tests.test_exchange_flow import _open, _request
from exchange.wsgi import with_node_api

SECURITY = (
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.fixture
def call():
    """Run a request through the wrapped application, like the test client does: without
    closing the test's database connection between requests."""

    def run(body=b"", *, method="POST", path="/gdx/exchange", host="testserver", **extra):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "http",
            **extra,
        }
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["headers"] = dict(headers)

        app = with_node_api(WSGIHandler())  # built per call: middleware reads settings once
        chunks = app(environ, start_response)
        body_out = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return seen["status"], seen["headers"], body_out

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield run
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_an_exchange_is_delivered_with_the_views_headers(net, call):
    envelope, pending = _request(net)
    status, headers, body = call(envelope)
    assert status == 200
    assert _open(net, body, pending).status == "found"
    assert headers["Server-Timing"].startswith("hub;dur=")
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "no-store" in headers["Cache-Control"]
    row = Exchange.objects.get()
    assert row.status == Exchange.Status.DELIVERED
    assert AuditLogLeaf.objects.count() == 2
    # The security headers the portal's middleware puts on the same URL.
    django = net.post(b"not json")
    for name in SECURITY:
        assert headers[name] == django[name], name


@pytest.mark.parametrize(
    ("body", "length", "status", "code"),
    [
        (b"not json", None, 400, "malformed"),
        (b"", None, 400, "malformed"),
        (b"{}", str(10**9), 413, "too_large"),
    ],
)
def test_refusals_are_the_views(net, call, body, length, status, code):
    extra = {"CONTENT_LENGTH": length} if length else {}
    got_status, _, got = call(body, **extra)
    assert (got_status, json.loads(got)["error"]) == (status, code)
    if length is None:
        view = net.post(body)
        assert (view.status_code, view.content) == (got_status, got)
    assert not Exchange.objects.exists() and not AuditLogLeaf.objects.exists()


def test_other_methods_and_paths_take_djangos_path(net, call):
    assert call(method="GET")[0] == 405  # require_http_methods
    status, headers, _ = call(method="GET", path="/gdx/log/sth")
    assert status == 200 and "Content-Language" in headers  # the portal's middleware ran


def test_a_host_outside_allowed_hosts_is_refused(net, call, caplog):
    envelope, _ = _request(net)
    with caplog.at_level(logging.WARNING, logger="django.security.DisallowedHost"):
        status, _, body = call(envelope, host="evil.example")
    assert status == 400 and json.loads(body) == {"error": "bad_request"}
    assert not Exchange.objects.exists()
    assert "Invalid HTTP_HOST" in caplog.text


def test_an_insecure_request_is_redirected_when_https_is_required(net, call, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    envelope, _ = _request(net)
    status, headers, _ = call(envelope)
    assert status == 301 and headers["Location"].startswith("https://")
    assert not Exchange.objects.exists()
    status, headers, _ = call(envelope, **{"wsgi.url_scheme": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")


def test_an_unexpected_error_is_logged_and_answered_without_details(net, call, caplog, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(services, "exchange_route", broken)
    reported = []

    def receiver(**kwargs):
        reported.append(kwargs["request"].path)

    got_request_exception.connect(receiver)
    envelope, _ = _request(net)
    try:
        with caplog.at_level(logging.ERROR, logger="django.request"):
            status, _, body = call(envelope)
    finally:
        got_request_exception.disconnect(receiver)
    assert status == 500 and b"secret" not in body
    assert "secret detail" in caplog.text  # the traceback is in the log, not the answer
    assert reported == ["/gdx/exchange"]  # error reporters hear of it, as from Django


def test_the_request_signals_are_sent(net, call):
    seen = []

    def started(**kwargs):
        seen.append("started")

    def finished(**kwargs):
        seen.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        call(b"not json")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert seen == ["started", "finished"]


@pytest.mark.parametrize(
    "query", ["index=0", "index=1", "index=0&tree_size=2", "index=x", "index=9"]
)
def test_the_inclusion_proof_is_the_views_answer_without_the_portals_middleware(net, call, query):
    """GET /gdx/log/inclusion, the providers' sampled check (T18), takes the lean path too:
    the view's status and body, this path's security headers, no session or language."""
    envelope, _ = _request(net)
    assert call(envelope)[0] == 200  # two leaves
    status, headers, body = call(method="GET", path="/gdx/log/inclusion", QUERY_STRING=query)
    view = net.client.get(f"/gdx/log/inclusion?{query}")
    assert (status, json.loads(body)) == (view.status_code, json.loads(view.content))
    assert "Content-Language" not in headers and "Set-Cookie" not in headers
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "no-store" in headers["Cache-Control"]
    for name in SECURITY:
        assert headers[name] == view[name], name


def test_a_post_to_the_inclusion_proof_takes_djangos_path(net, call):
    status, headers, _ = call(method="POST", path="/gdx/log/inclusion")
    assert status == 403 and "Content-Language" in headers  # the portal's CSRF check ran
