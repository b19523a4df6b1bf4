"""The replica router on two SQLite databases: the "replica" is a second database that a
test fills differently from the primary, so each answer shows which one was read."""

import pytest
from django.db import OperationalError, connections
from django.test import RequestFactory
from django.urls import resolve

from agencies.models import Agency
from core import db_router
from core.db_router import PRIMARY_COOKIE, REPLICA_READ_VIEWS, ReplicaRouter
from core.tests.url_access import named_routes

BOTH = ["default", "replica"]


def test_every_listed_view_exists():
    assert REPLICA_READ_VIEWS - set(named_routes()) == set()


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_REPLICA_READS = True
    db_router.mark_replica_up()
    yield settings
    db_router.mark_replica_up()


@pytest.fixture
def two_copies(replica_on):
    """The same ministry code, named differently on each side."""
    for alias, name in (("default", "Primary Ministry"), ("replica", "Replica Ministry")):
        Agency.objects.using(alias).create(
            code="m-router", kind=Agency.Kind.MINISTRY, name_th=name, name_en=name
        )


def test_router_alone_reads_the_primary_unless_marked():
    router = ReplicaRouter()
    assert router.db_for_read(Agency) is None
    token, wrote = db_router.REPLICA_READ.set(True), db_router._WROTE.set(False)
    try:
        assert router.db_for_read(Agency) == "replica"
        assert router.db_for_write(Agency) == "default"
    finally:
        db_router.REPLICA_READ.reset(token)
        db_router._WROTE.reset(wrote)


@pytest.mark.django_db(databases=BOTH)
def test_public_heavy_read_comes_from_the_replica(client, two_copies):
    page = client.get("/agencies/").content.decode()
    assert "Replica Ministry" in page
    assert "Primary Ministry" not in page


@pytest.mark.django_db(databases=BOTH)
def test_unlisted_page_reads_the_primary(client, two_copies):
    page = client.get("/agencies/m-router/").content.decode()
    assert "Primary Ministry" in page


@pytest.mark.django_db(databases=BOTH)
def test_off_when_the_setting_says_so(client, two_copies, settings):
    settings.DATABASE_REPLICA_READS = False
    assert "Primary Ministry" in client.get("/agencies/").content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_after_a_write_the_same_browser_reads_the_primary(client, two_copies):
    response = client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    cookie = response.cookies[PRIMARY_COOKIE]
    assert int(cookie["max-age"]) == 30
    assert cookie["httponly"]
    assert "Primary Ministry" in client.get("/agencies/").content.decode()
    # Another browser, which wrote nothing, still reads the replica.
    client.cookies.clear()
    assert "Replica Ministry" in client.get("/agencies/").content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_read_your_writes_can_be_turned_off(client, two_copies, settings):
    settings.DATABASE_READ_YOUR_WRITES = False
    response = client.post("/i18n/setlang/", {"language": "th", "next": "/"})
    assert PRIMARY_COOKIE not in response.cookies
    assert "Replica Ministry" in client.get("/agencies/").content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_a_forged_or_expired_mark_is_ignored(client, two_copies):
    client.cookies[PRIMARY_COOKIE] = "not-a-time"
    assert "Replica Ministry" in client.get("/agencies/").content.decode()
    client.cookies[PRIMARY_COOKIE] = "1000"
    assert "Replica Ministry" in client.get("/agencies/").content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_a_post_to_a_listed_url_writes_the_primary(client, two_copies):
    # Only GET and HEAD of a listed URL read the replica.
    assert not db_router.reads_replica(_request("POST", "/agencies/"))


def _request(method, path):
    request = RequestFactory().generic(method, path)
    request.resolver_match = resolve(path)
    return request


@pytest.mark.django_db(databases=BOTH)
def test_unreachable_replica_falls_back_to_the_primary(client, two_copies):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connections["replica"].execute_wrapper(refuse):
        response = client.get("/agencies/")
        assert response.status_code == 200
        assert "Primary Ministry" in response.content.decode()
        assert not db_router.replica_usable()
        # While it is down, this process does not even try it.
        assert "Primary Ministry" in client.get("/agencies/").content.decode()
    db_router.mark_replica_up()
    assert "Replica Ministry" in client.get("/agencies/").content.decode()


@pytest.mark.django_db(databases=BOTH)
def test_a_cancelled_replica_query_is_answered_from_the_primary(client, two_copies):
    """A hot standby cancels queries that conflict with recovery: the GET runs again on the
    primary and the replica stays in use."""
    failed = []

    def cancel_once(execute, sql, params, many, context):
        if not failed:
            failed.append(sql)
            raise OperationalError("canceling statement due to conflict with recovery")
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(cancel_once):
        assert "Primary Ministry" in client.get("/agencies/").content.decode()
    assert db_router.replica_usable()


def test_a_request_that_wrote_reads_its_own_write():
    router = ReplicaRouter()
    marked, wrote = db_router.REPLICA_READ.set(True), db_router._WROTE.set(False)
    try:
        assert router.db_for_read(Agency) == "replica"
        router.db_for_write(Agency)
        assert router.db_for_read(Agency) is None
    finally:
        db_router.REPLICA_READ.reset(marked)
        db_router._WROTE.reset(wrote)
