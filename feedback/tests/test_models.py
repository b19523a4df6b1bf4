import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from feedback.models import Response
from feedback.tests.factories import submit


def _new(point, **overrides):
    fields = {
        "point": point,
        "agency": point.agency,
        "overall": 5,
        "process": 5,
        "staff": 5,
        "facilities": 5,
        "outcome": 5,
        "asked_for_copy": False,
    }
    fields.update(overrides)
    return Response(**fields)


def test_a_new_answer_can_be_held_with_a_reason(point_a):
    response = _new(point_a)
    response.flag(reason=Response.FlagReason.HONEYPOT)
    assert response.status == Response.Status.FLAGGED
    assert response.flag_reason == "honeypot"


def test_holding_needs_a_known_reason(point_a):
    with pytest.raises(ValidationError):
        _new(point_a).flag(reason="")
    with pytest.raises(ValidationError):
        _new(point_a).flag(reason="because")


def test_a_stored_answer_cannot_be_held_again(point_a):
    response = submit(point_a)
    with pytest.raises(ValidationError):
        response.flag(reason=Response.FlagReason.DUPLICATE)


def test_held_answer_can_be_accepted_or_rejected(point_a, ega_admin):
    held = _new(point_a)
    held.flag(reason=Response.FlagReason.DUPLICATE)
    held.accept(by=ega_admin)
    assert held.status == Response.Status.ACCEPTED
    assert held.reviewed_by == ega_admin and held.reviewed_at is not None

    other = _new(point_a)
    other.flag(reason=Response.FlagReason.DUPLICATE)
    other.reject(by=ega_admin)
    assert other.status == Response.Status.REJECTED


@pytest.mark.parametrize("status", [Response.Status.ACCEPTED, Response.Status.REJECTED])
def test_only_held_answers_are_reviewed(point_a, ega_admin, status):
    response = _new(point_a, status=status)
    with pytest.raises(ValidationError):
        response.accept(by=ega_admin)
    with pytest.raises(ValidationError):
        response.reject(by=ega_admin)


@pytest.mark.parametrize("score", [0, 6, 100])
def test_scores_outside_1_to_5_fail_validation(point_a, score):
    with pytest.raises(ValidationError) as error:
        _new(point_a, staff=score).full_clean(exclude=["point", "agency", "service"])
    assert "staff" in error.value.message_dict


def test_the_database_refuses_scores_outside_1_to_5(point_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        _new(point_a, outcome=6).save()


def test_a_service_of_another_agency_is_refused(point_a, agency_b):
    from manual.tests.factories import make_published

    service = make_published(agency=agency_b)
    with pytest.raises(ValidationError) as error:
        _new(point_a, service=service).full_clean()
    assert "service" in error.value.message_dict
