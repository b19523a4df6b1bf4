"""Every status workflow is declared with core.transitions: each allowed and each refused move
of every model, from every state."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from core.transitions import transition, transitions

# What each move needs to be called with (and how to make its own checks pass).
CALLS = {
    ("accounts.registration", "approve"): {"by": None},
    ("accounts.registration", "reject"): {"by": None},
    ("accounts.registration", "activate"): {},
    ("agencies.agency", "archive"): {},
    ("citizens.citizen", "archive"): {},
    ("citizens.citizen", "reactivate"): {},
    ("counter.verificationrecord", "void"): {"by": None, "reason": "พิมพ์ผิด"},
    ("complaints.complaint", "confirm"): {},
    ("complaints.complaint", "start"): {},
    ("complaints.complaint", "schedule"): {},
    ("complaints.complaint", "fix"): {},
    ("complaints.complaint", "close_not_responsible"): {},
    ("complaints.complaint", "close_duplicate"): {},
    ("complaints.complaint", "close_no_further_action"): {},
    ("complaints.complaint", "reopen"): {},
    ("agencies.agencyrequest", "approve"): {"by": None, "agency": None},
    ("agencies.agencyrequest", "reject"): {"by": None, "note": "ซ้ำ"},
    ("exchange.member", "suspend"): {},
    ("exchange.member", "reactivate"): {},
    ("exchange.member", "revoke"): {},
    ("exchange.documenttype", "archive"): {},
    ("exchange.accessright", "withdraw"): {},
    ("exchange.exchange", "deliver"): {"response_digest": "ab" * 32},
    ("exchange.exchange", "fail"): {"code": "provider_unreachable"},
    ("feedback.response", "flag"): {"reason": "honeypot"},
    ("line_channel.webhookevent", "start"): {},
    ("line_channel.webhookevent", "finish"): {},
    ("line_channel.webhookevent", "fail"): {"error": "ServiceException"},
    ("feedback.response", "accept"): {"by": None},
    ("feedback.response", "reject"): {"by": None},
    ("manual.service", "publish"): {},
    ("manual.service", "archive"): {},
    ("manual.service", "reopen"): {},
    ("progress.phase", "archive"): {},
    ("readiness.surveyround", "archive"): {},
    ("readiness.surveyresponse", "submit"): {"by": None, "limitation_count": 0},
    ("readiness.surveyresponse", "supersede"): {},
    ("service_points.servicepoint", "publish"): {},
    ("service_points.servicepoint", "archive"): {},
    ("service_points.servicepoint", "restore"): {},
    ("service_points.servicepointphoto", "archive"): {},
}


def _moves():
    for model in apps.get_models():
        for move in transitions(model):
            yield model, move


def _instance(model, field, state):
    instance = model()
    setattr(instance, field, state)
    if model._meta.label_lower == "manual.service":
        instance.has_unpublished_changes = True
    if model._meta.label_lower == "service_points.servicepoint":
        instance.has_active_photo = lambda: True
    if model._meta.label_lower == "readiness.surveyresponse":
        instance.missing_answers = lambda **kwargs: {}
    return instance


def test_every_declared_move_is_in_the_table():
    declared = {(model._meta.label_lower, move.name) for model, move in _moves()}
    assert declared == set(CALLS)


@pytest.mark.parametrize(
    ("model", "move"),
    list(_moves()),
    ids=lambda v: getattr(v, "name", None) or v._meta.label_lower,
)
def test_each_move_from_each_state(model, move):
    kwargs = CALLS[(model._meta.label_lower, move.name)]
    states = [value for value, _label in model._meta.get_field(move.field).choices]
    assert move.source <= set(states) and move.target in states
    for state in states:
        instance = _instance(model, move.field, state)
        if state in move.source:
            getattr(instance, move.name)(**kwargs)
            assert getattr(instance, move.field) == move.target, (state, move)
        else:
            with pytest.raises(ValidationError) as refused:
                getattr(instance, move.name)(**kwargs)
            assert refused.value.code == "illegal_transition"
            assert getattr(instance, move.field) == state


def test_a_check_in_the_method_refuses_before_the_state_changes():
    class Thing:
        status = "draft"

        @transition(source="draft", target="done")
        def finish(self, *, ready: bool) -> None:
            if not ready:
                raise ValidationError("not ready")

    thing = Thing()
    with pytest.raises(ValidationError):
        thing.finish(ready=False)
    assert thing.status == "draft"
    thing.finish(ready=True)
    assert thing.status == "done"
    with pytest.raises(ValidationError, match="“done”"):
        thing.finish(ready=True)
