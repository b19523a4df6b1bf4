"""What operators of several web nodes get: /healthz's details per dependency, /metrics for
Prometheus, and a request id from nginx to every log line (ADR 0130)."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.observability import REQUEST_ID, JsonFormatter, RequestIdFilter
from core.tests.redis_server import DEAD_REDIS, redis_caches

pytestmark = pytest.mark.django_db
CITIZEN = {"REMOTE_ADDR": "203.0.113.20"}
# nginx on the same machine relays a citizen: its own address is loopback, the header is not.
RELAYED = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.20"}


def test_the_public_sees_only_the_status(client):
    for meta in (CITIZEN, RELAYED):
        assert client.get("/healthz", **meta).json() == {"status": "ok", "database": "ok"}


def test_operators_see_each_dependency(client):
    report = client.get("/healthz").json()  # the test client's 127.0.0.1
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "replica", "redis", "storage", "tasks"}
    assert report["checks"]["database"]["ok"]
    assert report["checks"]["redis"] == {
        "ok": True,
        "configured": False,
        "ms": pytest.approx(0, abs=50),
    }
    assert report["checks"]["tasks"]["ready"] == 0


def test_a_token_opens_the_details_from_elsewhere(client, settings):
    settings.HEALTHZ_TOKEN = "a-long-random-token"
    wrong = client.get("/healthz", HTTP_AUTHORIZATION="Bearer nope", **CITIZEN).json()
    assert "checks" not in wrong
    right = client.get("/healthz", HTTP_AUTHORIZATION="Bearer a-long-random-token", **CITIZEN)
    assert "checks" in right.json()


def test_redis_down_is_degraded_not_down(client, settings):
    settings.CACHES = redis_caches(DEAD_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"]["ok"] is False


def test_redis_up_is_reported(client, settings, redis_url):
    settings.CACHES = redis_caches(redis_url)
    assert client.get("/healthz").json()["checks"]["redis"]["ok"] is True


def test_an_old_task_makes_it_degraded(client, settings):
    DBTaskResult.objects.create(
        task_path="core.tasks.nothing",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now() - timedelta(hours=1),
        priority=0,
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    report = client.get("/healthz").json()
    assert report["checks"]["tasks"]["ready"] == 1
    assert report["checks"]["tasks"]["oldest_ready_seconds"] >= 3500
    assert report["status"] == "degraded"


def test_the_replica_lag_is_reported(client, settings):
    settings.DATABASE_REPLICA_READS = False
    assert client.get("/healthz").json()["checks"]["replica"]["reads"] is False


@pytest.mark.django_db(databases=["default", "replica"])
def test_the_replica_is_checked(client, settings):
    settings.DATABASE_REPLICA_READS = True
    replica = client.get("/healthz").json()["checks"]["replica"]
    assert replica["ok"] and replica["configured"]


def test_metrics_only_to_the_operators_network(client, ega_admin):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "django_http_requests_total_by_method_total" in response.content.decode()
    client.force_login(ega_admin)  # a role is no key: only the network is
    for meta in (CITIZEN, RELAYED, {"HTTP_X_FORWARDED_FOR": "203.0.113.20"}):
        assert client.get("/metrics", **meta).status_code == 404


def test_metrics_networks_are_a_setting(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16"]
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="not-an-ip").status_code == 404


def test_metrics_can_be_turned_off(client, settings):
    settings.METRICS_ENABLED = False
    assert client.get("/metrics").status_code == 404


def test_the_request_id_from_nginx_comes_back(client):
    response = client.get("/", HTTP_X_REQUEST_ID="4f1c2a9be0d34f5c8a7e6d5c4b3a2910")
    assert response["X-Request-ID"] == "4f1c2a9be0d34f5c8a7e6d5c4b3a2910"


def test_a_missing_or_odd_request_id_is_replaced(client):
    made = client.get("/")["X-Request-ID"]
    assert len(made) == 32
    odd = client.get("/", HTTP_X_REQUEST_ID='x"; drop\n')["X-Request-ID"]
    assert odd != 'x"; drop\n' and len(odd) == 32


def test_log_lines_are_json_with_the_request_id(client, settings, caplog):
    settings.LOG_REQUESTS = True
    with caplog.at_level(logging.INFO, logger="citizeninfo.request"):
        client.get("/", HTTP_X_REQUEST_ID="req-1234567890")
    record = next(r for r in caplog.records if r.name == "citizeninfo.request")
    RequestIdFilter().filter(record)  # the handler's filter, as the console handler runs it
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/" and line["status"] == 200 and line["method"] == "GET"
    assert line["logger"] == "citizeninfo.request" and "ms" in line and "node" in line
    assert line["request_id"] == "req-1234567890"


def test_every_log_line_of_a_request_carries_its_id():
    token = REQUEST_ID.set("abcdef123456")
    try:
        record = logging.makeLogRecord({"msg": "hello", "name": "feedback"})
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "abcdef123456"
