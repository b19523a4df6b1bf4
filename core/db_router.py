"""Heavy public reads go to the PostgreSQL replica; everything else to the primary (ADR 0130).

The ONE mechanism that marks a view "public heavy read" is `REPLICA_READ_VIEWS` below: URL
names, resolved per request by `ReplicaMiddleware`. A GET or HEAD of one of them, from a
browser that has not just written, runs with `REPLICA_READ` set, and `ReplicaRouter` then
sends that request's reads to the `replica` alias. Everything else reads the primary:
requests that write, pages behind sign-in, the task worker, management commands.

Read-your-writes: any POST/PUT/PATCH/DELETE (or a request that wrote through the ORM) sets
the `ci_primary` cookie for `DATABASE_READ_YOUR_WRITES_SECONDS`; while it lives, that
browser reads the primary, so a citizen who just answered sees their answer counted.
`DATABASE_READ_YOUR_WRITES=off` turns the cookie off (every listed GET reads the replica).

A replica that cannot be reached is left alone for `DATABASE_REPLICA_RETRY_SECONDS` by this
process and the request is answered from the primary (GETs are safe to run again).
"""

import contextvars
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY_COOKIE = "ci_primary"

# URL names (namespace:name) whose GET/HEAD are heavy public reads. A test checks each
# resolves, so a renamed URL cannot silently fall back to the primary.
REPLICA_READ_VIEWS = frozenset(
    {
        # the map, near me, a point's public page
        "service_points:map",
        "service_points:clusters",
        "service_points:near",
        "service_points:detail",
        "service_points:division_options",
        # open data
        "service_points:opendata",
        "service_points:opendata_csv",
        "service_points:opendata_geojson",
        "service_points:opendata_xlsx",
        "service_points:opendata_catalog",
        "complaints:opendata",
        "complaints:opendata_file",
        # the Citizen's Manual search and pages
        "manual:search",
        "manual:detail",
        "api:search_services",
        "api:get_service",
        "api:search_agencies",
        "api:get_agency",
        "agencies:directory",
        # public dashboards
        "progress:public",
        "progress:provinces",
        "progress:province",
        "complaints:list",
        "complaints:map_data",
        "complaints:agency_figures",
        "api:point_summary",
        "api:national",
        "api:provinces",
        "api:agency_figures",
        # Open311 reads (the same URLs' POSTs write and go to the primary)
        "open311:discovery",
        "open311:services",
        "open311:service",
        "open311:requests",
        "open311:request",
        "api:categories",
        "api:complaint_list",
        "api:complaint_detail",
    }
)

REPLICA_READ: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_read", default=False)
_WROTE: contextvars.ContextVar[bool] = contextvars.ContextVar("wrote", default=False)
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", False)


def replica_usable() -> bool:
    return replica_configured() and time.monotonic() >= _replica_down_until


def mark_replica_down() -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS


def mark_replica_up() -> None:
    global _replica_down_until
    _replica_down_until = 0.0


class ReplicaRouter:
    """Reads of a marked request go to the replica until the request writes (or locks a
    row): from then on it reads what it wrote, on the primary. Writes always the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if REPLICA_READ.get() and not _WROTE.get():
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        _WROTE.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica is a copy of the primary: an object read from either may relate to one
        # read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # A hot standby refuses writes anyway; tests migrate their stand-in replica.
        return None


def _pinned_to_primary(request: HttpRequest) -> bool:
    if not settings.DATABASE_READ_YOUR_WRITES:
        return False
    raw = request.COOKIES.get(PRIMARY_COOKIE, "")
    return raw.isdigit() and int(raw) > time.time()


def reads_replica(request: HttpRequest) -> bool:
    match = request.resolver_match
    return (
        request.method in ("GET", "HEAD")
        and match is not None
        and match.view_name in REPLICA_READ_VIEWS
        and replica_usable()
        and not _pinned_to_primary(request)
    )


class ReplicaMiddleware:
    """Chooses the database of each request (see the module's docstring). Last in
    MIDDLEWARE, so every other middleware has run on the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wrote = _WROTE.set(False)
        replica = REPLICA_READ.set(False)
        try:
            response = self.get_response(request)
            if request.method not in ("GET", "HEAD", "OPTIONS") or _WROTE.get():
                self._pin(response)
            return response
        finally:
            REPLICA_READ.reset(replica)
            _WROTE.reset(wrote)

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        if reads_replica(request):
            REPLICA_READ.set(True)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A replica read that failed (unreachable, or a query cancelled by recovery) is
        answered again from the primary: the request is a GET, safe to run twice."""
        match = request.resolver_match
        if not (REPLICA_READ.get() and isinstance(exception, Error) and match is not None):
            return None
        self._check_replica()
        REPLICA_READ.set(False)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response = response.render()
        return response

    @staticmethod
    def _check_replica() -> None:
        """An unreachable replica is left alone by this process for a while."""
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT 1")
        except Error:
            mark_replica_down()

    @staticmethod
    def _pin(response: HttpResponse) -> None:
        seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
        if not (replica_configured() and settings.DATABASE_READ_YOUR_WRITES and seconds > 0):
            return
        response.set_cookie(
            PRIMARY_COOKIE,
            str(int(time.time()) + seconds),
            max_age=seconds,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
