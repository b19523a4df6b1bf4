import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from readiness.models import LimitationOption, SurveyResponse, SurveyRound
from readiness.tests.factories import SurveyRoundFactory, answers, future

pytestmark = pytest.mark.django_db


def _response(agency, round, **fields) -> SurveyResponse:
    response = SurveyResponse(agency=agency, round=round, **answers(**fields))
    response.save()
    return response


# --- transitions --------------------------------------------------------------------------
def test_a_complete_draft_can_be_submitted(agency_a, open_round, officer_a):
    response = _response(agency_a, open_round)
    response.submit(by=officer_a, limitation_count=0)
    assert response.status == SurveyResponse.Status.SUBMITTED
    assert response.submitted_by == officer_a and response.submitted_at is not None


def test_an_incomplete_draft_cannot_be_submitted(agency_a, open_round, officer_a):
    response = _response(agency_a, open_round, q5_mou="", q3_service_points=None)
    with pytest.raises(ValidationError) as error:
        response.submit(by=officer_a, limitation_count=0)
    assert set(error.value.message_dict) == {"q5_mou", "q3_service_points"}
    assert response.status == SurveyResponse.Status.DRAFT


@pytest.mark.parametrize("status", ["submitted", "superseded"])
def test_only_a_draft_can_be_submitted(agency_a, open_round, officer_a, status):
    response = _response(agency_a, open_round)
    response.status = status
    with pytest.raises(ValidationError, match="ฉบับร่าง"):
        response.submit(by=officer_a, limitation_count=0)


def test_a_submitted_response_can_be_superseded(agency_a, open_round):
    response = _response(agency_a, open_round)
    response.status = SurveyResponse.Status.SUBMITTED
    response.supersede()
    assert response.status == SurveyResponse.Status.SUPERSEDED


@pytest.mark.parametrize("status", ["draft", "superseded"])
def test_only_a_submitted_response_can_be_superseded(agency_a, open_round, status):
    response = _response(agency_a, open_round)
    response.status = status
    with pytest.raises(ValidationError):
        response.supersede()


def test_a_round_is_archived_once(open_round):
    open_round.archive()
    assert open_round.status == SurveyRound.Status.ARCHIVED
    assert not open_round.is_open()
    with pytest.raises(ValidationError):
        open_round.archive()


# --- rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("choice", "missing"),
    [
        ({"q1_system": "developing"}, "q1_expected_on"),
        ({"q2_channels": ["other"], "q2_other": ""}, "q2_other"),
        ({"q4_plan": "yes", "q4_expected_on": None}, "q4_expected_on"),
        ({"q4_plan": "not_sure", "q4_reason": " "}, "q4_reason"),
        ({"q6_linkage": "in_progress", "q6_expected_on": None}, "q6_expected_on"),
        ({"q7_readers": "sufficient", "q7_readers_owned": None}, "q7_readers_owned"),
        ({"q7_readers": "insufficient", "q7_readers_needed": None}, "q7_readers_needed"),
        ({"q8_limitations": "some"}, "q8_options"),
        ({"q2_channels": []}, "q2_channels"),
        ({"respondent_email": ""}, "respondent_email"),
    ],
)
def test_each_conditional_answer_is_required_with_its_choice(agency_a, open_round, choice, missing):
    response = SurveyResponse(agency=agency_a, round=open_round, **answers(**choice))
    assert missing in response.missing_answers(limitation_count=0)


def test_answers_of_unchosen_branches_are_cleared(agency_a, open_round):
    response = SurveyResponse(
        agency=agency_a,
        round=open_round,
        **answers(
            q1_system="no",
            q1_expected_on=future(),
            q4_plan="no_policy",
            q4_reason="เหตุผล",
            q7_readers="sufficient",
            q7_readers_owned=3,
            q7_readers_needed=9,
            q2_channels=["office"],
            q2_other="ไลน์",
        ),
    )
    response.clear_unchosen_conditionals()
    assert response.q1_expected_on is None and response.q4_expected_on is None
    assert response.q4_reason == "" and response.q2_other == ""
    assert response.q7_readers_owned == 3 and response.q7_readers_needed is None


def test_a_past_expected_date_is_refused_on_a_draft(agency_a, open_round):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = SurveyResponse(
        agency=agency_a, round=open_round, **answers(q6_expected_on=yesterday)
    )
    with pytest.raises(ValidationError) as error:
        response.full_clean(exclude=["round", "agency"])
    assert "q6_expected_on" in error.value.message_dict


def test_a_submitted_answer_from_years_ago_stays_valid(agency_a, open_round):
    response = SurveyResponse(
        agency=agency_a,
        round=open_round,
        status="submitted",
        **answers(q6_expected_on=datetime.date(2018, 8, 31)),
    )
    response.full_clean(exclude=["round", "agency"])


def test_the_comment_counts_thai_characters_as_a_reader_does(agency_a, open_round):
    # "น้ำ" is three code points; the tone mark is not a character of its own: 2 each.
    thai = "น้ำ" * 250
    response = SurveyResponse(agency=agency_a, round=open_round, **answers(comment=thai))
    response.full_clean(exclude=["round", "agency"])
    response.comment = "ก" * 501
    with pytest.raises(ValidationError) as error:
        response.full_clean(exclude=["round", "agency"])
    assert "comment" in error.value.message_dict


@pytest.mark.parametrize(
    ("name", "value"),
    [("q3_service_points", 50_001), ("q7_readers_needed", 100_001), ("q7_readers_owned", -1)],
)
def test_absurd_counts_are_refused(agency_a, open_round, name, value):
    response = SurveyResponse(
        agency=agency_a, round=open_round, **answers(q7_readers="sufficient", **{name: value})
    )
    with pytest.raises(ValidationError) as error:
        response.full_clean(exclude=["round", "agency"])
    assert name in error.value.message_dict


def test_rounds_do_not_overlap_or_close_before_they_open(open_round):
    overlapping = SurveyRound(
        name_th="ซ้อน",
        opens_on=open_round.closes_on,
        closes_on=open_round.closes_on + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        overlapping.full_clean()
    backwards = SurveyRound(
        name_th="กลับหัว", opens_on=datetime.date(2030, 2, 1), closes_on=datetime.date(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        backwards.full_clean()
    assert "closes_on" in error.value.message_dict


def test_one_draft_per_agency_and_round(agency_a, open_round):
    from django.db import IntegrityError, transaction

    _response(agency_a, open_round)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(agency=agency_a, round=open_round, version=2)


def test_the_default_limitations_and_phase_one_are_shipped():
    letters = list(LimitationOption.objects.values_list("letter", flat=True))
    assert letters[:3] == ["ก", "ข", "ค"] and len(letters) >= 5
    phase1 = SurveyRound.objects.get(opens_on=datetime.date(2018, 5, 7))
    assert phase1.closes_on == datetime.date(2018, 5, 31)
    assert not phase1.is_open()


def test_round_factory_is_open():
    assert SurveyRoundFactory().is_open()
