"""The public list pages by keyset, newest first on (created_at, id), and counts up to a cap
(ADR 0103)."""

import datetime

import pytest
from django.utils import timezone

from complaints import selectors
from complaints.models import Complaint
from complaints.tests.factories import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    """Seven complaints, newest first; the middle three filed in the same microsecond (the
    id breaks the tie)."""
    filed = [submit() for _ in range(7)]
    now = timezone.now()
    for age, complaint in enumerate(filed):
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=now - datetime.timedelta(hours=min(age, 2) if age < 5 else age)
        )
    return list(selectors.public_complaints().order_by("-created_at", "-pk"))


def _refs(page):
    return [c.reference for c in page]


def test_walking_older_and_back_newer_visits_every_complaint_once(seven):
    qs = selectors.public_complaints()
    first = selectors.public_page(qs, size=3)
    assert _refs(first) == _refs(seven[:3]) and first.newer is None and first.count == 7
    second = selectors.public_page(qs, after=first.older, size=3)
    assert _refs(second) == _refs(seven[3:6])
    third = selectors.public_page(qs, after=second.older, size=3)
    assert _refs(third) == _refs(seven[6:]) and third.older is None
    back = selectors.public_page(qs, before=third.newer, size=3)
    assert _refs(back) == _refs(seven[3:6]) and back.older == second.older
    # Newer than the second page: fewer than a page remain, so the newest page, full.
    assert _refs(selectors.public_page(qs, before=back.newer, size=3)) == _refs(seven[:3])


def test_an_unknown_or_foreign_anchor_gives_the_newest_page(seven):
    qs = selectors.public_complaints(state="fixed")
    assert _refs(selectors.public_page(qs, after=seven[2].pk, size=3)) == []
    everything = selectors.public_complaints()
    assert _refs(selectors.public_page(everything, after=10**9, size=3)) == _refs(seven[:3])


def test_the_count_stops_at_the_cap(seven, monkeypatch):
    monkeypatch.setattr(selectors, "PUBLIC_COUNT_CAP", 5)
    page = selectors.public_page(selectors.public_complaints(), size=3)
    assert page.count_capped and page.count == 6


def test_the_list_page_links_older_and_newer(client, seven, monkeypatch):
    monkeypatch.setattr(selectors, "PUBLIC_PAGE_SIZE", 3)
    monkeypatch.setattr(selectors, "PUBLIC_COUNT_CAP", 5)
    response = client.get("/complaints/?state=open")
    body = response.content.decode()
    older = seven[2].pk
    assert f'href="?state=open&amp;after={older}"' in body
    assert "before=" not in body
    assert response.context["page"].count_capped and response.context["count_cap"] == "5"
    page = client.get(f"/complaints/?state=open&after={older}")
    assert _refs(page.context["page"]) == _refs(seven[3:6])
    assert f'href="?state=open&amp;before={seven[3].pk}"' in page.content.decode()
    assert client.get("/complaints/?after=x&before=-1").status_code == 200
