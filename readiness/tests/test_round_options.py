"""Question 8's options per round: a round offers its own set and keeps every option it was
answered with."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from readiness import services
from readiness.models import SurveyRound
from readiness.tests.factories import SurveyRoundFactory, answers, option, post_data

pytestmark = pytest.mark.django_db
URL = "/my-agency/readiness/"


def _letters(options) -> list[str]:
    return sorted(o.letter for o in options)


@pytest.fixture
def two_option_round(db):
    SurveyRound.objects.update(status="archived")
    return SurveyRoundFactory(limitation_options=[option("ก"), option("ข")])


def test_the_survey_offers_only_the_rounds_options(client, pinned_a, officer_a, two_option_round):
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    client.force_login(officer_a)
    page = client.get(URL)
    assert _letters(page.context["form"].fields["q8_options"].queryset) == ["ก", "ข"]
    body = page.content.decode()
    assert option("ก").text_th in body and option("ง").text_th not in body
    # an option the round does not offer is refused and nothing is saved
    data = post_data(draft, q8_limitations="some", q8_options=[option("ง").pk], action="submit")
    assert client.post(URL, data).status_code == 200
    draft.refresh_from_db()
    assert draft.is_draft and not draft.q8_options.exists()
    # the service refuses it too, whoever calls it
    with pytest.raises(ValidationError):
        services.survey_save_draft(
            response=draft,
            by=officer_a,
            revision=draft.revision,
            answers=answers(q8_limitations="some"),
            limitations=[option("ง")],
        )
    assert not draft.q8_options.exists()


def test_an_old_rounds_answers_keep_their_options(client, pinned_a, officer_a, ega_admin):
    SurveyRound.objects.update(status="archived")
    old_round = SurveyRoundFactory()
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    old = services.survey_submit(
        response=draft,
        by=officer_a,
        revision=draft.revision,
        answers=answers(q8_limitations="some"),
        limitations=[option("ก"), option("ง")],
    )
    services.survey_round_archive(round=old_round, by=ega_admin)
    new_round = SurveyRoundFactory.build(limitation_options=None)
    services.survey_round_save(round=new_round, by=ega_admin, options=[option("ก"), option("ข")])

    # the new round's draft carries forward only what the new round offers
    new_draft = services.survey_open(agency=pinned_a, by=officer_a)
    assert new_draft.round == new_round
    assert _letters(new_draft.q8_options.all()) == ["ก"]
    # the old answers still show both options they were given
    old.refresh_from_db()
    assert _letters(old.q8_options.all()) == ["ก", "ง"]
    assert _letters(old_round.limitation_options.all()) == ["ก", "ข", "ค", "ง", "จ", "ฉ", "ช"]
    client.force_login(officer_a)
    body = client.get(old.get_absolute_url()).content.decode()
    assert option("ง").text_th in body


def test_a_round_keeps_the_options_it_was_answered_with(pinned_a, officer_a, ega_admin):
    SurveyRound.objects.update(status="archived")
    round = SurveyRoundFactory()
    draft = services.survey_open(agency=pinned_a, by=officer_a)
    services.survey_submit(
        response=draft,
        by=officer_a,
        revision=draft.revision,
        answers=answers(q8_limitations="some"),
        limitations=[option("ค")],
    )
    with pytest.raises(ValidationError) as refused:
        services.survey_round_save(round=round, by=ega_admin, options=[option("ก")])
    assert "ค" in str(refused.value.message_dict["limitation_options"])
    assert round.limitation_options.count() == 7
    assert not AuditEvent.objects.filter(action="readiness.round_changed").exists()
    # an empty set is refused too: question 8 needs something to tick
    with pytest.raises(ValidationError):
        services.survey_round_save(round=round, by=ega_admin, options=[])


def test_a_change_of_options_is_in_the_audit_trail(ega_admin):
    SurveyRound.objects.update(status="archived")
    round = SurveyRoundFactory.build(limitation_options=None)
    services.survey_round_save(round=round, by=ega_admin)  # a new round takes the latest set
    created = AuditEvent.objects.get(action="readiness.round_created")
    assert created.data["options"] == ["ก", "ข", "ค", "ง", "จ", "ฉ", "ช"]
    services.survey_round_save(
        round=round, by=ega_admin, options=[option("ก"), option("ข"), option("ค")]
    )
    changed = AuditEvent.objects.get(action="readiness.round_changed")
    assert changed.actor == ega_admin
    assert changed.data["options"] == ["ก", "ข", "ค"]
    assert changed.data["options_added"] == []
    assert changed.data["options_removed"] == ["ง", "จ", "ฉ", "ช"]


def test_an_option_no_longer_available_cannot_join_a_round(ega_admin):
    SurveyRound.objects.update(status="archived")
    withdrawn = option("ช")
    withdrawn.is_active = False
    withdrawn.save()
    round = SurveyRoundFactory(limitation_options=[option("ก"), withdrawn])
    assert services.limitation_options_default() == [option("ก")]
    services.survey_round_save(round=round, by=ega_admin, options=[option("ก")])
    with pytest.raises(ValidationError):
        services.survey_round_save(round=round, by=ega_admin, options=[option("ก"), withdrawn])
    # the next new round does not take it either
    services.survey_round_archive(round=round, by=ega_admin)
    later = SurveyRoundFactory.build(limitation_options=None)
    services.survey_round_save(round=later, by=ega_admin)
    assert _letters(later.limitation_options.all()) == ["ก"]


def test_a_round_added_in_djangos_admin_offers_the_latest_rounds_options(client):
    from accounts.models import User

    SurveyRound.objects.update(status="archived")
    SurveyRoundFactory(limitation_options=[option("ข"), option("ค")], status="archived")
    client.force_login(User.objects.create_superuser(email="root@ega.or.th", password="x" * 20))
    response = client.post(
        "/admin/readiness/surveyround/add/",
        {
            "name_th": "รอบจากหน้าผู้ดูแล",
            "opens_on": "1/12/2569",
            "closes_on": "31/12/2569",
            "status": "active",
            "limitation_options": [option("ก").pk],  # not a field there: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    round = SurveyRound.objects.get(name_th="รอบจากหน้าผู้ดูแล")
    assert _letters(round.limitation_options.all()) == ["ข", "ค"]
    assert AuditEvent.objects.get(action="readiness.round_created", target_id=str(round.pk)).data[
        "options"
    ] == ["ข", "ค"]
    page = client.get(f"/admin/readiness/surveyround/{round.pk}/change/").content.decode()
    assert "ข, ค" in page
