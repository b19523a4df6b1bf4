import pytest

from readiness.models import SurveyResponse
from readiness.paths import OFFLINE, ONLINE_DOPA, ONLINE_EGA, recommend
from readiness.tests.factories import answers


def _r(**fields) -> SurveyResponse:
    return SurveyResponse(**answers(**fields))


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"q6_linkage": "linked", "q5_mou": "no", "q1_system": "no"}, ONLINE_DOPA),
        ({"q6_linkage": "in_progress", "q5_mou": "not_sure"}, ONLINE_DOPA),
        ({"q6_linkage": "not_yet", "q5_mou": "yes"}, ONLINE_DOPA),
        ({"q6_linkage": "not_yet", "q5_mou": "no", "q1_system": "yes"}, ONLINE_EGA),
        ({"q6_linkage": "not_yet", "q5_mou": "not_sure", "q1_system": "developing"}, ONLINE_EGA),
        ({"q6_linkage": "not_yet", "q5_mou": "no", "q1_system": "no"}, OFFLINE),
    ],
)
def test_the_path_follows_linkage_mou_and_system(fields, path):
    assert recommend(_r(**fields)).path == path


def test_card_readers_needed_become_a_next_step():
    rec = recommend(
        _r(
            q6_linkage="not_yet",
            q5_mou="no",
            q1_system="no",
            q7_readers="insufficient",
            q7_readers_needed=25,
        )
    )
    assert rec.path == OFFLINE
    assert any("25" in step for step in rec.next_steps)


def test_every_recommendation_has_a_label_reasons_and_steps():
    rec = recommend(_r())
    assert rec.label and rec.reasons and len(rec.next_steps) >= 2
