"""Issue 16: one machine's burst (80 answers, fresh cookies, one address) moves no public figure."""

import pytest
from django.urls import reverse

from feedback import conf
from feedback.models import PointDay, Response
from feedback.selectors import feedback_public_summary
from feedback.tests.factories import form_post

pytestmark = pytest.mark.django_db


def test_a_burst_from_one_network_is_held_and_told_so(client, point_a, settings):
    # The production defaults (the test settings lower some of them).
    for name in ("FEEDBACK_PUBLIC_MIN_RESPONSES", "FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR"):
        if hasattr(settings, name):
            delattr(settings, name)
    url = reverse("feedback:give", args=[point_a.pk])
    statuses = []
    for n in range(80):
        client.cookies["fb_device"] = f"fresh-{n}"  # a new cookie every time
        statuses.append(client.post(url, form_post(), REMOTE_ADDR="203.0.113.9").status_code)
    limit = conf.get("FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR")
    assert limit < conf.get("FEEDBACK_PUBLIC_MIN_RESPONSES")
    counted = Response.objects.filter(status=Response.Status.ACCEPTED).count()
    assert counted == limit
    assert statuses.count(302) == limit  # thanked: the answers that count
    assert statuses.count(429) == 80 - limit  # the rest are told they wait for a check
    assert Response.objects.filter(status=Response.Status.FLAGGED).count() == 80 - limit
    assert sum(PointDay.objects.values_list("responses", flat=True)) == limit
    assert feedback_public_summary(point=point_a) is None  # no "100 % satisfied" appears


def test_the_held_page_is_thai_and_honest(client, point_a, settings):
    settings.FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR = 1
    url = reverse("feedback:give", args=[point_a.pk])
    client.cookies["fb_device"] = "one"
    client.post(url, form_post())
    client.cookies["fb_device"] = "two"
    page = client.post(url, form_post())
    assert page.status_code == 429 and page["Retry-After"] == "3600"
    html = page.content.decode()
    assert "จะนับเมื่อเจ้าหน้าที่ตรวจสอบแล้ว" in html
    assert Response.objects.get(device_hash__isnull=False, status="flagged").flag_reason == (
        Response.FlagReason.POINT_BURST
    )


def test_other_points_and_networks_are_not_held(client, point_a, point_b, settings):
    settings.FEEDBACK_NETWORK_POINT_LIMIT_PER_HOUR = 1
    for n, (point, ip) in enumerate(
        [(point_a, "198.51.100.1"), (point_b, "198.51.100.1"), (point_a, "198.51.100.2")]
    ):
        client.cookies["fb_device"] = f"d{n}"
        page = client.post(reverse("feedback:give", args=[point.pk]), form_post(), REMOTE_ADDR=ip)
        assert page.status_code == 302
    assert not Response.objects.filter(status="flagged").exists()
