import csv
import io
import re

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from feedback.models import Reply, Response
from feedback.tests.factories import form_post, submit


def give_url(point) -> str:
    return reverse("feedback:give", args=[point.pk])


# --- the citizen's page -----------------------------------------------------------------
def test_the_qr_address_is_short_and_stable(point_a):
    assert give_url(point_a) == f"/f/{point_a.pk}/"


def test_the_page_asks_every_question_in_thai_without_javascript(client, point_a):
    from manual.tests.factories import make_published

    service = make_published(agency=point_a.agency, name_th="การทำบัตรประชาชน")
    page = client.get(give_url(point_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<h1>") == 1
    assert "วันนี้ท่านได้รับบริการเป็นอย่างไร" in html
    assert point_a.name_th in html
    for question in [
        "ท่านมารับบริการใด",
        "กระบวนการและขั้นตอนการให้บริการ",
        "เจ้าหน้าที่ผู้ให้บริการ",
        "สิ่งอำนวยความสะดวก",
        "คุณภาพของผลการให้บริการ",
        "ท่านถูกขอสำเนาบัตรประจำตัวประชาชนหรือสำเนาทะเบียนบ้านหรือไม่",
    ]:
        assert question in html
    assert f'value="{service.pk}"' in html and "การทำบัตรประชาชน" in html
    assert 'value="other"' in html
    assert 'method="post"' in html and 'name="website"' in html
    assert page.cookies["fb_device"].value
    assert page.cookies["fb_device"]["httponly"]


def test_a_services_of_other_agencies_and_drafts_are_not_offered(client, point_a, agency_b):
    from manual.tests.factories import make_published, make_service

    make_published(agency=agency_b, code="other-agency", name_th="บริการของกรมบี")
    make_service(agency=point_a.agency, code="draft", name_th="บริการร่าง")
    html = client.get(give_url(point_a)).content.decode()
    assert "บริการของกรมบี" not in html and "บริการร่าง" not in html


def test_answering_stores_the_answer_and_shows_thanks(client, point_a):
    from manual.tests.factories import make_published

    service = make_published(agency=point_a.agency)
    client.get(give_url(point_a))
    page = client.post(
        give_url(point_a),
        form_post(
            service=service.pk,
            overall=4,
            asked_for_copy="yes",
            comment="รวดเร็วดี โทร 0812345678",
            contact_email="me@example.com",
        ),
        follow=True,
    )
    assert page.redirect_chain[-1][0] == reverse("feedback:thanks", args=[point_a.pk])
    assert "ขอบคุณที่ร่วมแสดงความคิดเห็น" in page.content.decode()
    stored = Response.objects.get()
    assert (stored.service, stored.overall, stored.asked_for_copy) == (service, 4, True)
    assert stored.comment == "รวดเร็วดี โทร xxxxxxxxxx"
    assert stored.contact_email == "me@example.com"
    assert stored.status == Response.Status.ACCEPTED


def test_other_service_is_kept(client, point_a):
    client.post(give_url(point_a), form_post(service="other", service_other="ขอใบอนุญาต"))
    stored = Response.objects.get()
    assert stored.service is None and stored.service_other == "ขอใบอนุญาต"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("overall", "0"),
        ("overall", "6"),
        ("staff", "abc"),
        ("outcome", ""),
        ("asked_for_copy", "maybe"),
        ("service", "999999"),
        ("service", ""),
    ],
)
def test_bad_answers_are_refused_clearly_and_nothing_is_stored(client, point_a, field, value):
    page = client.post(give_url(point_a), form_post(**{field: value}))
    html = page.content.decode()
    assert page.status_code == 400
    assert "error-summary" in html and f'href="#id_{field}' in html
    assert not Response.objects.exists()


def test_a_1001_character_comment_is_refused(client, point_a):
    page = client.post(give_url(point_a), form_post(comment="ก" * 1001))
    assert page.status_code == 400
    assert "กรุณาเขียนไม่เกิน 1000 ตัวอักษร (ท่านเขียน 1001 ตัวอักษร)" in page.content.decode()
    assert not Response.objects.exists()
    assert client.post(give_url(point_a), form_post(comment="ก" * 1000)).status_code == 302


def test_html_in_a_comment_is_shown_as_text(client, point_a, officer_a):
    client.post(give_url(point_a), form_post(comment='<script>alert("x")</script>'))
    assert Response.objects.get().comment == '<script>alert("x")</script>'
    client.force_login(officer_a)
    html = client.get(reverse("feedback:point", args=[point_a.pk])).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_unknown_draft_and_archived_points_take_no_answers(client, point_a, draft_point_a):
    assert client.get("/f/999999/").status_code == 404
    assert client.post("/f/999999/", form_post()).status_code == 404
    assert client.get(give_url(draft_point_a)).status_code == 404
    point_a.status = point_a.Status.ARCHIVED
    point_a.save()
    assert client.post(give_url(point_a), form_post()).status_code == 404
    assert not Response.objects.exists()


def test_the_same_phone_twice_is_held_and_told_so(client, point_a):
    client.get(give_url(point_a))
    first = client.post(give_url(point_a), form_post())
    second = client.post(give_url(point_a), form_post())
    assert first.status_code == 302
    assert second.status_code == 200
    assert "เราเก็บคำตอบของท่านไว้เพื่อตรวจสอบก่อน" in second.content.decode()
    assert sorted(Response.objects.values_list("status", flat=True)) == ["accepted", "flagged"]


def test_the_honeypot_holds_the_answer(client, point_a):
    assert client.post(give_url(point_a), form_post(website="x")).status_code == 302
    assert Response.objects.get().flag_reason == Response.FlagReason.HONEYPOT


def test_a_flooding_network_is_told_to_wait(client, point_a, settings):
    settings.FEEDBACK_NETWORK_LIMIT_PER_HOUR = 1
    settings.FEEDBACK_NETWORK_HARD_LIMIT_PER_HOUR = 2
    statuses = []
    for n in range(2):
        client.cookies["fb_device"] = f"phone-{n}"
        statuses.append(client.post(give_url(point_a), form_post()).status_code)
    assert statuses == [302, 429]  # the second is over the soft limit: held, and told so
    client.cookies["fb_device"] = "phone-x"
    page = client.post(give_url(point_a), form_post())
    assert page.status_code == 429 and page["Retry-After"] == "3600"
    assert "โปรดลองใหม่ภายหลัง" in page.content.decode()
    assert Response.objects.count() == 2


@pytest.mark.parametrize("contact", ["", "somchai@example.com"])  # quick path and full form
def test_an_unreachable_database_gives_the_answers_back_to_send_again(
    client, point_a, monkeypatch, contact
):
    from django.db import OperationalError

    from feedback import services

    def database_gone(**_kwargs):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(services, "response_submit", database_gone)
    page = client.post(
        reverse("feedback:give", args=[point_a.pk]),
        form_post(overall=2, comment="รอนานมาก", contact_email=contact),
    )
    assert page.status_code == 503 and page["Retry-After"] == "5"
    text = page.content.decode()
    assert "ยังไม่ได้บันทึกคำตอบของท่าน" in text
    assert re.search(r'name="overall" value="2"[^>]*checked', text)
    assert "รอนานมาก" in text
    assert not Response.objects.exists()


def test_the_proxy_header_is_used_when_configured(client, point_a, settings):
    from feedback.services import network_hash

    settings.CLIENT_IP_META = "HTTP_X_REAL_IP"
    client.post(give_url(point_a), form_post(), HTTP_X_REAL_IP="203.0.113.5")
    assert Response.objects.get().network_hash == network_hash("203.0.113.5")


# --- the public figures on the point's page ---------------------------------------------
def test_public_figures_appear_only_from_the_minimum(client, point_a, settings):
    from django.template.loader import render_to_string

    settings.FEEDBACK_PUBLIC_MIN_RESPONSES = 3
    submit(point_a, overall=5)
    submit(point_a, overall=5)
    submit(point_a, overall=1, honeypot="bot")
    html = render_to_string("feedback/includes/point_summary.html", {"point": point_a})
    assert "จะแสดงผลเมื่อมีประชาชนตอบครบ 3 คน" in html
    submit(point_a, overall=2)
    html = render_to_string("feedback/includes/point_summary.html", {"point": point_a})
    assert "ประชาชนที่ตอบ 3 คน" in html and "67%" in html
    assert give_url(point_a) in html


def test_the_point_page_shows_the_public_figures(client, point_a, settings):
    settings.FEEDBACK_PUBLIC_MIN_RESPONSES = 1
    submit(point_a, overall=5)
    html = client.get(point_a.get_absolute_url()).content.decode()
    assert 'id="fb-summary-title"' in html
    assert "ประชาชนที่ตอบ 1 คน" in html


# --- reports ----------------------------------------------------------------------------
def test_the_agency_sees_its_figures_comments_and_contacts(
    client, point_a, point_b, officer_a, django_assert_max_num_queries
):
    submit(
        point_a,
        comment="ดีมาก โทร 02-123-4567",
        contact_name="สมชาย",
        contact_email="somchai@example.com",
    )
    submit(point_b, comment="ความเห็นของกรมบี")
    client.force_login(officer_a)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("feedback:agency", args=["agency-a"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "ดีมาก โทร xx-xxx-xxxx" in html and "02-123-4567" not in html
    assert "somchai@example.com" in html
    assert "ความเห็นของกรมบี" not in html
    assert reverse("feedback:export_csv", args=["agency-a"]) in html


def test_overseers_read_comments_but_not_contacts(client, point_a, overseer):
    submit(point_a, comment="ห้องน้ำสกปรก", contact_email="somchai@example.com")
    client.force_login(overseer)
    html = client.get(reverse("feedback:point", args=[point_a.pk])).content.decode()
    assert "ห้องน้ำสกปรก" in html
    assert "somchai@example.com" not in html
    assert "export" not in html and "responses.csv" not in html


def test_contact_details_follow_can_see_contact_not_the_export_permission(
    client, point_a, officer_a, overseer, monkeypatch
):
    from feedback import access

    submit(point_a, comment="รอนาน", contact_email="somchai@example.com")
    url = reverse("feedback:point", args=[point_a.pk])
    # An export permission granted to the overseer does not show them a citizen's contact.
    monkeypatch.setattr(access, "can_export", lambda user, agency: True)
    client.force_login(overseer)
    assert "somchai@example.com" not in client.get(url).content.decode()
    # The agency's own officer, with the contact rule refused, sees none either.
    monkeypatch.setattr(access, "can_see_contact", lambda user, response: False)
    client.force_login(officer_a)
    html = client.get(url).content.decode()
    assert "รอนาน" in html and "somchai@example.com" not in html
    monkeypatch.undo()
    assert "somchai@example.com" in client.get(url).content.decode()


def test_the_national_report_lists_agencies(
    client, point_a, point_b, overseer, django_assert_max_num_queries
):
    submit(point_a)
    submit(point_b)
    client.force_login(overseer)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("feedback:national") + "?period=month").content.decode()
    assert "กรมเอ" in html and "กรมบี" in html and "แนวโน้มรายเดือน" in html
    assert "ความเชื่อมั่น (Trust)" in html


def test_home_sends_each_role_to_its_report(client, officer_a, overseer):
    client.force_login(officer_a)
    assert client.get("/my-agency/feedback/").url == "/feedback/agencies/agency-a/"
    client.force_login(overseer)
    assert client.get("/my-agency/feedback/").url == "/feedback/national/"


# --- exports ----------------------------------------------------------------------------
def test_csv_export_has_only_own_points_and_no_formulas_or_contacts(
    client, point_a, point_b, officer_a
):
    submit(point_a, comment='=HYPERLINK("http://evil")', contact_email="x@example.com")
    submit(point_b, comment="ของกรมบี")
    client.force_login(officer_a)
    page = client.get(reverse("feedback:export_csv", args=["agency-a"]))
    body = b"".join(page.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "id" and len(rows) == 2
    assert rows[1][3] == point_a.name_th
    assert rows[1][12].startswith("'=")
    assert "x@example.com" not in body and "ของกรมบี" not in body
    assert AuditEvent.objects.filter(action="feedback.exported", actor=officer_a).exists()


def test_xlsx_export(client, point_a, admin_a):
    from openpyxl import load_workbook

    submit(point_a, comment="ดี")
    client.force_login(admin_a)
    page = client.get(reverse("feedback:export_xlsx", args=["agency-a"]))
    assert page.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(page.streaming_content)), read_only=True)
    rows = list(workbook["feedback"].iter_rows(values_only=True))
    assert rows[0][0] == "id" and rows[1][12] == "ดี"


# --- replies and review -----------------------------------------------------------------
def test_the_agency_replies_to_a_citizen(client, point_a, officer_a):
    response = submit(point_a, comment="รอนานมาก", contact_email="citizen@example.com")
    client.force_login(officer_a)
    url = reverse("feedback:reply", args=[response.pk])
    assert "รอนานมาก" in client.get(url).content.decode()
    empty = client.post(url, {"body": ""})
    assert empty.status_code == 400 and not Reply.objects.exists()
    done = client.post(url, {"body": "ขออภัยในความล่าช้า"})
    assert done.status_code == 302
    assert mail.outbox[0].to == ["citizen@example.com"]
    assert Reply.objects.get().body == "ขออภัยในความล่าช้า"


def test_no_reply_page_without_an_email(client, point_a, officer_a):
    response = submit(point_a, comment="ดี")
    client.force_login(officer_a)
    assert client.get(reverse("feedback:reply", args=[response.pk])).status_code == 404


def test_ega_admin_reviews_held_answers(client, point_a, ega_admin):
    held = submit(point_a, honeypot="x", comment="น่าสงสัย")
    client.force_login(ega_admin)
    assert "น่าสงสัย" in client.get(reverse("feedback:review")).content.decode()
    page = client.post(reverse("feedback:review_decide", args=[held.pk, "accept"]))
    assert page.status_code == 302
    held.refresh_from_db()
    assert held.status == Response.Status.ACCEPTED
    again = client.post(reverse("feedback:review_decide", args=[held.pk, "reject"]), follow=True)
    assert "รอตรวจสอบเท่านั้น" in again.content.decode()
    assert (
        client.post(reverse("feedback:review_decide", args=[held.pk, "delete"])).status_code == 404
    )


# --- the poster -------------------------------------------------------------------------
def test_the_poster_is_a_pdf_with_the_thai_name_and_the_address(
    client, agency_a, officer_a, settings
):
    from pypdf import PdfReader

    from service_points.tests.factories import PublishedPointFactory

    settings.PUBLIC_BASE_URL = "https://info.go.th"
    point = PublishedPointFactory(agency=agency_a, name_th="ที่ว่าการอำเภอเมืองเชียงใหม่")
    client.force_login(officer_a)
    page = client.get(reverse("feedback:poster", args=[point.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(page.content))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    # Sara am is split into two glyphs by shaping; text extraction loses it, so check
    # words without it plus stacked tone marks (ที่ ว่า).
    assert "ที่ว่าการ" in text and "เมืองเชียงใหม่" in text
    assert "กรมเอ" in text
    assert f"https://info.go.th/f/{point.pk}/" in text
    assert "สแกนคิวอาร์โค้ด" in text
    fonts = {str(font["/BaseFont"]) for font in _fonts(reader)}
    assert any("Sarabun" in name for name in fonts), fonts


def _fonts(reader):
    resources = reader.pages[0]["/Resources"]
    return [font.get_object() for font in resources["/Font"].values()]


def test_the_qr_code_encodes_the_feedback_address(settings, point_a):
    from feedback.poster import feedback_url, qr_svg

    settings.PUBLIC_BASE_URL = "https://info.go.th/"
    assert feedback_url(point_a) == f"https://info.go.th/f/{point_a.pk}/"
    assert qr_svg(feedback_url(point_a)).startswith("<svg")


def test_no_poster_for_a_draft(client, draft_point_a, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("feedback:poster", args=[draft_point_a.pk])).status_code == 404


def test_the_other_service_text_is_masked_too(client, point_a):
    client.post(give_url(point_a), form_post(service="other", service_other="โทรหา 0812345678"))
    assert Response.objects.get().service_other == "โทรหา xxxxxxxxxx"


def test_the_admin_shows_answers_without_contact_details(client, point_a, ega_admin):
    response = submit(point_a, comment="ดี", contact_email="hidden@example.com")
    client.force_login(ega_admin)
    page = client.get(f"/admin/feedback/response/{response.pk}/change/")
    assert page.status_code == 200
    assert "hidden@example.com" not in page.content.decode()


def test_the_review_link_is_for_ega_and_overseers(client, overseer, ega_admin):
    for user in (overseer, ega_admin):
        client.force_login(user)
        page = client.get(reverse("feedback:national")).content.decode()
        assert reverse("feedback:review") in page


def test_overseers_read_the_held_answers_but_decide_nothing(client, point_a, overseer):
    held = submit(point_a, honeypot="x", contact_email="c@example.com")
    client.force_login(overseer)
    page = client.get(reverse("feedback:review")).content.decode()
    assert "ทิ้งอีเมลไว้" in page  # the sign that a reply is expected
    assert "c@example.com" not in page
    assert reverse("feedback:review_bulk") not in page
    response = client.post(reverse("feedback:review_bulk"), {"pk": [held.pk], "action": "accept"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == "flagged"


def test_bulk_review_then_undo_restores_queue_and_sums(client, point_a, ega_admin):
    from audit.models import AuditEvent
    from feedback.models import PointDay

    def sums():
        return list(PointDay.objects.values_list("responses", "overall_sum", "copy_asked"))

    counted = submit(point_a)
    before = sums()
    first = submit(point_a, honeypot="x", overall=5, asked_for_copy=True)
    second = submit(point_a, honeypot="x", overall=2)
    third = submit(point_a, honeypot="x")
    assert sums() == before and counted.status == "accepted"
    client.force_login(ega_admin)
    response = client.post(
        reverse("feedback:review_bulk"), {"pk": [first.pk, second.pk], "action": "accept"}
    )
    assert response.status_code == 302
    statuses = dict(Response.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "accepted"
    assert statuses[third.pk] == "flagged"
    assert sums()[0][0] == before[0][0] + 2
    page = client.get(reverse("feedback:review")).content.decode()
    assert reverse("feedback:review_undo") in page
    assert client.post(reverse("feedback:review_undo")).status_code == 302
    statuses = dict(Response.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "flagged"
    assert sums() == before  # the undo took both answers back out of the day's sums
    assert AuditEvent.objects.filter(action="feedback.response_reopened").count() == 2
    # rejecting in bulk, and undoing it, never touches the sums
    client.post(reverse("feedback:review_bulk"), {"pk": [third.pk], "action": "reject"})
    assert Response.objects.get(pk=third.pk).status == "rejected"
    client.post(reverse("feedback:review_undo"))
    assert Response.objects.get(pk=third.pk).status == "flagged" and sums() == before
    # nothing ticked, or a made-up action: a clear message, nothing changed
    assert client.post(reverse("feedback:review_bulk"), {"action": "accept"}).status_code == 302
    client.post(reverse("feedback:review_bulk"), {"pk": [third.pk], "action": "delete"})
    assert Response.objects.get(pk=third.pk).status == "flagged"
