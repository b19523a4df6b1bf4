"""Each allowed and refused move of a complaint's state."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint

S = Complaint.State
ALLOWED = {
    (S.RECEIVED, S.CONFIRMED),
    (S.RECEIVED, S.IN_PROGRESS),
    (S.RECEIVED, S.ACTION_SCHEDULED),
    (S.RECEIVED, S.FIXED),
    (S.CONFIRMED, S.IN_PROGRESS),
    (S.CONFIRMED, S.ACTION_SCHEDULED),
    (S.CONFIRMED, S.FIXED),
    (S.IN_PROGRESS, S.ACTION_SCHEDULED),
    (S.IN_PROGRESS, S.FIXED),
    (S.ACTION_SCHEDULED, S.IN_PROGRESS),
    (S.ACTION_SCHEDULED, S.FIXED),
} | {
    (start, closed)
    for start in (S.RECEIVED, S.CONFIRMED, S.IN_PROGRESS, S.ACTION_SCHEDULED)
    for closed in Complaint.CLOSED_STATES
}


@pytest.mark.parametrize("start,end", list(itertools.product(S.values, S.values)))
def test_every_move_is_allowed_or_refused_as_the_table_says(start, end):
    complaint = Complaint(state=start)
    if (start, end) in ALLOWED:
        assert complaint.transition(end) == start
        assert complaint.state == end
    else:
        with pytest.raises(ValidationError) as refused:
            complaint.transition(end)
        assert "cannot be moved" in str(refused.value) or "ไม่สามารถ" in str(refused.value)
        assert complaint.state == start


def test_fixing_and_closing_stamp_their_times():
    complaint = Complaint(state=S.IN_PROGRESS)
    complaint.transition(S.FIXED)
    assert complaint.fixed_at is not None and complaint.closed_at is None
    other = Complaint(state=S.RECEIVED)
    other.transition(S.NO_FURTHER_ACTION)
    assert other.closed_at is not None


@pytest.mark.parametrize("state", [S.FIXED, *Complaint.CLOSED_STATES])
def test_a_done_complaint_reopens_to_confirmed_and_counts(state):
    complaint = Complaint(state=state, reopen_count=1)
    complaint.reopen()
    assert complaint.state == S.CONFIRMED
    assert complaint.reopen_count == 2
    assert complaint.fixed_at is None


@pytest.mark.parametrize("state", Complaint.OPEN_STATES)
def test_an_open_complaint_cannot_be_reopened(state):
    with pytest.raises(ValidationError):
        Complaint(state=state).reopen()


def test_open311_status_is_open_or_closed():
    assert {Complaint(state=s).open311_status for s in Complaint.OPEN_STATES} == {"open"}
    assert {Complaint(state=s).open311_status for s in Complaint.DONE_STATES} == {"closed"}


def test_the_moves_are_declared_with_core_transitions():
    """The table the forms offer is the one the @transition declarations make."""
    derived = {(start, end) for start, ends in Complaint.TRANSITIONS.items() for end in ends}
    assert derived == ALLOWED
    assert Complaint.MOVES[S.FIXED] == "fix"


def test_reopen_is_refused_with_its_own_message():
    with pytest.raises(ValidationError, match="reopened|เปิดเรื่องใหม่"):
        Complaint(state=S.IN_PROGRESS).reopen()
