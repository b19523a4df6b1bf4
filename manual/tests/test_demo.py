import pytest
from django.core.management import call_command

from agencies.services import agency_import_csv
from core.management.commands.demo_data import DIRECTORY_CSV
from manual.models import Service, ServiceVersion
from manual.selectors import service_search

pytestmark = pytest.mark.django_db


def test_demo_services_load_once_and_show_removed_copies():
    assert agency_import_csv(text=DIRECTORY_CSV.read_text(encoding="utf-8")).ok
    call_command("load_manual_demo")
    count, versions = Service.objects.count(), ServiceVersion.objects.count()
    assert count >= 10
    call_command("load_manual_demo")
    assert (Service.objects.count(), ServiceVersion.objects.count()) == (count, versions)
    assert Service.objects.filter(status="published").count() == count
    ministries = {s.agency.ministry_id or s.agency_id for s in Service.objects.all()}
    assert len(ministries) >= 6
    stopped = [
        v for v in ServiceVersion.objects.all() if v.changes.get("id_card_copy") == "stopped"
    ]
    assert stopped
    names = [s.listed_name_th for s in service_search(query="บัตรประชาชน").services]
    assert "การทำบัตรประจำตัวประชาชนครั้งแรก" in names
