# mypy: ignore-errors
"""Question 8's options per round, in the console."""

import pytest

from audit.models import AuditEvent
from readiness import services
from readiness.models import SurveyRound
from readiness.tests.factories import SurveyRoundFactory, answers, option, pin

pytestmark = pytest.mark.django_db


def _letters(round) -> list[str]:
    return sorted(o.letter for o in round.limitation_options.all())


def test_a_new_round_starts_with_the_latest_rounds_options_and_takes_its_own(client, ega_admin):
    SurveyRound.objects.update(status="archived")
    SurveyRoundFactory(
        limitation_options=[option("ก"), option("ข"), option("ค")], status="archived"
    )
    client.force_login(ega_admin)
    form = client.get("/console/rounds/new/").context["form"]
    assert sorted(form["limitation_options"].value()) == sorted(
        o.pk for o in (option("ก"), option("ข"), option("ค"))
    )
    response = client.post(
        "/console/rounds/new/",
        {
            "name_th": "รอบสำรวจปลายปี",
            "opens_on": "30/11/2569",
            "closes_on": "31/12/2569",
            "limitation_options": [option("ข").pk, option("ง").pk],
        },
    )
    assert response.status_code == 302
    round = SurveyRound.objects.get(name_th="รอบสำรวจปลายปี")
    assert _letters(round) == ["ข", "ง"]
    page = client.get(response["Location"]).content.decode()
    assert option("ง").text_th in page and option("ก").text_th not in page.split("<form")[0]
    event = AuditEvent.objects.get(action="readiness.round_created", target_id=str(round.pk))
    assert event.data["options"] == ["ข", "ง"]


def test_a_round_without_options_is_refused_with_a_thai_message(client, ega_admin):
    client.force_login(ega_admin)
    before = SurveyRound.objects.count()
    response = client.post(
        "/console/rounds/new/",
        {"name_th": "ไม่มีตัวเลือก", "opens_on": "30/11/2569", "closes_on": "31/12/2569"},
    )
    assert response.status_code == 200
    assert "โปรดเลือกตัวเลือกของคำถามข้อ 8 อย่างน้อยหนึ่งข้อ" in response.content.decode()
    assert SurveyRound.objects.count() == before


def test_changing_a_rounds_options_is_audited_and_answered_ones_stay(
    client, ega_admin, overseer, agency_a, officer_a
):
    SurveyRound.objects.update(status="archived")
    round = SurveyRoundFactory(limitation_options=[option("ก"), option("ข"), option("ค")])
    pin(agency_a)
    draft = services.survey_open(agency=agency_a, by=officer_a)
    services.survey_submit(
        response=draft,
        by=officer_a,
        revision=draft.revision,
        answers=answers(q8_limitations="some"),
        limitations=[option("ข")],
    )
    url = f"/console/rounds/{round.pk}/"
    data = {
        "action": "save",
        "name_th": round.name_th,
        "opens_on": round.opens_on.isoformat(),
        "closes_on": round.closes_on.isoformat(),
    }
    # the overseer reads the round's options but cannot change them
    client.force_login(overseer)
    page = client.get(url).content.decode()
    assert option("ค").text_th in page
    assert client.post(url, {**data, "limitation_options": [option("ก").pk]}).status_code == 403
    client.force_login(ega_admin)
    # ข was chosen by an answer: removing it is refused, in Thai, and nothing changes
    response = client.post(url, {**data, "limitation_options": [option("ก").pk]})
    assert response.status_code == 200
    assert "รอบการสำรวจต้องคงตัวเลือกที่หน่วยงานใช้ตอบไว้" in response.content.decode()
    assert _letters(round) == ["ก", "ข", "ค"]
    # adding ง and removing ค (no answer chose it) is saved and audited
    response = client.post(
        url, {**data, "limitation_options": [option("ก").pk, option("ข").pk, option("ง").pk]}
    )
    assert response.status_code == 302
    assert _letters(round) == ["ก", "ข", "ง"]
    event = AuditEvent.objects.get(action="readiness.round_changed", target_id=str(round.pk))
    assert event.actor == ega_admin
    assert event.data["options_added"] == ["ง"] and event.data["options_removed"] == ["ค"]
    # and the overseer finds it in the audit trail
    client.force_login(overseer)
    trail = client.get("/console/audit/", {"action": "readiness.round_changed"}).content.decode()
    assert "readiness.round_changed" in trail
