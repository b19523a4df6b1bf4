"""The seed's phase-2 figure: transactions served without a copy, against what the agency's
latest readiness survey planned (question 4 and the processes it said ask for a copy)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from idcard.simulated import valid_citizen_id
from manual.tests.factories import make_published
from progress import sources
from readiness.models import SurveyProcessRow, SurveyResponse
from readiness.tests.factories import SurveyRoundFactory

CID = valid_citizen_id("110170023456")


def _survey(agency, *, plan, expected_on=None, asking=(), fine=()):
    response = SurveyResponse.objects.create(
        round=SurveyRoundFactory(),
        agency=agency,
        status=SurveyResponse.Status.SUBMITTED,
        submitted_at=timezone.now(),
        q1_system="no",
        q5_mou="no",
        q6_linkage="not_yet",
        q4_plan=plan,
        q4_expected_on=expected_on,
    )
    for i, service in enumerate(asking):
        SurveyProcessRow.objects.create(
            response=response,
            service=service,
            position=i,
            service_name=service.name_th,
            needs_id_card_copy=True,
        )
    for i, service in enumerate(fine, start=len(asking)):
        SurveyProcessRow.objects.create(
            response=response, service=service, position=i, service_name=service.name_th
        )
    return response


def _serve(agency, service, officer, times=1):
    from counter import services

    records = []
    for _ in range(times):
        records.append(
            services.verification_record_create(
                agency=agency,
                service=service,
                officer=officer,
                source="card",
                values={"citizen_id": CID},
                fields_used=["citizen_id"],
            )
        )
    return records


@pytest.fixture
def planned(agency_a, agency_b, officer_a, officer_b):
    """Agency A plans (by last month) to stop asking for copies in two processes and serves
    one of them copy-free three times; agency B has no policy yet but served once."""
    s1 = make_published(agency=agency_a, code="p1", name_th="บริการหนึ่ง")
    s2 = make_published(agency=agency_a, code="p2", name_th="บริการสอง")
    s3 = make_published(agency=agency_a, code="p3", name_th="บริการสาม")
    sb = make_published(agency=agency_b, code="pb", name_th="บริการบี")
    past = timezone.localdate() - datetime.timedelta(days=30)
    _survey(agency_a, plan="yes", expected_on=past, asking=[s1, s2], fine=[s3])
    _survey(agency_b, plan="no_policy", asking=[sb])
    _serve(agency_a, s1, officer_a, times=3)
    _serve(agency_a, s3, officer_a)  # not a planned process: counts as a transaction only
    _serve(agency_b, sb, officer_b)
    return {"s1": s1, "s2": s2}


def test_agency_figures_against_plan(planned, agency_a, agency_b):
    plan = sources.copies_plan_for(agency=agency_a)
    assert (plan.transactions, plan.planned, plan.planned_served) == (4, 2, 1)
    assert plan.share == 0.5
    assert plan.state == "overdue"
    other = sources.copies_plan_for(agency=agency_b)
    assert (other.transactions, other.planned, other.planned_served) == (1, 1, 1)
    assert other.state == "no_plan"


def test_state_follows_the_plan(planned, agency_a, officer_a):
    _serve(agency_a, planned["s2"], officer_a)
    assert sources.copies_plan_for(agency=agency_a).state == "done"


def test_voided_records_do_not_count(planned, agency_a, admin_a):
    from counter import services
    from counter.models import VerificationRecord

    for record in VerificationRecord.objects.filter(agency=agency_a, service=planned["s1"]):
        services.verification_record_void(record=record, by=admin_a, reason="ทดสอบ")
    plan = sources.copies_plan_for(agency=agency_a)
    assert (plan.transactions, plan.planned_served) == (1, 0)


def test_agency_without_survey_or_transactions(agency_a):
    plan = sources.copies_plan_for(agency=agency_a)
    assert (plan.transactions, plan.planned, plan.state) == (0, 0, "no_survey")
    assert plan.share is None


def test_latest_submitted_survey_is_the_plan(planned, agency_a):
    later = make_published(agency=agency_a, code="p4", name_th="บริการสี่")
    future = timezone.localdate() + datetime.timedelta(days=90)
    SurveyResponse.objects.filter(agency=agency_a).update(
        submitted_at=timezone.now() - datetime.timedelta(days=1)
    )
    _survey(agency_a, plan="yes", expected_on=future, asking=[later])
    plan = sources.copies_plan_for(agency=agency_a)
    assert (plan.planned, plan.planned_served, plan.state) == (1, 0, "on_track")


def test_national_total(planned):
    total = sources.copies_plan_national()
    assert total.transactions == 5
    assert total.agencies_serving == 2
    assert total.agencies_planning == 1  # B has no policy: its processes are not "planned"
    assert total.agencies_planning_serving == 1
    assert total.agencies_overdue == 1
    assert (total.planned, total.planned_served) == (2, 1)
    assert total.share == 0.5


def test_agency_page_shows_the_plan(client, planned, agency_a, ega_admin):
    client.force_login(ega_admin)
    response = client.get(reverse("progress:agency", args=[agency_a.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="plan-transactions">4<' in html
    assert 'id="plan-served">1 (' in html
    assert 'id="copies-plan"' in html


def test_dashboard_and_public_page_show_the_national_figure(client, planned, ega_admin):
    html = client.get(reverse("progress:public")).content.decode()
    assert 'id="copies-plan-national"' in html
    client.force_login(ega_admin)
    html = client.get(reverse("progress:dashboard")).content.decode()
    assert 'id="copies-plan-national"' in html


def _sheet_rows(content: bytes, index: int = -1):
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheet = book.worksheets[index]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_agency_xlsx_has_the_plan_sheet(client, planned, agency_a, ega_admin):
    client.force_login(ega_admin)
    response = client.get(reverse("progress:agency_export", args=[agency_a.code, "xlsx"]))
    assert response.status_code == 200
    rows = _sheet_rows(response.content)
    assert rows[1][0] == agency_a.code
    assert rows[1][3:5] == [4, "ใช่"]
    assert rows[1][6:9] == [2, 1, 0.5]


def test_national_xlsx_lists_agencies_against_plan(client, planned, agency_a, agency_b, ega_admin):
    client.force_login(ega_admin)
    response = client.get(reverse("progress:export", args=["xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book.worksheets[4]  # Ministries, Provinces, Schedule, Complaints, then this one
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code[agency_a.code][3] == 4
    assert by_code[agency_b.code][3] == 1
    assert by_code[agency_b.code][6:8] == [1, 1]
    assert rows[-1][1] == "รวม" and rows[-1][3] == 5 and rows[-1][6:8] == [2, 1]


def test_agency_staff_get_the_national_total_but_no_other_agency(
    client, planned, agency_a, agency_b, officer_a
):
    client.force_login(officer_a)
    response = client.get(reverse("progress:export", args=["xlsx"]))
    assert response.status_code == 200
    rows = _sheet_rows(response.content, 4)
    assert len(rows) == 2  # the header and the nation's total
    assert not rows[1][0] and rows[1][1] == "รวม" and rows[1][3] == 5
    assert agency_b.code not in {r[0] for r in rows}


def test_pdfs_carry_the_plan(client, planned, agency_a, ega_admin, monkeypatch):
    from progress import exports

    seen = []

    def fake_pdf(template, context):
        from django.template.loader import render_to_string

        seen.append(render_to_string(template, context))
        return b"%PDF-"

    monkeypatch.setattr(exports, "_pdf", fake_pdf)
    client.force_login(ega_admin)
    assert (
        client.get(reverse("progress:agency_export", args=[agency_a.code, "pdf"])).status_code
        == 200
    )
    assert client.get(reverse("progress:export", args=["pdf"])).status_code == 200
    agency_html, national_html = seen
    assert "ระยะที่ 2" in agency_html and "เลยกำหนดตามแผนแล้ว" in agency_html
    assert "ให้บริการที่จุดบริการโดยไม่ขอสำเนาแล้ว 5 ครั้ง โดย 2 หน่วยงาน" in national_html
