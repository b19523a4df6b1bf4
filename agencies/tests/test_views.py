from django.core import mail

from agencies.models import Agency, AgencyRequest
from audit.models import AuditEvent

REPORT = {
    "name_th": "สำนักงานทดลองใหม่",
    "name_en": "New Trial Office",
    "parent": "",
    "requester_name": "สมชาย ใจดี",
    "requester_email": "somchai@trial.go.th",
    "requester_phone": "02 123 4567",
    "note": "",
}


def test_anyone_can_report_a_missing_agency(client, db):
    response = client.post("/agencies/missing/", REPORT)
    assert response.status_code == 200
    assert "ขอบคุณ" in response.content.decode()
    report = AgencyRequest.objects.get()
    assert report.status == AgencyRequest.Status.PENDING
    assert AuditEvent.objects.filter(action="agency_request.submitted").exists()


def test_missing_agency_report_bad_input_changes_nothing(client, db):
    response = client.post("/agencies/missing/", {**REPORT, "name_th": "", "requester_phone": "1"})
    html = response.content.decode()
    assert 'href="#id_name_th"' in html and 'href="#id_requester_phone"' in html
    assert AgencyRequest.objects.count() == 0


def test_ega_admin_turns_a_report_into_a_directory_entry(client, ega_admin, agency_a):
    client.post("/agencies/missing/", REPORT)
    report = AgencyRequest.objects.get()
    client.force_login(ega_admin)
    response = client.post(
        f"/agencies/missing/review/{report.pk}/",
        {
            "decision": "approve",
            "approve-code": "trial-office",
            "approve-kind": "unit",
            "approve-parent": agency_a.pk,
            "approve-name_th": "สำนักงานทดลองใหม่",
            "approve-name_en": "New Trial Office",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(code="trial-office")
    assert agency.parent == agency_a and agency.ministry == agency_a.parent
    report.refresh_from_db()
    assert report.status == AgencyRequest.Status.APPROVED and report.created_agency == agency
    [message] = mail.outbox
    assert message.to == ["somchai@trial.go.th"]
    assert "/accounts/register/trial-office/" in message.body
    assert "trial-office@info.go.th" in message.body
    assert client.get("/agencies/", {"q": "ทดลองใหม่"}).content.decode().count("trial-office") >= 1


def test_approving_with_a_taken_code_changes_nothing(client, ega_admin, agency_a):
    client.post("/agencies/missing/", REPORT)
    report = AgencyRequest.objects.get()
    client.force_login(ega_admin)
    response = client.post(
        f"/agencies/missing/review/{report.pk}/",
        {
            "decision": "approve",
            "approve-code": "agency-a",
            "approve-kind": "independent",
            "approve-name_th": "ซ้ำ",
        },
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    report.refresh_from_db()
    assert report.status == AgencyRequest.Status.PENDING
    assert Agency.objects.filter(name_th="ซ้ำ").count() == 0


def test_rejecting_needs_a_reason(client, ega_admin):
    client.post("/agencies/missing/", REPORT)
    report = AgencyRequest.objects.get()
    client.force_login(ega_admin)
    url = f"/agencies/missing/review/{report.pk}/"
    assert client.post(url, {"decision": "reject", "reject-review_note": ""}).status_code == 200
    report.refresh_from_db()
    assert report.status == AgencyRequest.Status.PENDING
    client.post(url, {"decision": "reject", "reject-review_note": "มีอยู่แล้วในชื่ออื่น"})
    report.refresh_from_db()
    assert report.status == AgencyRequest.Status.REJECTED
    assert "มีอยู่แล้วในชื่ออื่น" in mail.outbox[-1].body
    # A reviewed report is gone from the queue.
    assert client.get(url).status_code == 404


def test_public_agency_page_shows_no_personal_data(client, officer_a, agency_a):
    html = client.get(f"/agencies/{agency_a.code}/").content.decode()
    assert agency_a.name_th in html and "agency-a@info.go.th" in html
    assert officer_a.email not in html


def test_agency_home_shows_checklist_with_registered_step(client, officer_a):
    from accounts.tests.factories import RegistrationFactory

    RegistrationFactory(user=officer_a)
    client.force_login(officer_a)
    response = client.get("/my-agency/")
    checklist = response.context["checklist"]
    assert checklist[0].key == "registered" and checklist[0].done
    assert [step.key for step in checklist][:4] == [
        "registered",
        "pinned",
        "surveyed",
        "processes",
    ]


def test_agency_home_survey_step_says_closed_and_whom_to_ask(client, officer_a):
    """No round open: no "Start" link to a closed survey; the EGA contact instead."""
    client.force_login(officer_a)
    html = client.get("/my-agency/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/my-agency/readiness/"' not in html
    assert "The survey is not open now." in html or "ขณะนี้แบบสำรวจยังไม่เปิด" in html
    assert "contact@ega.or.th" in html
