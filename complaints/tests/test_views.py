import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints import selectors
from complaints.models import Category, Complaint, Route
from complaints.tests.factories import BANGKOK, category, submit
from service_points.tests.factories import PublishedPointFactory

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {
        "category": category("road").pk,
        "description": "ท่อระบายน้ำอุดตัน น้ำท่วมขัง",
        "latitude": str(BANGKOK[0]),
        "longitude": str(BANGKOK[1]),
        "reporter_email": "citizen@example.com",
    }
    data.update(changes)
    return data


@pytest.fixture
def routed(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)


def test_the_whole_journey_without_javascript(client, routed, officer_a):
    response = client.post("/complaints/new/", form())
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/follow/{complaint.follow_token}/"
    page = client.get(response["Location"])
    assert complaint.reference in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    # The agency works on it.
    staff = client.__class__()
    staff.force_login(officer_a)
    assert complaint.reference in staff.get("/my-agency/complaints/").content.decode()
    for state in ("confirmed", "in_progress", "fixed"):
        moved = staff.post(
            f"/complaints/{complaint.reference}/manage/state/", {"state": state, "note": "ซ่อม"}
        )
        assert moved.status_code == 302, (
            moved.status_code,
            moved.context and moved.context.get("transition_form").errors,
        )
    refused = staff.post(f"/complaints/{complaint.reference}/manage/state/", {"state": "received"})
    assert refused.status_code == 400
    complaint.refresh_from_db()
    assert complaint.state == "fixed"
    assert len(mail.outbox) == 4  # received + three moves
    # The citizen confirms.
    client.post(f"/complaints/follow/{complaint.follow_token}/confirm/")
    complaint.refresh_from_db()
    assert complaint.reporter_confirmed_at is not None
    # Four weeks later the question comes, by the nightly upkeep.
    Complaint.objects.filter(pk=complaint.pk).update(
        fixed_at=timezone.now() - datetime.timedelta(days=29)
    )
    call_command("complaints_send_questionnaires")
    assert "ยังเรียบร้อยดีอยู่หรือไม่" in mail.outbox[-1].subject or complaint.reference in (
        mail.outbox[-1].subject
    )
    answer = client.post(
        f"/complaints/follow/{complaint.follow_token}/answer/", {"still_fixed": "yes"}
    )
    assert answer.status_code == 302
    complaint.refresh_from_db()
    assert complaint.questionnaire_still_fixed is True
    public = client.get(f"/complaints/{complaint.reference}/").content.decode()
    assert "citizen@example.com" not in public


@pytest.mark.parametrize(
    "changes",
    [
        {"description": "x" * 2001},
        {"description": "bad\x07bell"},
        {"latitude": "51.5", "longitude": "-0.12"},
        {"latitude": "", "longitude": ""},
        {"reporter_email": "not-an-email"},
        {"category": "999"},
    ],
)
def test_bad_input_gets_a_thai_error_and_stores_nothing(client, changes):
    response = client.post("/complaints/new/", form(**changes))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Complaint.objects.exists()


def test_nearby_open_complaints_are_offered_before_filing(client, routed):
    existing = submit()
    response = client.post("/complaints/new/", form())
    assert response.status_code == 200
    body = response.content.decode()
    assert existing.reference in body
    assert Complaint.objects.count() == 1
    client.post(f"/complaints/{existing.reference}/support/")
    existing.refresh_from_db()
    assert existing.supporters == 1
    filed = client.post("/complaints/new/", form(file_anyway="1"))
    assert filed.status_code == 302
    assert Complaint.objects.count() == 2


def test_from_a_service_point_the_place_is_the_point(client, agency_a):
    point = PublishedPointFactory(agency=agency_a)
    page = client.get(f"/complaints/new/?point={point.pk}")
    assert point.name_th in page.content.decode()
    data = form(category=category("service").pk)
    del data["latitude"], data["longitude"]
    client.post(f"/complaints/new/?point={point.pk}", {**data, "point": point.pk})
    complaint = Complaint.objects.get()
    assert complaint.point == point and complaint.agency == agency_a


def test_the_points_page_and_a_low_rating_offer_a_complaint(client, agency_a):
    point = PublishedPointFactory(agency=agency_a)
    assert (
        f"/complaints/new/?point={point.pk}"
        in client.get(point.get_absolute_url()).content.decode()
    )
    low = client.get(f"/f/{point.pk}/thanks/?low=1").content.decode()
    assert f"/complaints/new/?point={point.pk}&amp;from=feedback" in low


def test_another_agency_and_overseers_cannot_act(client, routed, officer_b, overseer):
    complaint = submit()
    for user in (officer_b, overseer):
        client.force_login(user)
        response = client.post(
            f"/complaints/{complaint.reference}/manage/state/", {"state": "confirmed"}
        )
        assert response.status_code == 404
        response = client.post(f"/complaints/{complaint.reference}/manage/note/", {"note": "x"})
        assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.state == "received"
    assert not complaint.events.filter(kind="note").exists()


def test_contact_details_only_for_the_responsible_agency(client, routed, officer_a, overseer):
    complaint = submit(reporter_name="สมชาย")
    client.force_login(overseer)
    assert (
        "citizen@example.com"
        not in client.get(f"/complaints/{complaint.reference}/manage/").content.decode()
    )
    client.force_login(officer_a)
    assert (
        "citizen@example.com"
        in client.get(f"/complaints/{complaint.reference}/manage/").content.decode()
    )


def test_the_public_list_filters_and_the_map_data(client, routed, agency_a):
    submit()
    submit(category=category("waste"))
    assert client.get("/complaints/?category=waste").context["page"].count == 1
    assert client.get("/complaints/?province=50").context["page"].count == 0
    r = client.get("/complaints/?agency=agency-a")
    assert r.context["page"].count == 1
    data = client.get("/complaints/map.geojson?state=open").json()
    assert len(data["features"]) == 2
    assert set(data["features"][0]["properties"]) == {"reference", "state", "category", "url"}


def test_the_agencys_public_page_shows_its_figures(client, routed):
    submit()
    body = client.get("/complaints/agencies/agency-a/").content.decode()
    assert "กรมเอ" in body


def test_moderation_by_ega_hides_the_public_text(client, routed, ega_admin):
    complaint = submit(description="ข้อความหยาบคาย")
    client.force_login(ega_admin)
    client.post(
        f"/complaints/{complaint.reference}/manage/moderate/",
        {"hide_text": "on", "reason": "หยาบคาย"},
    )
    assert "ข้อความหยาบคาย" not in client.get(f"/complaints/{complaint.reference}/").content.decode()


def test_a_flood_gets_429(client, settings):
    settings.COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR = 2
    client.post("/complaints/new/", form())
    client.post("/complaints/new/", form(file_anyway="1"))
    response = client.post("/complaints/new/", form(file_anyway="1"))
    assert response.status_code == 429


def test_progress_reports_and_the_agency_page_show_the_figures(client, routed, overseer):
    submit()
    assert "เรื่องร้องเรียนจากประชาชน" in client.get("/agencies/agency-a/").content.decode()
    client.force_login(overseer)
    page = client.get("/progress/agencies/agency-a/")
    assert page.status_code == 200
    assert page.context["complaints"].received == 1
    assert "เรื่องร้องเรียนจากประชาชน" in page.content.decode()
    national = client.get("/progress/")
    assert national.context["complaints"].received == 1


def test_a_database_outage_keeps_what_the_citizen_wrote(client, monkeypatch):
    from django.db import OperationalError

    from complaints import services

    def down(**kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(services, "complaint_submit", down)
    response = client.post("/complaints/new/", form(description="น้ำท่วมซอย 5"))
    assert response.status_code == 503
    body = response.content.decode()
    assert "น้ำท่วมซอย 5" in body and "error-summary" in body


def test_the_category_list_is_the_offered_categories_in_the_readers_language(client):
    road = category("road")
    withdrawn = Category.objects.exclude(pk=road.pk).first()
    withdrawn.is_active = False
    withdrawn.save()  # saving forgets the process's copy (complaints.apps)
    thai = client.get("/complaints/new/").content.decode()
    assert f'<option value="{road.pk}">{road.name_th}</option>' in thai
    assert f'value="{withdrawn.pk}"' not in thai
    client.cookies["django_language"] = "en"
    english = client.get("/complaints/new/").content.decode()
    assert f'<option value="{road.pk}">{road.name_en}</option>' in english


def test_the_nearby_offer_keeps_the_chosen_category_and_reads_the_categories_once(client, routed):
    submit()
    selectors.categories_offered()  # the process's copy, as a running server has it
    data = form()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/complaints/new/", data)
    assert response.status_code == 200
    road = category("road")
    assert f'<option value="{road.pk}" selected>' in response.content.decode()
    read = [q["sql"] for q in queries.captured_queries if "complaints_category" in q["sql"]]
    assert read == []
