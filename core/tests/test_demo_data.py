from django.core.management import call_command

from accounts.models import User
from agencies.models import Agency
from core.management.commands.demo_data import DEMO_ACCOUNTS


def test_demo_data_loads_once_and_again_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("demo_data")
    counts = (Agency.objects.count(), User.objects.count())
    assert counts[0] >= 69 and counts[1] == len(DEMO_ACCOUNTS)
    call_command("demo_data")
    assert (Agency.objects.count(), User.objects.count()) == counts
    assert User.objects.get(email="somchai@dopa.go.th").check_password("demo-citizeninfo-2569")


def test_demo_data_refuses_to_run_outside_debug(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert Agency.objects.count() == 0
