import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from feedback.models import Response
from feedback.tests.factories import submit
from service_points.models import ServicePointCell
from service_points.tests.factories import PublishedPointFactory


@pytest.mark.django_db
def test_the_nightly_upkeep_forgets_old_hashes_and_recounts_the_map(agency_a):
    point = PublishedPointFactory(agency=agency_a)
    old = submit(point)
    Response.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=90)
    )
    fresh = submit(point)
    ServicePointCell.objects.all().delete()  # as raw SQL on the points would leave it
    out = StringIO()
    call_command("nightly", stdout=out)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.device_hash, old.network_hash) == ("", "")
    assert fresh.device_hash and fresh.network_hash
    assert ServicePointCell.objects.exists()
    call_command("service_points_rebuild_cells", "--check", stdout=StringIO())
    text = out.getvalue()
    for step in (
        "feedback_forget_hashes",
        "progress_refresh",
        "service_points_rebuild_cells",
        "citizens_retention",
        "citizens_notify_readings",
    ):
        assert f"==> {step}" in text
    assert "nightly: all steps done" in text


@pytest.mark.django_db
def test_a_failing_step_is_reported_and_the_others_still_run(monkeypatch):
    from core.management.commands import nightly

    ran = []

    def fake_call_command(name, *args, **kwargs):
        ran.append(name)
        if name == "progress_refresh":
            raise RuntimeError("database gone")

    monkeypatch.setattr(nightly, "call_command", fake_call_command)
    err = StringIO()
    with pytest.raises(CommandError, match="progress_refresh failed"):
        call_command("nightly", stdout=StringIO(), stderr=err)
    assert ran == [name for name, _args, _options in nightly.STEPS]
    assert "database gone" in err.getvalue()
