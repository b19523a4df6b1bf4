"""Issue 16: a point's page lists its services; a Manual service links to its points and their
feedback pages."""

import pytest
from django.core.management import call_command

from manual.models import Service
from service_points.models import ServicePoint

pytestmark = pytest.mark.django_db


def test_demo_services_and_points_link_both_ways(client, settings):
    settings.DEBUG = True
    call_command("demo_data")
    service = Service.objects.filter(status="published", offered_at__isnull=False).first()
    assert service is not None
    point = service.offered_at.filter(status=ServicePoint.Status.PUBLISHED).first()
    manual_html = client.get(service.get_absolute_url()).content.decode()
    assert f'href="/service-points/{point.pk}/"' in manual_html
    assert f'href="/f/{point.pk}/"' in manual_html
    # The history names what changed, never a dangling "; ปรับปรุงเมื่อ".
    assert "ปรับปรุงรายละเอียดอื่น" in manual_html and "ปรับปรุงเมื่อ" not in manual_html
    point_html = client.get(f"/service-points/{point.pk}/").content.decode()
    assert "งานบริการที่จุดนี้" in point_html
    assert f'href="{service.get_absolute_url()}"' in point_html
    assert f'href="/f/{point.pk}/"' in point_html
