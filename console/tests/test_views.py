# mypy: ignore-errors
import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from audit.services import audit_record
from readiness.models import SurveyReminder, SurveyRound
from readiness.tests.factories import SurveyRoundFactory, pin


def _option_pks(*letters: str) -> list[int]:
    from readiness.models import LimitationOption

    options = LimitationOption.objects.filter(is_active=True)
    return list(
        (options.filter(letter__in=letters) if letters else options).values_list("pk", flat=True)
    )


def _clear_rounds():
    SurveyRound.objects.filter(responses__isnull=True).update(status="archived")


@pytest.mark.django_db
def test_ega_opens_a_round_typing_buddhist_era_dates(client, ega_admin):
    _clear_rounds()
    client.force_login(ega_admin)
    response = client.post(
        "/console/rounds/new/",
        {
            "name_th": "รอบสำรวจ 2570",
            "opens_on": "30/11/2569",
            "closes_on": "31/12/2569",
            "limitation_options": _option_pks(),
        },
    )
    assert response.status_code == 302
    round = SurveyRound.objects.get(name_th="รอบสำรวจ 2570")
    assert round.opens_on == datetime.date(2026, 11, 30)
    assert round.closes_on == datetime.date(2026, 12, 31)
    page = client.get(response["Location"]).content.decode()
    assert "30 พฤศจิกายน 2569" in page and "3112" not in page
    assert 'value="30/11/2569"' in page  # the edit form shows it back in B.E.
    event = AuditEvent.objects.get(action="readiness.round_created")
    assert event.actor == ega_admin and event.data["opens_on"] == "2026-11-30"


@pytest.mark.django_db
def test_an_ambiguous_year_is_refused_and_nothing_saved(client, ega_admin):
    client.force_login(ega_admin)
    before = SurveyRound.objects.count()
    response = client.post(
        "/console/rounds/new/", {"name_th": "x", "opens_on": "30/11/69", "closes_on": "1/12/2569"}
    )
    assert response.status_code == 200
    assert "อ่านได้มากกว่าหนึ่งแบบ" in response.content.decode()
    assert SurveyRound.objects.count() == before


@pytest.mark.django_db
def test_extend_then_close_a_round(client, ega_admin):
    _clear_rounds()
    round = SurveyRoundFactory()
    client.force_login(ega_admin)
    url = f"/console/rounds/{round.pk}/"
    new_end = round.closes_on + datetime.timedelta(days=30)
    response = client.post(
        url,
        {
            "action": "save",
            "name_th": round.name_th,
            "opens_on": round.opens_on.isoformat(),
            "closes_on": f"{new_end.day}/{new_end.month}/{new_end.year + 543}",
            "limitation_options": _option_pks(),
        },
    )
    assert response.status_code == 302
    round.refresh_from_db()
    assert round.closes_on == new_end
    # closing before opening is refused by the model, shown on the form, nothing saved
    response = client.post(
        url,
        {"action": "save", "name_th": "x", "opens_on": "2/1/2570", "closes_on": "1/1/2570"},
    )
    assert response.status_code == 200
    round.refresh_from_db()
    assert round.closes_on == new_end and round.name_th != "x"
    assert client.post(url, {"action": "archive"}).status_code == 302
    round.refresh_from_db()
    assert round.status == "archived"
    assert AuditEvent.objects.filter(action="readiness.round_archived").exists()


@pytest.mark.django_db
def test_reminder_preview_confirm_and_record(client, ega_admin, overseer, officer_a, agency_b):
    _clear_rounds()
    round = SurveyRoundFactory()
    pin(officer_a.agency)
    pin(agency_b)  # pinned, but nobody of agency B has registered
    client.force_login(ega_admin)
    url = f"/console/rounds/{round.pk}/reminders/"
    page = client.get(url).content.decode()
    assert officer_a.email in page
    assert "agency-b" in page and "ยังไม่มีผู้ใช้ที่ลงทะเบียน" in page
    assert not mail.outbox
    # no confirmation, no mail
    response = client.post(url, {})
    assert response.status_code == 200 and not mail.outbox
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[officer_a.email]]
    assert SurveyReminder.objects.filter(round=round, user=officer_a).exists()
    event = AuditEvent.objects.get(action="readiness.reminders_sent")
    assert event.data["emails"] == 1
    assert event.data["agencies_without_members"] == 1
    # the overseer reads the record on the round's page
    client.force_login(overseer)
    page = client.get(f"/console/rounds/{round.pk}/").content.decode()
    assert "admin@ega.or.th" in page
    # a second preview shows officer A as reminded recently, not to be mailed twice
    assert "ระบบจะไม่ส่งซ้ำ" in client.get(url).content.decode()


@pytest.mark.django_db
def test_audit_trail_search_by_actor_agency_action_and_date(
    client, overseer, ega_admin, agency_a, agency_b
):
    audit_record(action="gdx.key.revoked", actor=ega_admin, agency=agency_a, data={"reason": "r"})
    audit_record(action="readiness.round_created", actor=ega_admin, agency=agency_b)
    old = audit_record(action="gdx.key.added", actor=ega_admin, agency=agency_a)
    AuditEvent.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    client.force_login(overseer)

    def actions(query):
        page = client.get("/console/audit/", query).context["page"]
        return sorted(e.action for e in page)

    assert actions({"action": "gdx"}) == ["gdx.key.added", "gdx.key.revoked"]
    assert actions({"agency": "agency-b"}) == ["readiness.round_created"]
    assert actions({"agency": "กรมเอ"}) == ["gdx.key.added", "gdx.key.revoked"]
    assert actions({"actor": "admin@ega"}) == [
        "gdx.key.added",
        "gdx.key.revoked",
        "readiness.round_created",
    ]
    assert actions({"actor": "nobody"}) == []
    assert actions({"date_from": "1/1/2568", "date_to": "1/1/2568"}) == ["gdx.key.added"]
    assert "gdx.key.added" not in actions({"date_from": "2/1/2568"})
    response = client.get("/console/audit/", {"date_from": "1/1/68"})
    assert response.status_code == 200 and "อ่านได้มากกว่าหนึ่งแบบ" in response.content.decode()


@pytest.mark.django_db
def test_date_check_finds_years_stored_543_years_ahead(client, overseer, ega_admin):
    call_command("check_be_dates")  # nothing yet: no error
    round = SurveyRoundFactory(
        status="archived",
        opens_on=datetime.date(2569, 11, 30),
        closes_on=datetime.date(2569, 12, 31),
    )
    with pytest.raises(CommandError, match="2 date"):
        call_command("check_be_dates")
    client.force_login(overseer)
    page = client.get("/console/dates/").content.decode()
    assert f"readiness.SurveyRound {round.pk}" in page
    assert "2569-11-30" in page and "30 พฤศจิกายน 2569" in page


@pytest.mark.django_db
def test_home_counts_what_needs_attention(client, overseer):
    from exchange.models import MemberKey
    from exchange.tests.factories import MemberFactory
    from gdx_protocol import SigningKey

    member = MemberFactory()
    key = SigningKey.generate()
    MemberKey.objects.create(
        member=member,
        use="sig",
        algorithm="ed25519",
        public_key=key.public_raw,
        valid_until=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
    )
    client.force_login(overseer)
    response = client.get("/console/")
    assert response.context["attention"].keys_expiring == 1
    page = response.content.decode()
    for link in ("/progress/dashboard/", "/gdx/", "/console/audit/", "/feedback/review/"):
        assert f'href="{link}"' in page


@pytest.mark.django_db
def test_followup_list_of_one_province_with_contacts_and_exports(
    client, overseer, officer_a, agency_a, agency_b
):
    import io

    from openpyxl import load_workbook

    from agencies.tests.factories import DepartmentFactory
    from service_points.tests.factories import PublishedPointFactory

    officer_a.phone = "021234567"
    officer_a.save()
    PublishedPointFactory(agency=agency_a, province_code="50")
    PublishedPointFactory(agency=agency_b, province_code="10")
    formula = DepartmentFactory(code="agency-f", name_th="=HYPERLINK(1)")
    PublishedPointFactory(agency=formula, province_code="50")
    client.force_login(overseer)

    page = client.get("/console/follow-up/", {"province": "50"})
    codes = [r.agency.code for r in page.context["rows"]]
    assert codes and set(codes) == {"agency-a", "agency-f"}
    html = page.content.decode()
    assert officer_a.email in html and "021234567" in html and "เชียงใหม่" in html

    not_registered = client.get("/console/follow-up/", {"gap": "not_registered"})
    codes = {r.agency.code for r in not_registered.context["rows"]}
    assert "agency-b" in codes and "agency-a" not in codes

    csv = client.get("/console/follow-up/export.csv", {"province": "50"})
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "agency-a" in text and "agency-b" not in text
    assert "'=HYPERLINK(1)" in text  # no formula reaches the spreadsheet

    xlsx = client.get("/console/follow-up/export.xlsx", {"province": "50"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "รหัส"
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"agency-a", "agency-f"}
    assert by_code["agency-a"][5] == "021234567"
    assert client.get("/console/follow-up/export.pdf").status_code == 404


@pytest.mark.django_db
def test_ega_adds_changes_and_withdraws_a_question_8_option(client, ega_admin):
    from readiness.models import LimitationOption

    client.force_login(ega_admin)
    data = {"letter": "ฮ", "text_th": "ขาดงบประมาณ", "position": 9, "is_active": "on"}
    assert client.post("/console/options/", data).status_code == 302
    option = LimitationOption.objects.get(letter="ฮ")
    response = client.post(f"/console/options/{option.pk}/", {**data, "is_active": ""})
    assert response.status_code == 302
    option.refresh_from_db()
    assert not option.is_active
    assert list(
        AuditEvent.objects.filter(target_id=str(option.pk)).values_list("action", flat=True)
    ) == ["readiness.limitation_option.changed", "readiness.limitation_option.created"]
    # a second option with the same letter is refused, nothing written
    response = client.post("/console/options/", data)
    assert response.status_code == 200 and LimitationOption.objects.filter(letter="ฮ").count() == 1


@pytest.mark.django_db
def test_djangos_admin_uses_the_bundled_thai_font_and_links_to_the_console(client, ega_admin):
    from django.contrib.staticfiles import finders

    client.force_login(ega_admin)
    page = client.get("/admin/").content.decode()
    assert "core/admin.css" in page and 'href="/console/"' in page
    css = open(finders.find("core/admin.css"), encoding="utf-8").read()
    assert "sarabun-thai-400-normal.woff2" in css and "--font-family-primary" in css


@pytest.mark.django_db
def test_ega_adds_renames_moves_and_archives_an_agency(client, ega_admin, agency_a):
    from agencies.models import Agency
    from agencies.tests.factories import DepartmentFactory

    client.force_login(ega_admin)
    response = client.post(
        "/console/agencies/",
        {
            "action": "add",
            "code": "new-unit",
            "kind": "unit",
            "name_th": "หน่วยใหม่",
            "parent": "agency-a",
        },
    )
    assert response.status_code == 302
    unit = Agency.objects.get(code="new-unit")
    assert unit.parent == agency_a and unit.ministry == agency_a.ministry
    other = DepartmentFactory(code="agency-o")
    url = "/console/agencies/new-unit/"
    data = {"action": "save", "name_th": "หน่วยใหม่ (ชื่อใหม่)", "parent": "agency-o"}
    assert client.post(url, data).status_code == 302
    unit.refresh_from_db()
    assert unit.name_th == "หน่วยใหม่ (ชื่อใหม่)" and unit.parent == other
    assert unit.ministry == other.ministry
    moved = AuditEvent.objects.get(action="agency.moved")
    assert moved.data["parent"] == ["agency-a", "agency-o"]
    # a parent that does not exist: a clear error, nothing changed
    response = client.post(url, {**data, "parent": "nope"})
    assert response.status_code == 200 and "nope" in response.content.decode()
    # an agency with active agencies under it cannot be archived
    response = client.post("/console/agencies/agency-o/", {"action": "archive"})
    assert response.status_code == 200
    assert "กรุณาเก็บเข้าคลังหรือย้ายหน่วยงานที่สังกัดหน่วยงานนี้ก่อน" in response.content.decode()
    assert Agency.objects.get(code="agency-o").status == "active"
    assert client.post(url, {"action": "archive"}).status_code == 302
    unit.refresh_from_db()
    assert unit.status == "archived"
    assert AuditEvent.objects.filter(action="agency.archived", agency=unit).exists()
    assert "agency.archived" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_directory_import_lists_every_error_and_writes_nothing(client, ega_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agencies.models import Agency

    client.force_login(ega_admin)
    good = "code,kind,parent_code,name_th\nmin-x,ministry,,กระทรวงเอกซ์\ndep-x,department,min-x,กรมเอกซ์\n"
    bad = good + "dep-y,department,missing,กรมวาย\n"
    response = client.post(
        "/console/agencies/",
        {"action": "import", "file": SimpleUploadedFile("a.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert not Agency.objects.filter(code__in=["min-x", "dep-x"]).exists()
    assert "ไม่ได้นำเข้า" in response.content.decode()
    response = client.post(
        "/console/agencies/",
        {"action": "import", "file": SimpleUploadedFile("a.csv", good.encode(), "text/csv")},
    )
    assert Agency.objects.get(code="dep-x").parent.code == "min-x"
    response = client.post(
        "/console/agencies/",
        {
            "action": "import",
            "file": SimpleUploadedFile("a.xlsx", b"PK\x03\x04\x00\xff", "text/csv"),
        },
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


@pytest.mark.django_db
def test_closing_a_closed_round_again_says_why(client, ega_admin):
    round = SurveyRoundFactory(status="archived")
    client.force_login(ega_admin)
    response = client.post(f"/console/rounds/{round.pk}/", {"action": "archive"}, follow=False)
    assert response.status_code == 200
    assert "รอบการสำรวจนี้เก็บเข้าคลังแล้ว" in response.content.decode()


@pytest.mark.django_db
def test_remind_these_previews_then_mails_each_listed_agency(
    client, ega_admin, officer_a, agency_a, agency_b
):
    from service_points.tests.factories import PublishedPointFactory

    PublishedPointFactory(agency=agency_a, province_code="50")
    PublishedPointFactory(agency=agency_b, province_code="50")  # nobody of B registered
    client.force_login(ega_admin)
    url = "/console/follow-up/remind/?province=50&gap=not_surveyed"
    page = client.get(url).content.decode()
    assert officer_a.email in page and "agency-b" in page
    assert "ยังไม่มีผู้ใช้ที่ลงทะเบียน" in page
    assert client.post(url, {}).status_code == 200 and not mail.outbox  # not confirmed
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/console/follow-up/?")
    assert [m.to for m in mail.outbox] == [[officer_a.email]]
    assert "/progress/agencies/agency-a/" in mail.outbox[0].body
    assert "ตอบแบบสำรวจความพร้อม" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="console.followup.reminded")
    assert event.data == {
        "gap": "not_surveyed",
        "agencies": 2,
        "emails": 1,
        "agencies_without_members": 1,
    }


@pytest.mark.django_db
def test_followup_page_queries_do_not_grow_with_agencies(
    client, overseer, django_assert_max_num_queries
):
    from accounts.tests.factories import UserFactory
    from agencies.tests.factories import DepartmentFactory
    from service_points.tests.factories import PublishedPointFactory

    for n in range(30):
        agency = DepartmentFactory(code=f"many-{n}")
        UserFactory(agency=agency)
        PublishedPointFactory(agency=agency, province_code="50")
    client.force_login(overseer)
    with django_assert_max_num_queries(16):
        response = client.get("/console/follow-up/", {"province": "50"})
    assert len(response.context["rows"]) == 30


@pytest.mark.django_db
def test_a_provinces_progress_page_leads_to_its_follow_up_list(client, overseer, officer_a):
    client.force_login(overseer)
    page = client.get("/progress/provinces/50/").content.decode()
    assert 'href="/console/follow-up/?province=50"' in page
    assert "รายชื่อที่ต้องติดตาม" in page
    client.force_login(officer_a)  # agency staff read the page but have no console
    assert "/console/follow-up/" not in client.get("/progress/provinces/50/").content.decode()
