import io

import pytest
from django.core.management import CommandError, call_command

from counter.models import ServicePath


def test_counter_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("demo_data", "--once", stdout=io.StringIO())
    call_command("counter_demo", stdout=io.StringIO())
    paths = dict(ServicePath.objects.values_list("service__code", "path"))
    assert paths["land-transfer-sale"] == "online_ega"
    assert paths["id-card-new"] == "offline"
    assert ServicePath.objects.get(service__code="land-transfer-sale").gdx_purpose
    count = ServicePath.objects.count()
    call_command("counter_demo", stdout=io.StringIO())
    assert ServicePath.objects.count() == count


def test_counter_demo_refuses_outside_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("counter_demo")
