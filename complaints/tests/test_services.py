import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from complaints import selectors, services
from complaints.models import Category, Complaint, ComplaintEvent, Route
from complaints.tests.factories import BANGKOK, category, submit
from manual.tests.factories import make_published
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory

pytestmark = pytest.mark.django_db
S = Complaint.State


def jpeg(gps=None) -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        lat, lon = gps
        exif[0x8825] = {1: "N", 2: (lat, 0.0, 0.0), 3: "E", 4: (lon, 0.0, 0.0)}
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


# --- filing -----------------------------------------------------------------------------------
def test_a_complaint_gets_a_buddhist_era_reference_in_sequence():
    first, second = submit(), submit()
    year_be = timezone.localdate().year + 543
    assert first.reference == f"CR-{year_be}-000001"
    assert second.reference == f"CR-{year_be}-000002"
    assert first.follow_token != second.follow_token and len(first.follow_token) >= 32


def test_personal_data_is_masked_in_the_public_text_and_kept_in_the_original():
    complaint = submit(description="ติดต่อ 081-234-5678 หรือ a@b.co เลขบัตร 1234567890123")
    assert "081-234-5678" in complaint.description
    assert "081" not in complaint.public_text()
    assert "a@b.co" not in complaint.public_text()
    assert "1234567890123" not in complaint.public_text()


def test_the_name_is_withheld_by_default():
    withheld = submit(reporter_name="สมชาย")
    shown = submit(reporter_name="สมหญิง", name_public=True)
    assert withheld.public_name() == ""
    assert shown.public_name() == "สมหญิง"


def test_the_reporter_gets_the_reference_and_private_link_by_email():
    complaint = submit(base_url="https://citizen.example/")
    assert len(mail.outbox) == 1
    assert complaint.reference in mail.outbox[0].subject
    assert f"https://citizen.example/complaints/follow/{complaint.follow_token}/" in (
        mail.outbox[0].body
    )


def test_without_a_contact_nobody_is_mailed():
    submit(reporter_email="")
    assert mail.outbox == []


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"description": "x" * 2001}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "ok\x00bad"}, "description"),
        ({"latitude": 35.68, "longitude": 139.76}, "location"),  # Tokyo
        ({"latitude": None, "longitude": None}, "location"),
        ({"photos": [SimpleUploadedFile("x.jpg", b"not a photo")]}, "photos"),
        ({"photos": [jpeg() for _ in range(5)]}, "photos"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(changes, field):
    with pytest.raises(ValidationError) as refused:
        submit(**changes)
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_2000_characters_with_crlf_line_breaks_fit():
    complaint = submit(description=("a" * 999 + "\r\n") * 2)
    assert len(complaint.description) == 1999


def test_photos_are_re_encoded_and_their_gps_offered_as_the_place():
    complaint = submit(latitude=None, longitude=None, photos=[jpeg(gps=(14.0, 100.0))])
    assert (complaint.latitude, complaint.longitude) == (14.0, 100.0)
    photo = complaint.photos.get()
    stored = Image.open(photo.image.open("rb"))
    assert stored.format == "JPEG"
    assert not stored.getexif().get_ifd(0x8825)


# --- routing --------------------------------------------------------------------------------
def test_a_complaint_about_a_point_goes_to_the_points_agency(agency_a):
    point = PublishedPointFactory(agency=agency_a)
    complaint = submit(point=point, latitude=None, longitude=None, category=category("service"))
    assert complaint.agency == agency_a
    assert complaint.routing == Complaint.Routing.POINT
    assert complaint.latitude == pytest.approx(point.latitude, abs=1e-6)
    assert complaint.longitude == pytest.approx(point.longitude, abs=1e-6)
    assert complaint.province_code == point.province_code


def test_a_draft_point_is_refused(agency_a):
    with pytest.raises(ValidationError):
        submit(point=ServicePointFactory(agency=agency_a), category=category("service"))


def test_a_complaint_about_a_service_goes_to_the_services_agency(agency_b):
    service = make_published(agency=agency_b)
    complaint = submit(service=service, category=category("service"))
    assert complaint.agency == agency_b
    assert complaint.routing == Complaint.Routing.SERVICE


def test_a_map_pin_follows_the_routing_table_then_the_default_then_the_fallback(agency_a, agency_b):
    road = category("road")
    unrouted = submit(category=road)
    assert unrouted.agency is None and unrouted.routing == Complaint.Routing.FALLBACK
    Category.objects.filter(pk=road.pk).update(default_agency=agency_b)
    road.refresh_from_db()
    assert submit(category=road).agency == agency_b
    Route.objects.create(category=road, province_code="10", agency=agency_a)
    routed = submit(category=road)
    assert routed.province_code == "10"  # Bangkok
    assert routed.agency == agency_a and routed.routing == Complaint.Routing.ROUTE


def test_chiang_mai_is_found_as_the_province_of_a_pin():
    assert services.province_at(18.7883, 98.9853) == "50"


# --- deadlines ------------------------------------------------------------------------------
def test_the_deadline_is_the_categorys_working_days_after_filing():
    road = category("road")
    road.deadline_working_days = 1
    road.save()
    friday = timezone.make_aware(datetime.datetime(2026, 11, 27, 10, 0))
    complaint = submit(category=road, now=friday)
    assert complaint.deadline == datetime.date(2026, 11, 30)
    assert complaint.is_overdue(today=datetime.date(2026, 12, 1))
    assert not complaint.is_overdue(today=datetime.date(2026, 11, 30))


# --- the agency's work ----------------------------------------------------------------------
@pytest.fixture
def routed(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    return submit()


def test_the_agency_moves_a_complaint_to_fixed_and_the_reporter_is_told(routed, officer_a):
    mail.outbox.clear()
    services.complaint_transition(complaint=routed, state=S.CONFIRMED, by=officer_a)
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a, note="ซ่อมแล้ว")
    routed.refresh_from_db()
    assert routed.state == S.FIXED and routed.fixed_at is not None
    assert len(mail.outbox) == 2
    assert "ซ่อมแล้ว" in mail.outbox[1].body
    assert AuditEvent.objects.filter(action="complaints.complaint.state_changed").count() == 2
    public = list(selectors.timeline(complaint=routed))
    assert [e.state_to for e in public if e.kind == "state"] == ["confirmed", "fixed"]


def test_an_invalid_move_is_refused_with_a_clear_message(routed, officer_a):
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a)
    with pytest.raises(ValidationError):
        services.complaint_transition(complaint=routed, state=S.IN_PROGRESS, by=officer_a)
    routed.refresh_from_db()
    assert routed.state == S.FIXED


def test_closing_needs_a_public_note_and_a_duplicate_its_original(routed, officer_a):
    with pytest.raises(ValidationError):
        services.complaint_transition(complaint=routed, state=S.NO_FURTHER_ACTION, by=officer_a)
    with pytest.raises(ValidationError):
        services.complaint_transition(complaint=routed, state=S.DUPLICATE, by=officer_a, note="ซ้ำ")
    original = submit()
    services.complaint_transition(
        complaint=routed, state=S.DUPLICATE, by=officer_a, note="ซ้ำ", duplicate_of=original
    )
    routed.refresh_from_db()
    assert routed.duplicate_of == original


def test_another_agency_cannot_touch_the_complaint(routed, officer_b):
    with pytest.raises(PermissionDenied):
        services.complaint_transition(complaint=routed, state=S.CONFIRMED, by=officer_b)
    with pytest.raises(PermissionDenied):
        services.complaint_note_add(complaint=routed, by=officer_b, note="x")


def test_hand_over_keeps_both_agencies_in_the_history(routed, officer_a, officer_b, agency_b):
    with pytest.raises(ValidationError):
        services.complaint_hand_over(complaint=routed, to_agency=agency_b, by=officer_a, reason="")
    services.complaint_hand_over(
        complaint=routed, to_agency=agency_b, by=officer_a, reason="ถนนของกรมบี"
    )
    routed.refresh_from_db()
    assert routed.agency == agency_b and routed.routing == Complaint.Routing.HANDED_OVER
    event = routed.events.get(kind=ComplaintEvent.Kind.HANDED_OVER)
    assert (event.from_agency.code, event.to_agency.code) == ("agency-a", "agency-b")
    with pytest.raises(PermissionDenied):
        services.complaint_note_add(complaint=routed, by=officer_a, note="ยังเป็นของเรา")
    services.complaint_transition(complaint=routed, state=S.CONFIRMED, by=officer_b)


def test_ega_assigns_the_fallback_queue(ega_admin, officer_a, agency_a):
    complaint = submit()
    assert complaint.agency is None
    with pytest.raises(PermissionDenied):
        services.complaint_hand_over(
            complaint=complaint, to_agency=agency_a, by=officer_a, reason="x"
        )
    services.complaint_hand_over(
        complaint=complaint, to_agency=agency_a, by=ega_admin, reason="ของกรมเอ"
    )
    complaint.refresh_from_db()
    assert complaint.agency == agency_a and complaint.routing == Complaint.Routing.TRIAGED


def test_internal_notes_never_reach_the_public_timeline(routed, officer_a):
    services.complaint_note_add(complaint=routed, by=officer_a, note="ผู้ร้องเคยร้องเรื่องนี้")
    assert not selectors.timeline(complaint=routed).filter(kind="note").exists()
    assert selectors.timeline(complaint=routed, internal=True).filter(kind="note").exists()


def test_moderation_hides_the_text_in_public_and_keeps_the_original(routed, ega_admin, officer_a):
    with pytest.raises(PermissionDenied):
        services.complaint_moderate(complaint=routed, by=officer_a, hide_text=True, reason="x")
    services.complaint_moderate(complaint=routed, by=ega_admin, hide_text=True, reason="หยาบคาย")
    routed.refresh_from_db()
    assert routed.public_text() == ""
    assert routed.description.startswith("ป้ายจราจรล้ม")
    assert AuditEvent.objects.filter(action="complaints.complaint.moderated").exists()


def test_templates_belong_to_their_agency(agency_a, officer_a, officer_b):
    template = services.template_save(agency=agency_a, by=officer_a, title="รับเรื่อง", text="ได้รับแล้ว")
    assert list(selectors.templates_for(agency=agency_a)) == [template]
    with pytest.raises(PermissionDenied):
        services.template_save(agency=agency_a, by=officer_b, title="x", text="y")


# --- the reporter ---------------------------------------------------------------------------
def test_the_reporter_confirms_or_reopens_and_the_counter_goes_up(routed, officer_a):
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a)
    services.complaint_confirm_fixed(complaint=routed)
    with pytest.raises(ValidationError):
        services.complaint_confirm_fixed(complaint=routed)
    services.complaint_reopen(complaint=routed, reason="ยังล้มอยู่ โทร 0812345678")
    routed.refresh_from_db()
    assert routed.state == S.CONFIRMED and routed.reopen_count == 1
    assert routed.reporter_confirmed_at is None
    reopened = routed.events.get(kind="reopened")
    assert "0812345678" not in reopened.note
    with pytest.raises(ValidationError):
        services.complaint_reopen(complaint=routed, reason="again")


def test_the_four_week_question_is_asked_once_and_answered_in_public(routed, officer_a):
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a)
    mail.outbox.clear()
    assert services.questionnaire_send_due() == 0
    later = timezone.now() + datetime.timedelta(days=29)
    assert services.questionnaire_send_due(now=later) == 1
    assert services.questionnaire_send_due(now=later) == 0
    assert len(mail.outbox) == 1 and routed.follow_token in mail.outbox[0].body
    routed.refresh_from_db()
    services.questionnaire_answer(complaint=routed, still_fixed=False)
    routed.refresh_from_db()
    assert routed.questionnaire_still_fixed is False
    assert routed.state == S.CONFIRMED and routed.reopen_count == 1
    with pytest.raises(ValidationError):
        services.questionnaire_answer(complaint=routed, still_fixed=True)


def test_me_too_counts_once_per_device_and_nearby_finds_the_open_ones(routed, officer_a):
    assert services.complaint_support(complaint=routed, device_token="d1")
    assert not services.complaint_support(complaint=routed, device_token="d1")
    assert services.complaint_support(complaint=routed, device_token="d2")
    routed.refresh_from_db()
    assert routed.supporters == 2
    near = selectors.nearby_open(
        category=category("road"), latitude=BANGKOK[0] + 0.0005, longitude=BANGKOK[1]
    )
    assert near == [routed]  # ~55 m away
    far = selectors.nearby_open(
        category=category("road"), latitude=BANGKOK[0] + 0.002, longitude=BANGKOK[1]
    )
    assert far == []  # ~220 m away
    other_category = selectors.nearby_open(
        category=category("waste"), latitude=BANGKOK[0], longitude=BANGKOK[1]
    )
    assert other_category == []
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a)
    assert (
        selectors.nearby_open(category=category("road"), latitude=BANGKOK[0], longitude=BANGKOK[1])
        == []
    )
    with pytest.raises(ValidationError):
        services.complaint_support(complaint=routed, device_token="d3")


# --- abuse ---------------------------------------------------------------------------------
def test_a_flood_is_held_then_refused_and_moves_no_public_figure(agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    first = [submit(device_token="one", ip="203.0.113.9") for _ in range(3)]
    assert not any(c.held for c in first)
    held = submit(device_token="one", ip="203.0.113.9")
    assert held.held
    for n in range(4):
        submit(device_token=f"other-{n}", ip="203.0.113.9")
    with pytest.raises(services.TooManyComplaintsError):
        submit(device_token="new", ip="203.0.113.9")
    assert Complaint.objects.count() == 8  # 3 counted from one device, 1 more from the network
    assert selectors.figures(agency=agency_a).received == 4
    assert not selectors.public_complaints().filter(held=True).exists()
    assert submit(device_token="x", ip="198.51.100.1").held is False


def test_figures(routed, officer_a):
    other = submit(category=category("waste"))
    services.complaint_transition(complaint=routed, state=S.FIXED, by=officer_a)
    services.complaint_confirm_fixed(complaint=routed)
    figures = selectors.figures(agency=routed.agency)
    assert (figures.received, figures.fixed, figures.open) == (1, 1, 0)
    assert figures.confirmation_rate == 100.0
    assert figures.reopen_rate == 0.0
    assert figures.median_days_to_fix is not None
    assert selectors.figures().received == 2
    assert other.agency is None


def test_the_nightly_upkeep_forgets_old_hashes():
    from django.core.management import call_command

    old = submit(device_token="d", ip="203.0.113.1")
    Complaint.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    fresh = submit(device_token="d", ip="203.0.113.1")
    call_command("complaints_forget_hashes")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.device_hash, old.network_hash) == ("", "")
    assert fresh.device_hash and fresh.network_hash
