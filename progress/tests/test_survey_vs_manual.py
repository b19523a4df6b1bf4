"""Issue 16: the survey's ticks and the Manual disagree. The Manual is the truth (it is what
citizens are told to bring); where the latest survey says otherwise, the page shows both."""

import pytest

from readiness import services as readiness_services
from readiness.models import SurveyProcessRow
from readiness.tests.factories import SurveyRoundFactory, answers, pin

pytestmark = pytest.mark.django_db


def test_an_unticked_copy_in_the_survey_is_shown_beside_the_manual(client, officer_a, agency_a):
    from manual.tests.factories import ID_COPY, make_service

    make_service(agency=agency_a, code="id-only", name_th="การขอหนังสือรับรอง", documents=[ID_COPY])
    SurveyRoundFactory()
    pin(agency_a)
    draft = readiness_services.survey_open(agency=agency_a, by=officer_a)
    SurveyProcessRow.objects.filter(response=draft).update(needs_id_card_copy=False)
    readiness_services.survey_submit(
        response=draft, by=officer_a, revision=draft.revision, answers=answers()
    )
    client.force_login(officer_a)
    html = client.get("/my-agency/progress/", follow=True).content.decode()
    row = html[html.index("การขอหนังสือรับรอง") :]
    row = row[: row.index("</tr>")]
    assert "ยังขอ" in row  # the Manual still lists the copy
    assert "แบบสำรวจระบุว่า: ไม่ขอแล้ว" in row
    assert "โปรดปรับคู่มือหากกระบวนงานเปลี่ยนแล้ว" in html


def test_no_note_when_they_agree(client, officer_a, agency_a):
    from manual.tests.factories import ID_COPY, make_service

    make_service(agency=agency_a, code="id-only", name_th="การขอหนังสือรับรอง", documents=[ID_COPY])
    client.force_login(officer_a)
    html = client.get("/my-agency/progress/", follow=True).content.decode()
    assert "แบบสำรวจระบุว่า" not in html
