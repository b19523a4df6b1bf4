import datetime
import io

import pytest
from django.utils import timezone

from readiness import services
from readiness.models import SurveyResponse
from readiness.tests.factories import answers, be, option, post_data

pytestmark = pytest.mark.django_db
URL = "/my-agency/readiness/"


@pytest.fixture
def draft_a(pinned_a, officer_a, open_round, manual_a):
    return services.survey_open(agency=pinned_a, by=officer_a)


def _submitted(agency, officer, **fields):
    draft = services.survey_open(agency=agency, by=officer)
    return services.survey_submit(
        response=draft, by=officer, revision=draft.revision, answers=answers(**fields)
    )


# --- opening ------------------------------------------------------------------------------
def test_an_agency_without_a_published_point_sees_why_and_a_link_to_pin(
    client, officer_a, open_round
):
    client.force_login(officer_a)
    response = client.get(URL)
    assert response.status_code == 200
    assert "/my-agency/service-points/" in response.content.decode()
    assert "หน่วยงานของท่านยังไม่สามารถตอบแบบสำรวจได้" in response.content.decode()
    assert response.templates[0].name == "readiness/gate.html"
    assert client.post("/my-agency/readiness/start/").status_code == 302
    assert not SurveyResponse.objects.exists()


def test_a_pinned_agency_starts_and_sees_the_form(
    client, officer_a, pinned_a, open_round, manual_a
):
    client.force_login(officer_a)
    assert client.get(URL).templates[0].name == "readiness/start.html"
    assert client.post("/my-agency/readiness/start/").status_code == 302
    page = client.get(URL)
    html = page.content.decode()
    assert page.templates[0].name == "readiness/survey.html"
    assert officer_a.email in html and "การขอใบอนุญาตก่อสร้าง" in html
    assert html.count('type="checkbox" class="tick"') == 6
    assert html.count("checked") >= 3  # both copies, and the ID card of the second


def test_the_survey_says_when_no_round_is_open(client, officer_a, pinned_a):
    client.force_login(officer_a)
    assert client.get(URL).templates[0].name == "readiness/closed.html"


# --- draft, resume, submit ----------------------------------------------------------------
def test_save_draft_resume_and_submit(client, officer_a, draft_a):
    client.force_login(officer_a)
    data = post_data(draft_a, q5_mou="", comment="ยังไม่ครบ")
    response = client.post(URL, data)
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.comment == "ยังไม่ครบ" and draft_a.revision == 2
    # Resume: the page shows what was saved, the dates in the Buddhist Era.
    html = client.get(URL).content.decode()
    assert "ยังไม่ครบ" in html and be(draft_a.q4_expected_on) in html
    response = client.post(URL, post_data(draft_a, action="submit"))
    assert response.status_code == 302 and response["Location"] == draft_a.get_absolute_url()
    draft_a.refresh_from_db()
    assert draft_a.status == "submitted"
    assert draft_a.q4_expected_on == timezone.localdate() + datetime.timedelta(days=90)
    result = client.get(draft_a.get_absolute_url())
    assert result.context["recommendation"].path == "online_dopa"


def test_every_missing_answer_is_shown_together_and_nothing_is_lost(client, officer_a, draft_a):
    client.force_login(officer_a)
    data = post_data(
        draft_a,
        action="submit",
        q1_system="developing",
        q5_mou=None,
        q8_limitations="some",
        q2_channels=["other"],
        comment="ความเห็นของฉัน",
        respondent_phone="",
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"q1_expected_on", "q5_mou", "q8_options", "q2_other", "respondent_phone"} <= set(errors)
    html = response.content.decode()
    assert 'class="error-summary"' in html and "ความเห็นของฉัน" in html
    assert "กรุณาเลือกคำตอบ 1 ข้อ" in html and "กรุณาระบุวันที่คาดว่าจะแล้วเสร็จ" in html
    assert "กรุณาเลือกข้อจำกัดอย่างน้อย 1 ข้อ" in html
    draft_a.refresh_from_db()
    assert draft_a.status == "draft" and draft_a.revision == 1 and draft_a.comment == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("q4_expected_on", "01/01/2561"),
        ("q6_expected_on", "not a date"),
        ("q6_expected_on", "31/02/2570"),
        ("q3_service_points", "-3"),
        ("q3_service_points", "99999999"),
        ("q7_readers_needed", "-1"),
        ("q7_readers_needed", "1000001"),
        ("respondent_email", "not-an-email"),
        ("respondent_phone", "12345"),
    ],
)
def test_bad_values_are_refused_even_in_a_draft(client, officer_a, draft_a, field, value):
    client.force_login(officer_a)
    response = client.post(URL, post_data(draft_a, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert value in response.content.decode()  # what was typed is still there
    draft_a.refresh_from_db()
    assert draft_a.revision == 1


def test_a_501_character_comment_is_refused_but_500_thai_characters_are_fine(
    client, officer_a, draft_a
):
    client.force_login(officer_a)
    response = client.post(URL, post_data(draft_a, comment="ก" * 501))
    assert "comment" in response.context["form"].errors
    assert "กรอกได้ไม่เกิน 500 ตัวอักษร (ท่านกรอก 501 ตัวอักษร)" in response.content.decode()
    thai = "ที่" * 500  # 1,500 code points, 500 characters to a reader
    assert client.post(URL, post_data(draft_a, comment=thai)).status_code == 302


def test_a_concurrent_edit_is_detected_and_the_typed_values_are_kept(
    client, officer_a, admin_a, draft_a
):
    other = client.__class__()
    other.force_login(admin_a)
    client.force_login(officer_a)
    stale = post_data(draft_a, comment="ของเจ้าหน้าที่")
    assert other.post(URL, post_data(draft_a, comment="ของผู้ดูแล")).status_code == 302
    response = client.post(URL, stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].non_field_errors()
    assert "หลังจากที่ท่านเปิดหน้านี้" in html and "ของเจ้าหน้าที่" in html
    draft_a.refresh_from_db()
    assert draft_a.comment == "ของผู้ดูแล"
    # The form now carries the current revision: saving again is a deliberate overwrite.
    assert response.context["form"]["revision"].value() == str(draft_a.revision)
    again = post_data(draft_a, comment="ของเจ้าหน้าที่")
    assert client.post(URL, again).status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.comment == "ของเจ้าหน้าที่"


def test_a_version_submitted_meanwhile_refuses_the_save_and_keeps_the_typing(
    client, officer_a, admin_a, draft_a
):
    stale = post_data(draft_a, comment="พิมพ์ค้างไว้")
    services.survey_submit(response=draft_a, by=admin_a, revision=1, answers=answers())
    client.force_login(officer_a)
    response = client.post(URL, stale)
    assert response.status_code == 200
    assert "พิมพ์ค้างไว้" in response.content.decode()
    assert response.context["form"].non_field_errors()


def test_limitation_options_are_saved(client, officer_a, draft_a):
    client.force_login(officer_a)
    data = post_data(
        draft_a, q8_limitations="some", q8_options=[option("ก").pk, option("ง").pk], action="submit"
    )
    assert client.post(URL, data).status_code == 302
    draft_a.refresh_from_db()
    assert sorted(o.letter for o in draft_a.q8_options.all()) == ["ก", "ง"]


# --- the process table ------------------------------------------------------------------
@pytest.fixture
def many_processes(pinned_a):
    from manual.models import Service

    Service.objects.bulk_create(
        Service(agency=pinned_a, code=f"p{i:03d}", name_th=f"กระบวนการที่ {i:03d}", category="other")
        for i in range(120)
    )


def test_paging_without_javascript_saves_the_ticks_of_the_page(
    client, officer_a, pinned_a, open_round, many_processes
):
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    client.force_login(officer_a)
    page1 = client.get(URL)
    rows = [item["row"] for item in page1.context["rows"]]
    assert len(rows) == 50 and page1.context["rows_page"].paginator.num_pages == 3
    data = post_data(
        draft,
        action="page:2",
        row=[r.pk for r in rows],
        **{f"row-{rows[0].pk}-id": "on", f"row-{rows[1].pk}-house": "on"},
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and "page=2" in response["Location"]
    page2 = client.get(response["Location"])
    assert page2.context["rows"][0]["row"].service_name == "กระบวนการที่ 050"
    back = client.get(URL)
    ticks = {item["row"].pk: (item["id_card"], item["house"]) for item in back.context["rows"]}
    assert ticks[rows[0].pk] == (True, False) and ticks[rows[1].pk] == (False, True)
    assert ticks[rows[2].pk] == (False, False)


def test_search_finds_processes_and_counts_them(
    client, officer_a, pinned_a, open_round, many_processes
):
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    client.force_login(officer_a)
    response = client.post(URL, post_data(draft, action="search", q="ที่ 11"))
    assert response.status_code == 302
    found = client.get(response["Location"])
    names = [item["row"].service_name for item in found.context["rows"]]
    # Every word typed must appear: "011" and "110"–"119" contain "11".
    assert names == ["กระบวนการที่ 011"] + [f"กระบวนการที่ {i}" for i in range(110, 120)]
    assert found.context["counts"]["total"] == 120


def test_paging_with_htmx_returns_the_table(
    client, officer_a, pinned_a, open_round, many_processes
):
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    client.force_login(officer_a)
    response = client.post(
        URL, post_data(draft, action="page:3"), HTTP_HX_REQUEST="true", follow=True
    )
    assert response.context["rows_page"].number == 3
    bad = client.post(
        URL, post_data(draft, action="page:2", q3_service_points="-1"), HTTP_HX_REQUEST="true"
    )
    assert bad["HX-Retarget"] == "#main"


def test_the_survey_page_query_count_does_not_grow_with_rows(
    client, officer_a, pinned_a, open_round, many_processes, django_assert_max_num_queries
):
    services.survey_open(agency=pinned_a, by=officer_a)
    client.force_login(officer_a)
    with django_assert_max_num_queries(25):
        client.get(URL)


# --- who sees what ----------------------------------------------------------------------
def test_agency_b_cannot_see_agency_a_answers(client, officer_b, pinned_a, officer_a, open_round):
    response = _submitted(pinned_a, officer_a, comment="ลับเฉพาะเอ")
    client.force_login(officer_b)
    page = client.get(response.get_absolute_url())
    assert page.status_code == 404
    assert "ลับเฉพาะเอ" not in page.content.decode()


def test_overseers_read_every_agency_and_cannot_answer(
    client, overseer, pinned_a, officer_a, open_round
):
    response = _submitted(pinned_a, officer_a, comment="ของกรมเอ")
    client.force_login(overseer)
    assert "ของกรมเอ" in client.get(response.get_absolute_url()).content.decode()
    assert client.get(URL).status_code == 403
    assert client.post("/my-agency/readiness/start/").status_code == 403


def test_the_overview_lists_paths_within_a_few_queries(
    client,
    ega_admin,
    pinned_a,
    pinned_b,
    officer_a,
    officer_b,
    open_round,
    django_assert_max_num_queries,
):
    _submitted(pinned_a, officer_a)
    _submitted(
        pinned_b, officer_b, q6_linkage="not_yet", q6_expected_on=None, q5_mou="no", q1_system="no"
    )
    client.force_login(ega_admin)
    with django_assert_max_num_queries(12):
        response = client.get("/readiness/overview/")
    html = response.content.decode()
    assert pinned_a.name_th in html and pinned_b.name_th in html
    assert response.context["answered"] == 2


def test_exports_give_answers_and_process_rows(
    client, overseer, pinned_a, officer_a, open_round, manual_a
):
    from openpyxl import load_workbook

    _submitted(pinned_a, officer_a, comment='=HYPERLINK("http://evil")')
    client.force_login(overseer)
    csv = b"".join(client.get("/readiness/export/answers.csv").streaming_content).decode()
    assert pinned_a.name_th in csv and "'=HYPERLINK" in csv
    rows_csv = b"".join(client.get("/readiness/export/processes.csv").streaming_content).decode()
    assert rows_csv.count("\n") == 4 and "การขอใบอนุญาตก่อสร้าง" in rows_csv
    xlsx = client.get("/readiness/export/readiness.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    answers_sheet, processes_sheet = book.worksheets
    assert answers_sheet.max_row == 2 and processes_sheet.max_row == 4
    assert client.get("/readiness/export/other.txt").status_code == 404


def test_the_api_gives_overseers_every_agency_and_officers_their_own(
    client, overseer, officer_b, pinned_a, pinned_b, officer_a, open_round
):
    _submitted(pinned_a, officer_a)
    assert client.get("/api/readiness/latest").status_code == 401
    client.force_login(overseer)
    assert [i["agency_code"] for i in client.get("/api/readiness/latest").json()] == [pinned_a.code]
    client.force_login(officer_b)
    assert client.get("/api/readiness/latest").json() == []


def test_the_checklist_step_links_to_the_survey_and_is_done_after_submitting(
    client, officer_a, pinned_a, open_round
):
    from progress.selectors import agency_checklist

    step = next(s for s in agency_checklist(agency=pinned_a) if s.key == "surveyed")
    assert step.url == URL and not step.done
    _submitted(pinned_a, officer_a)
    step = next(s for s in agency_checklist(agency=pinned_a) if s.key == "surveyed")
    assert step.done


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q4_expected_on", "01/01/2561", "วันที่คาดว่าจะแล้วเสร็จต้องไม่เป็นวันที่ผ่านมาแล้ว"),
        ("q6_expected_on", "31/02/2570", "กรุณากรอกวันที่ที่มีอยู่จริง"),
        ("q3_service_points", "-3", "จำนวนต้องไม่ติดลบ"),
        ("q7_readers_needed", "1000001", "จำนวนนี้มากเกินไป"),
    ],
)
def test_bad_values_are_explained_in_thai(client, officer_a, draft_a, field, value, message):
    client.force_login(officer_a)
    html = client.post(URL, post_data(draft_a, **{field: value})).content.decode()
    assert message in html


def test_dates_typed_in_the_common_era_or_thai_digits_are_understood(client, officer_a, draft_a):
    client.force_login(officer_a)
    year = timezone.localdate().year + 1
    thai_digits = str(year + 543).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    data = post_data(draft_a, q4_expected_on=f"15/06/{year}", q6_expected_on=f"๑/๒/{thai_digits}")
    assert client.post(URL, data).status_code == 302
    draft_a.refresh_from_db()
    assert draft_a.q4_expected_on == datetime.date(year, 6, 15)
    assert draft_a.q6_expected_on == datetime.date(year, 2, 1)
