"""The nightly retention of docs/privacy.md and the notification task, by their outcomes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from citizens import services
from citizens.models import Citizen, CitizenContact
from complaints.models import Complaint
from complaints.tests.factories import submit as complaint_submit
from feedback.models import Response
from feedback.tests.factories import submit as feedback_submit
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


def test_retention_removes_what_is_past_its_period_and_nothing_else(
    citizen, citizen_b, agency_a, no_readings
):
    now = timezone.now()
    old = now - timedelta(days=800)
    point = PublishedPointFactory(agency=agency_a)
    closed = complaint_submit(reporter_email="a@example.com", reporter_name="สมชาย")
    open_ = complaint_submit(reporter_email="b@example.com")
    Complaint.objects.filter(pk__in=[closed.pk, open_.pk]).update(state_changed_at=old)
    Complaint.objects.filter(pk=closed.pk).update(state=Complaint.State.FIXED)
    old_answer = feedback_submit(point, contact_email="c@example.com")
    new_answer = feedback_submit(point, contact_email="d@example.com")
    Response.objects.filter(pk=old_answer.pk).update(created_at=now - timedelta(days=400))
    stale = CitizenContact.objects.create(citizen=citizen, kind="email", value="x@example.com")
    CitizenContact.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=2))
    kept = CitizenContact.objects.create(
        citizen=citizen, kind="email", value="y@example.com", confirmed_at=now
    )
    Citizen.objects.filter(pk=citizen_b.pk).update(last_sign_in_at=old)
    CitizenContact.objects.create(
        citizen=citizen_b, kind="email", value="z@example.com", confirmed_at=old
    )

    out = StringIO()
    call_command("citizens_retention", stdout=out)

    closed.refresh_from_db(), open_.refresh_from_db()
    old_answer.refresh_from_db(), new_answer.refresh_from_db()
    assert (closed.reporter_email, closed.reporter_name) == ("", "")
    assert open_.reporter_email == "b@example.com"  # still open: the agency may need to call
    assert old_answer.contact_email == "" and old_answer.overall == 5
    assert new_answer.contact_email == "d@example.com"
    assert not CitizenContact.objects.filter(pk=stale.pk).exists()
    assert CitizenContact.objects.filter(pk=kept.pk).exists()
    citizen_b.refresh_from_db()
    assert citizen_b.status == "archived" and citizen_b.name_th == ""
    assert not citizen_b.contacts.exists()
    assert "1 inactive accounts" in out.getvalue()
    # A second night changes nothing more.
    assert services.retention_enforce() == {
        "codes": 0,
        "citizens": 0,
        "complaints": 0,
        "feedback": 0,
    }


def test_an_archived_citizen_signing_in_again_is_reactivated(citizen, pseudonym_key):
    from citizens.tests.conftest import PID_1
    from citizens.thaid import Claims

    services._archive(citizen)
    again = services.citizen_sign_in(
        claims=Claims(pid=PID_1, name_th="นายทดสอบ", name_en="", birthdate="", ial="2.3")
    )
    assert again.pk == citizen.pk and again.status == "active"


def test_sign_in_refuses_a_bad_id_or_a_low_assurance_level(db, pseudonym_key, settings):
    from django.core.exceptions import ValidationError

    from citizens.tests.conftest import PID_1
    from citizens.thaid import Claims

    with pytest.raises(ValidationError):
        services.citizen_sign_in(claims=Claims("1234567890123", "x", "", "", "2.3"))
    settings.THAID_MIN_IAL = "2.3"
    with pytest.raises(ValidationError):
        services.citizen_sign_in(claims=Claims(PID_1, "x", "", "", "1.1"))
    assert not Citizen.objects.exists()


def test_citizens_who_consented_are_mailed_about_new_readings_once(citizen, monkeypatch):
    from exchange import selectors

    log = [{"index": 7, "when": timezone.now(), "consumer_name": "สำนักงานที่ดิน",
            "provider_name": "กรมการปกครอง", "document_type_name": "ทะเบียนราษฎร",
            "purpose": "land-title-transfer", "outcome_label": "ส่งแล้ว"}]  # fmt: skip
    monkeypatch.setattr(selectors, "subject_readings", lambda **kw: list(log), raising=False)
    CitizenContact.objects.create(
        citizen=citizen, kind="email", value="me@example.com", confirmed_at=timezone.now()
    )
    services.consent_give(citizen=citizen, email="me@example.com")
    call_command("citizens_notify_readings", stdout=StringIO())
    assert mail.outbox == []  # what was there at consent is on the page, not mailed
    log.insert(0, {**log[0], "index": 9})
    call_command("citizens_notify_readings", stdout=StringIO())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["me@example.com"]
    assert "สำนักงานที่ดิน" in mail.outbox[0].body and "/me/readings/" in mail.outbox[0].body
    call_command("citizens_notify_readings", stdout=StringIO())
    assert len(mail.outbox) == 1
    services.consent_withdraw(citizen=citizen)
    log.insert(0, {**log[0], "index": 11})
    call_command("citizens_notify_readings", stdout=StringIO())
    assert len(mail.outbox) == 1
