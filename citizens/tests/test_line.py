"""LINE in the citizen's space (ADR 0122): the /me/ section, the link page, LINE complaints
among "my complaints" (never another citizen's), the export, unlinking by choice, erasure
and archiving. The chat side of the link: line_channel/tests/test_account_link.py."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens import selectors, services
from citizens.models import CitizenContact
from complaints.models import Complaint
from complaints.tests.factories import category, submit
from line_channel import services as line_services
from line_channel.identity import user_hash
from line_channel.models import Chat, ComplaintLink, LinkNonce

pytestmark = pytest.mark.django_db
USER = "U4af4980629a1b2c3d4e5f60718293a4b"
USER_B = "U0000000000000000000000000000000b"
TOKEN = "NMZTNuVrPTqlr2IF8Bnymkb7rXfYv5EY"


@pytest.fixture
def line_on(settings):
    settings.LINE_CHANNEL_SECRET = "test-channel-secret"
    settings.LINE_CHANNEL_ACCESS_TOKEN = "test-access-token"


def link(citizen, user_id: str = USER) -> None:
    nonce = line_services.line_link_begin(citizen=citizen)
    assert line_services.line_link_complete(user_id=user_id, nonce=nonce, ok=True) == citizen


def line_complaint(user_id: str = USER, **kwargs) -> Complaint:
    complaint = submit(category=category("road"), reporter_email="", **kwargs)
    Complaint.objects.filter(pk=complaint.pk).update(source=Complaint.Source.LINE)
    line_services.complaint_link(complaint=complaint, user_id=user_id, language="th")
    return complaint


def test_me_says_the_line_channel_is_off_without_its_settings(citizen_client, no_readings):
    page = citizen_client.get("/me/").content.decode()
    assert "ช่องทาง LINE ปิดอยู่" in page
    assert "line.me/R/oaMessage" not in page and 'id="line-unlink"' not in page
    link_page = citizen_client.get(f"/me/line/link/?linkToken={TOKEN}").content.decode()
    assert "ช่องทาง LINE ปิดอยู่" in link_page and 'id="line-link-agree"' not in link_page
    assert citizen_client.post("/me/line/link/", {"linkToken": TOKEN}).status_code == 400
    assert not LinkNonce.objects.exists()


def test_me_says_how_to_link_when_the_channel_is_on(citizen_client, no_readings, line_on, settings):
    page = citizen_client.get("/me/").content.decode()
    assert "ยังไม่ได้เชื่อม" in page and "line.me/R/oaMessage" not in page
    settings.LINE_BOT_BASIC_ID = "@citizeninfo"
    page = citizen_client.get("/me/").content.decode()
    assert f"https://line.me/R/oaMessage/%40citizeninfo/?{quote('เชื่อมบัญชี')}" in page


def test_signed_out_the_link_page_sends_to_thaid_and_keeps_the_token(client, db, settings):
    settings.THAID_DEMO_PROVIDER = True
    response = client.get(f"/me/line/link/?linkToken={TOKEN}")
    assert response.status_code == 302
    back = f"/me/line/link/?linkToken={TOKEN}"
    assert response["Location"] == "/me/?next=" + quote(back, safe="")
    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{back}"' in page


@pytest.mark.parametrize(
    "bad", ["", "short", "x" * 200, "a b c d e f g h", "<script>alert</script>"]
)
def test_a_bad_link_token_is_refused_and_nothing_is_stored(citizen_client, line_on, bad):
    response = citizen_client.post("/me/line/link/", {"linkToken": bad})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not LinkNonce.objects.exists()


def test_the_link_page_explains_and_agreeing_goes_to_line(citizen_client, citizen, line_on):
    shown = citizen_client.get(f"/me/line/link/?linkToken={TOKEN}")
    # The form's redirect goes to LINE: the page's CSP allows that one origin.
    csp = shown["Content-Security-Policy"]
    assert "form-action 'self' https://access.line.me" in csp
    page = shown.content.decode()
    assert page.count("<h1") == 1 and "รหัสแบบมีกุญแจ" in page and 'id="line-link-agree"' in page
    response = citizen_client.post("/me/line/link/", {"linkToken": TOKEN})
    assert response["Location"].startswith(
        f"https://access.line.me/dialog/bot/accountLink?linkToken={TOKEN}&nonce="
    )
    assert LinkNonce.objects.get().citizen == citizen


def test_my_complaints_include_line_ones_once_and_never_another_citizens(
    citizen, citizen_b, line_on
):
    CitizenContact.objects.create(
        citizen=citizen, kind="email", value="me@example.com", confirmed_at=timezone.now()
    )
    by_email = submit(reporter_email="me@example.com")
    both = line_complaint()
    Complaint.objects.filter(pk=both.pk).update(reporter_email="me@example.com")
    only_line = line_complaint()
    of_b = line_complaint(USER_B)
    link(citizen)
    link(citizen_b, USER_B)
    mine = list(selectors.complaints_of(citizen=citizen))
    assert sorted(c.pk for c in mine) == sorted([by_email.pk, both.pk, only_line.pk])
    assert [c.pk for c in selectors.complaints_of(citizen=citizen_b)] == [of_b.pk]


def test_me_lists_line_complaints_with_their_state_and_follow_link(
    citizen_client, citizen, citizen_b, line_on, no_readings
):
    complaint = line_complaint()
    other = line_complaint(USER_B)
    link(citizen)
    page = citizen_client.get("/me/").content.decode()
    follow = reverse("complaints:follow", args=[complaint.follow_token])
    assert complaint.reference in page and f'href="{follow}"' in page
    assert "แจ้งทาง LINE" in page and 'id="line-unlink"' in page
    assert other.reference not in page and other.follow_token not in page
    records = citizen_client.get("/me/records/").content.decode()
    assert complaint.reference in records and other.reference not in records


def test_the_export_holds_the_link_and_the_line_complaints(citizen, line_on, no_readings):
    complaint = line_complaint()
    assert selectors.export_data(citizen=citizen)["line"] == []
    link(citizen)
    data = selectors.export_data(citizen=citizen)
    assert len(data["line"]) == 1 and data["line"][0]["linked"]
    assert [row["reference"] for row in data["complaints"]] == [complaint.reference]
    assert data["complaints"][0]["filed_on"] == "line"
    assert USER not in str(data)


def test_the_pdf_export_names_the_link(citizen_client, citizen, line_on, no_readings):
    link(citizen)
    response = citizen_client.get("/me/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_unlinking_takes_the_line_complaints_out_of_the_space(
    citizen_client, citizen, line_on, no_readings
):
    complaint = line_complaint()
    link(citizen)
    assert citizen_client.get("/me/line/unlink/").status_code == 405
    response = citizen_client.post("/me/line/unlink/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert Chat.objects.get().citizen is None
    assert complaint.reference not in citizen_client.get("/me/").content.decode()
    assert not selectors.complaints_of(citizen=citizen).exists()


def test_unlinking_needs_the_citizen_signed_in(client, citizen, line_on):
    link(citizen)
    assert client.post("/me/line/unlink/").status_code == 302
    assert Chat.objects.get().citizen == citizen


def test_erasure_unlinks_line(citizen, line_on):
    line_complaint()
    link(citizen)
    other = line_complaint(user_id="U" + "f" * 32)
    counts = services.citizen_erase_contacts(citizen=citizen)
    assert counts["complaints"] == 1 and counts["line_pushes"] == 1
    assert Chat.objects.get(citizen=None, user_hash=user_hash(USER)).linked_at is None
    # Nothing can be pushed to the citizen's LINE any more; another LINE user's link stays.
    assert ComplaintLink.objects.get(user_hash=user_hash(USER)).user_id_sealed == ""
    assert ComplaintLink.objects.get(complaint=other).user_id_sealed != ""


def test_archiving_an_unused_account_unlinks_line(citizen, line_on, no_readings):
    link(citizen)
    type(citizen).objects.filter(pk=citizen.pk).update(
        last_sign_in_at=timezone.now() - timedelta(days=5000)
    )
    assert services.retention_enforce()["citizens"] == 1
    assert Chat.objects.get().citizen is None


def test_the_privacy_notice_covers_line_and_the_link(client, db):
    page = client.get("/privacy/").content.decode()
    assert 'id="privacy-line"' in page and "เชื่อมบัญชี" in page
    assert page.count("<h1") == 1
