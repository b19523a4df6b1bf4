import pytest
from django.core.exceptions import ValidationError

from accounts.models import Registration
from accounts.tests.factories import RegistrationFactory

S = Registration.Status


@pytest.mark.parametrize(
    ("start", "move", "end"),
    [
        (S.PENDING_APPROVAL, "approve", S.AWAITING_ACTIVATION),
        (S.PENDING_APPROVAL, "reject", S.REJECTED),
        (S.AWAITING_ACTIVATION, "activate", S.ACTIVATED),
    ],
)
def test_allowed_registration_moves(db, ega_admin, start, move, end):
    registration = RegistrationFactory(status=start)
    getattr(registration, move)(**({"by": ega_admin} if move != "activate" else {}))
    assert registration.status == end


@pytest.mark.parametrize(
    ("start", "move"),
    [
        (S.AWAITING_ACTIVATION, "approve"),
        (S.ACTIVATED, "approve"),
        (S.REJECTED, "approve"),
        (S.ACTIVATED, "reject"),
        (S.AWAITING_ACTIVATION, "reject"),
        (S.PENDING_APPROVAL, "activate"),
        (S.REJECTED, "activate"),
        (S.ACTIVATED, "activate"),
    ],
)
def test_refused_registration_moves(db, ega_admin, start, move):
    registration = RegistrationFactory(status=start)
    with pytest.raises(ValidationError):
        getattr(registration, move)(**({"by": ega_admin} if move != "activate" else {}))
    assert registration.status == start
