"""Sign-in on several web nodes: sessions in Redis with the database behind them, and the
lock-out counted in the shared database, so two nodes never double the allowed failures."""

from django.core.cache import caches
from django.test import Client

from accounts.models import SignInThrottle
from core.tests.redis_server import DEAD_REDIS, redis_caches

CACHED_DB = "django.contrib.sessions.backends.cached_db"


def sign_in(client, identifier, password):
    return client.post("/accounts/sign-in/", {"identifier": identifier, "password": password})


def test_failures_on_two_nodes_add_up_to_one_lock_out(db, officer_a, password, settings):
    node_1, node_2 = Client(), Client()
    for attempt in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(node_1 if attempt % 2 else node_2, "officer@a.go.th", "wrong")
    assert SignInThrottle.objects.get(identifier="officer@a.go.th").is_locked()
    assert sign_in(node_1, "officer@a.go.th", password).status_code == 200
    assert sign_in(node_2, "officer@a.go.th", password).status_code == 200


def test_a_session_made_on_one_node_is_known_to_another(
    db,
    officer_a,
    password,
    settings,
    redis_url,
):
    settings.CACHES = redis_caches(redis_url)
    settings.SESSION_ENGINE = CACHED_DB
    node_1 = Client()
    assert sign_in(node_1, "officer@a.go.th", password).status_code == 302
    node_2 = Client()
    node_2.cookies = node_1.cookies
    assert node_2.get("/my-agency/").status_code == 200
    # A Redis restart forgets the fast copy; the database still knows the session.
    caches["default"].clear()
    assert node_2.get("/my-agency/").status_code == 200


def test_redis_down_staff_still_sign_in(db, officer_a, password, settings):
    settings.CACHES = redis_caches(DEAD_REDIS)
    settings.SESSION_ENGINE = CACHED_DB
    settings.REDIS_RETRY_SECONDS = 60
    client = Client()
    assert sign_in(client, "officer@a.go.th", password).status_code == 302
    assert client.get("/my-agency/").status_code == 200
