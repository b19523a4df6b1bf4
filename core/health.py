"""Health of each dependency, for `/healthz`'s operator details (ADR 0130).

Only the primary database decides the HTTP status (503 takes this node out of the load
balancer); a replica, Redis, storage or task-queue problem leaves the node serving and shows
as "degraded", because every node shares it and taking them all out would help no one.
"""

import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.cache import SharedRedisCache
from core.db_router import REPLICA, replica_configured

# On a standby: seconds since the last replayed transaction, 0 when it has replayed all it
# received (an idle primary writes nothing, so the timestamp alone would look like lag).
REPLICA_LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
    "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END, "
    "pg_last_wal_replay_lsn()::text"
)


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is its state
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def replica() -> dict:
    if REPLICA not in settings.DATABASES:
        return {"configured": False}
    if not replica_configured():
        return {"configured": True, "reads": False}
    replica_connection = connections[REPLICA]
    with replica_connection.cursor() as cursor:
        if replica_connection.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return {"configured": True, "lag_seconds": None}
        cursor.execute(REPLICA_LAG_SQL)
        in_recovery, lag, replayed = cursor.fetchone()
    found = {"configured": True, "in_recovery": in_recovery, "lag_seconds": _seconds(lag)}
    if in_recovery and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [replayed])
            found["lag_bytes"] = int(cursor.fetchone()[0])
    return found


def _seconds(value) -> float | None:
    return None if value is None else round(float(value), 3)


def redis() -> dict:
    shared = caches["default"]
    if not isinstance(shared, SharedRedisCache):
        return {"configured": False}
    shared.strict(lambda: shared.strict_client().ping())
    return {"configured": True}


def uploads() -> dict:
    storage = storages["default"]
    storage.exists("healthz-probe")
    return {"backend": type(storage).__name__}


def tasks() -> dict:
    oldest: datetime | None = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True)
    ).first()
    waiting = DBTaskResult.objects.ready().count()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {"ready": waiting, "oldest_ready_seconds": round(age, 1)}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": database,
    "replica": replica,
    "redis": redis,
    "storage": uploads,
    "tasks": tasks,
}


def details() -> dict:
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    status = "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    if not checks["database"]["ok"]:
        status = "error"
    age = checks["tasks"].get("oldest_ready_seconds") or 0
    if age > settings.HEALTHZ_TASK_AGE_SECONDS and status == "ok":
        status = "degraded"
    lag = checks["replica"].get("lag_seconds") or 0
    if lag > settings.HEALTHZ_REPLICA_LAG_SECONDS and status == "ok":
        status = "degraded"
    return {"status": status, "checks": checks}
