"""The citizen's space from the outside: what a citizen sees, what is stored, what is refused."""

import io
import json

import pytest
from django.core import mail
from pypdf import PdfReader

from citizens import sms
from citizens.models import CitizenContact
from citizens.tests.conftest import sign_in_as
from complaints.models import Complaint
from complaints.tests.factories import submit as complaint_submit
from feedback.models import Response
from feedback.tests.factories import submit as feedback_submit
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


def _code_from_mail() -> str:
    body = mail.outbox[-1].body
    return next(
        word.strip(".")
        for word in body.split()
        if word.strip(".").isdigit() and len(word.strip(".")) == 6
    )


def link_email(client, email: str) -> CitizenContact:
    r = client.post("/me/contacts/", {"kind": "email", "value": email})
    assert r.status_code == 302, r.content[:400]
    contact = CitizenContact.objects.get(value=email.lower())
    r = client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": _code_from_mail()})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.is_confirmed
    return contact


def test_anonymous_me_offers_thaid_and_says_no_account_is_needed(client):
    page = client.get("/me/").content.decode()
    assert "ThaiD" in page and 'id="thaid-sign-in"' in page


def test_a_staff_session_has_no_citizen_space(client, officer_a, citizen, no_readings):
    client.force_login(officer_a)
    sign_in_as(client, citizen)  # a citizen key planted in a staff session is dropped
    r = client.get("/me/readings/")
    assert r.status_code == 302 and r["Location"].startswith("/me/")
    assert "_citizen_id" not in client.session


def test_a_citizen_is_never_a_staff_user(citizen_client, no_readings):
    r = citizen_client.get("/my-agency/complaints/")
    assert r.status_code == 302 and "/accounts/" in r["Location"]  # sign-in page for staff
    assert citizen_client.get("/console/").status_code == 302


def test_linking_an_email_needs_the_code(citizen_client, agency_a, no_readings):
    mine = complaint_submit(reporter_email="Me@Example.com")
    complaint_submit(reporter_email="someone@example.com")
    r = citizen_client.post("/me/contacts/", {"kind": "email", "value": "me@example.com"})
    assert r.status_code == 302
    contact = CitizenContact.objects.get()
    assert (
        not contact.is_confirmed
        and contact.code_hash
        and _code_from_mail() not in contact.code_hash
    )
    # Before the code, nothing is linked.
    assert mine.reference not in citizen_client.get("/me/records/").content.decode()
    wrong = citizen_client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": "000000"})
    assert wrong.status_code == 200 and "error-summary" in wrong.content.decode()
    contact.refresh_from_db()
    assert contact.attempts == 1 and not contact.is_confirmed
    r = citizen_client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": _code_from_mail()})
    assert r.status_code == 302
    page = citizen_client.get("/me/records/").content.decode()
    assert mine.reference in page
    assert Complaint.objects.exclude(pk=mine.pk).get().reference not in page


def test_five_wrong_codes_lock_the_code(citizen_client, no_readings):
    citizen_client.post("/me/contacts/", {"kind": "email", "value": "me@example.com"})
    contact = CitizenContact.objects.get()
    code = _code_from_mail()
    for _ in range(5):
        citizen_client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": "111111"})
    r = citizen_client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": code})
    assert r.status_code == 200
    contact.refresh_from_db()
    assert not contact.is_confirmed


def test_a_phone_is_linked_through_an_sms_code(citizen_client, agency_a, no_readings):
    point = PublishedPointFactory(agency=agency_a)
    answer = feedback_submit(point, contact_phone="0812345678", contact_email="")
    complaint = complaint_submit(reporter_email="", reporter_phone="081-234-5678")
    sms.outbox.clear()
    citizen_client.post("/me/contacts/", {"kind": "phone", "value": "081 234 5678"})
    contact = CitizenContact.objects.get()
    assert contact.value == "0812345678"
    code = next(w for w in sms.outbox[-1][1].split() if w.isdigit() and len(w) == 6)
    citizen_client.post(f"/me/contacts/{contact.pk}/confirm/", {"code": code})
    page = citizen_client.get("/me/records/").content.decode()
    assert complaint.reference in page and point.name_th in page
    assert answer.pk


def test_two_citizens_never_see_each_others_records(
    client, citizen, citizen_b, agency_a, no_readings
):
    sign_in_as(client, citizen)
    contact = link_email(client, "a@example.com")
    complaint_submit(reporter_email="a@example.com")
    client.logout()
    sign_in_as(client, citizen_b)
    assert "a@example.com" not in client.get("/me/records/").content.decode()
    assert client.get(f"/me/contacts/{contact.pk}/confirm/").status_code == 404
    assert client.post(f"/me/contacts/{contact.pk}/remove/").status_code == 404
    assert CitizenContact.objects.filter(pk=contact.pk).exists()
    data = json.loads(client.get("/me/export.json").content)
    assert data["complaints"] == [] and data["contacts"] == []


def test_the_export_holds_the_complaint_and_the_answer(
    citizen_client, citizen, agency_a, no_readings
):
    point = PublishedPointFactory(agency=agency_a)
    complaint = complaint_submit(reporter_email="me@example.com", reporter_name="สมชาย")
    feedback_submit(point, contact_email="me@example.com", comment="บริการดีมาก")
    link_email(citizen_client, "me@example.com")
    r = citizen_client.get("/me/export.json")
    assert r["Content-Disposition"].startswith("attachment")
    data = json.loads(r.content)
    assert data["account"]["pseudonym"] == citizen.pseudonym
    assert [c["reference"] for c in data["complaints"]] == [complaint.reference]
    assert data["feedback"][0]["comment"] == "บริการดีมาก"
    assert data["feedback"][0]["scores"]["overall"] == 5


def test_the_pdf_export_is_thai_text(citizen_client, agency_a, no_readings):
    complaint = complaint_submit(reporter_email="me@example.com")
    link_email(citizen_client, "me@example.com")
    r = citizen_client.get("/me/export.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert complaint.reference in text.replace("\n", ""), text
    assert "เรื่องร้องเรียน" in text


def test_erasing_contact_details_keeps_the_records_anonymised(
    citizen_client, agency_a, no_readings
):
    point = PublishedPointFactory(agency=agency_a)
    complaint = complaint_submit(
        reporter_email="me@example.com", reporter_name="สมชาย", reporter_phone="0812345678"
    )
    answer = feedback_submit(point, contact_email="me@example.com", contact_name="สมชาย")
    other = complaint_submit(reporter_email="other@example.com")
    link_email(citizen_client, "me@example.com")
    assert citizen_client.get("/me/erase/").status_code == 200
    assert citizen_client.post("/me/erase/").status_code == 302
    complaint.refresh_from_db()
    answer.refresh_from_db()
    other.refresh_from_db()
    assert (complaint.reporter_name, complaint.reporter_email, complaint.reporter_phone) == (
        "",
        "",
        "",
    )
    assert (answer.contact_name, answer.contact_email) == ("", "")
    assert answer.overall == 5 and Response.objects.count() == 1  # the figures stay
    assert other.reporter_email == "other@example.com"


def test_consent_to_notifications_needs_a_confirmed_email_and_can_be_withdrawn(
    citizen_client, citizen, no_readings
):
    r = citizen_client.post("/me/notifications/", {"email": "x@example.com", "action": "give"})
    assert r.status_code == 200
    citizen.refresh_from_db()
    assert citizen.notify_email == ""
    link_email(citizen_client, "me@example.com")
    citizen_client.post("/me/notifications/", {"email": "me@example.com", "action": "give"})
    citizen.refresh_from_db()
    assert citizen.notify_email == "me@example.com" and citizen.notify_consent_at
    citizen_client.post("/me/notifications/", {"action": "withdraw"})
    citizen.refresh_from_db()
    assert citizen.notify_email == "" and citizen.notify_consent_at is None


def test_removing_the_notification_address_withdraws_consent(citizen_client, citizen, no_readings):
    contact = link_email(citizen_client, "me@example.com")
    citizen_client.post("/me/notifications/", {"email": "me@example.com", "action": "give"})
    citizen_client.post(f"/me/contacts/{contact.pk}/remove/")
    citizen.refresh_from_db()
    assert citizen.notify_email == "" and not CitizenContact.objects.exists()


def test_sign_out_ends_the_citizen_session(citizen_client, no_readings):
    citizen_client.post("/me/sign-out/")
    assert citizen_client.get("/me/records/").status_code == 302


def test_the_privacy_notice_in_both_languages(client):
    th = client.get("/privacy/").content.decode()
    assert "ประกาศความเป็นส่วนตัว" in th and "LINE" in th
    client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    en = client.get("/privacy/").content.decode()
    assert "Privacy notice" in en and "How long" in en


def test_counter_checks_of_my_card_appear_with_my_readings(
    citizen_client, citizen, agency_a, officer_a, no_readings
):
    from citizens.tests.conftest import PID_1, PID_2
    from counter import hashing
    from counter.services import verification_record_create
    from manual.tests.factories import make_published

    service = make_published(agency=agency_a, code="svc-a", name_th="การขอใบอนุญาตทดสอบ")
    citizen.counter_ref = hashing.citizen_ref(PID_1)  # what sign-in stores
    citizen.save()
    for pid in (PID_1, PID_2):
        verification_record_create(
            agency=agency_a,
            service=service,
            point=None,
            officer=officer_a,
            source="card",
            values={"citizen_id": pid, "name_th": "นายสมชาย ใจดี"},
            fields_used=["citizen_id"],
        )
    data = json.loads(citizen_client.get("/me/export.json").content)
    assert [c["service"] for c in data["counter_checks"]] == ["การขอใบอนุญาตทดสอบ"]
    assert "การขอใบอนุญาตทดสอบ" in citizen_client.get("/me/readings/").content.decode()


def test_readings_come_a_hundred_at_a_time_with_a_link_to_older_ones(citizen_client, monkeypatch):
    from django.utils import timezone

    from exchange import selectors

    asked = []

    def readings(*, pseudonym, limit, before=None):
        asked.append(before)
        top = before if before is not None else 250
        return [
            {"index": i, "when": timezone.now(), "consumer_name": "ก", "provider_name": "ข",
             "document_type_name": "ค", "purpose": "p", "outcome_label": "ส่งแล้ว",
             "request_id": "r", "consumer": "c", "document_type": "d"}
            for i in range(top - 1, max(top - 1 - limit, -1), -1)
        ]  # fmt: skip

    monkeypatch.setattr(selectors, "subject_readings", readings)
    page = citizen_client.get("/me/readings/").content.decode()
    assert page.count('class="reading"') == 100 and "?before=150" in page
    page = citizen_client.get("/me/readings/?before=150").content.decode()
    assert asked == [None, 150] and 'data-verify-index="149"' in page
    assert citizen_client.get("/me/readings/?before=x%00").status_code == 200
