"""Several web nodes: the flood limit is counted in Redis, shared by every node; with Redis
down the portal still takes answers and the database's own count still refuses a flood
(ADR 0130)."""

import multiprocessing

import pytest
from django.core.cache import caches

from core import ratelimit
from core.tests.redis_server import DEAD_REDIS, redis_caches
from feedback.models import Response
from feedback.services import TooManyResponsesError, network_hash
from feedback.tests.factories import form_post, submit

pytestmark = pytest.mark.django_db
FORK = multiprocessing.get_context("fork")


def _other_node(network: str, times: int) -> None:
    caches["default"].close()
    for _ in range(times):
        ratelimit.hit(
            "feedback.network", network, limit=10**6, window=3600, on_outage=ratelimit.Outage.REFUSE
        )


def test_answers_counted_by_another_node_use_up_the_same_allowance(
    settings,
    redis_url,
    point_a,
):
    settings.CACHES = redis_caches(redis_url)
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 4
    node = FORK.Process(target=_other_node, args=(network_hash("203.0.113.9"), 3))
    node.start()
    node.join(30)
    assert node.exitcode == 0
    submit(point_a, ip="203.0.113.9")  # this node's first: the network's fourth
    with pytest.raises(TooManyResponsesError):
        submit(point_a, ip="203.0.113.9")
    assert Response.objects.count() == 1
    caches["default"].clear()


def test_redis_down_the_citizen_page_still_takes_answers(settings, client, point_a):
    settings.CACHES = redis_caches(DEAD_REDIS)
    settings.REDIS_RETRY_SECONDS = 60
    assert client.get(f"/f/{point_a.pk}/").status_code == 200
    response = client.post(f"/f/{point_a.pk}/", form_post())
    assert response.status_code in (200, 302)
    assert Response.objects.filter(point=point_a).count() == 1


def test_redis_down_the_database_still_refuses_a_flood(settings, point_a):
    settings.CACHES = redis_caches(DEAD_REDIS)
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 2
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 100
    settings.FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR = 100
    submit(point_a, ip="198.51.100.7")
    submit(point_a, ip="198.51.100.7")
    with pytest.raises(TooManyResponsesError):
        submit(point_a, ip="198.51.100.7")
