"""Overdue complaints on the console home, and the every-agency queue behind its link."""

import datetime

import pytest
from django.utils import timezone

from complaints import selectors
from complaints.models import Complaint, Route
from complaints.tests.factories import category, submit

pytestmark = pytest.mark.django_db


def _overdue(complaint: Complaint) -> Complaint:
    complaint.deadline = timezone.localdate() - datetime.timedelta(days=1)
    complaint.save(update_fields=["deadline"])
    return complaint


@pytest.fixture
def complaints(agency_a):
    """Agency A: one overdue, one on time. The fallback queue: one overdue, one on time."""
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    late_a = _overdue(submit())
    on_time_a = submit()
    late_fallback = _overdue(submit(category=category("other"), latitude=7.0, longitude=100.5))
    on_time_fallback = submit(category=category("other"), latitude=7.0, longitude=100.6)
    assert late_a.agency == agency_a and late_fallback.agency is None
    return late_a, on_time_a, late_fallback, on_time_fallback


def test_the_counts(complaints):
    counts = selectors.attention()
    assert (counts.overdue, counts.fallback_open, counts.fallback_overdue) == (2, 2, 1)


def test_a_fixed_complaint_is_not_overdue(complaints, ega_admin):
    late_a = complaints[0]
    late_a.fix()
    late_a.save()
    assert selectors.attention().overdue == 1


def test_the_console_home_shows_them_with_links(client, complaints, overseer):
    client.force_login(overseer)
    response = client.get("/console/")
    assert response.context["attention"].complaints.overdue == 2
    page = response.content.decode()
    assert 'href="/my-agency/complaints/?agency=all&amp;state=open&amp;overdue=1"' in page
    assert 'href="/my-agency/complaints/"' in page


def test_the_every_agency_queue_lists_all_overdue(client, complaints, overseer):
    late_a, on_time_a, late_fallback, _ = complaints
    client.force_login(overseer)
    page = client.get("/my-agency/complaints/?agency=all&state=open&overdue=1")
    assert page.status_code == 200
    listed = {c.reference for c in page.context["page"]}
    assert listed == {late_a.reference, late_fallback.reference}
    assert "agency=all&amp;state=closed" in page.content.decode()


def test_the_fallback_queue_overdue_link(client, complaints, ega_admin):
    client.force_login(ega_admin)
    page = client.get("/my-agency/complaints/?state=open&overdue=1")
    assert {c.reference for c in page.context["page"]} == {complaints[2].reference}


def test_an_officer_cannot_widen_the_queue_to_every_agency(
    client, complaints, officer_a, officer_b
):
    client.force_login(officer_b)
    page = client.get("/my-agency/complaints/?agency=all")
    assert list(page.context["page"]) == []
    client.force_login(officer_a)
    page = client.get("/my-agency/complaints/?agency=all")
    assert {c.reference for c in page.context["page"]} == {c.reference for c in complaints[:2]}


def test_a_visitor_does_not_get_the_queue(client, complaints):
    response = client.get("/my-agency/complaints/?agency=all")
    assert response.status_code in (302, 403)
    assert "page" not in (response.context or {})
