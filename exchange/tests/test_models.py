# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
import pytest
from django.core.exceptions import ValidationError

from exchange.models import AccessRight, DocumentType, Exchange, Member, MemberKey
from exchange.tests.factories import AccessRightFactory, MemberFactory
from gdx_protocol import SigningKey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "move", "end"),
    [
        ("active", "suspend", "suspended"),
        ("suspended", "reactivate", "active"),
        ("active", "revoke", "revoked"),
        ("suspended", "revoke", "revoked"),
    ],
)
def test_member_allowed_moves(start, move, end):
    member = MemberFactory(status=start)
    getattr(member, move)()
    assert member.status == end
    assert member.status_changed_at is not None


@pytest.mark.parametrize(
    ("start", "move"),
    [
        ("suspended", "suspend"),
        ("active", "reactivate"),
        ("revoked", "reactivate"),
        ("revoked", "suspend"),
        ("revoked", "revoke"),
    ],
)
def test_member_refused_moves(start, move):
    member = MemberFactory(status=start)
    with pytest.raises(ValidationError):
        getattr(member, move)()
    assert member.status == start


def test_member_code_is_the_agency_code():
    member = MemberFactory(code="")
    assert member.code == member.agency.code


def test_key_id_is_the_sha256_of_the_raw_public_key_and_revocation_is_once():
    key = SigningKey.generate()
    row = MemberKey(
        member=MemberFactory(), use="sig", algorithm="ed25519", public_key=key.public_raw
    )
    row.full_clean()
    row.save()
    assert row.kid == key.kid
    row.revoke(reason="lost")
    assert row.is_revoked
    with pytest.raises(ValidationError):
        row.revoke()


def test_key_with_an_algorithm_for_the_wrong_use_is_invalid():
    row = MemberKey(member=MemberFactory(), use="sig", algorithm="x25519", public_key=b"x" * 32)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "algorithm" in error.value.message_dict


def test_access_right_withdraw_once():
    right = AccessRightFactory()
    right.withdraw()
    assert right.status == AccessRight.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        right.withdraw()


def test_document_type_archive_once():
    doc = DocumentType.objects.get(code="juristic_person")
    doc.archive()
    with pytest.raises(ValidationError):
        doc.archive()


def _exchange(status):
    from django.utils import timezone

    return Exchange(
        request_id="6f1c2b1e-8a4e-4b5f-9c1d-2e3f4a5b6c7d",
        consumer=MemberFactory(),
        document_type="person_record",
        purpose="p",
        officer="o",
        subject_pseudonym="0" * 64,
        issued_at=timezone.now(),
        expires_at=timezone.now(),
        status=status,
        request_digest="0" * 64,
    )


def test_exchange_deliver_and_fail_only_from_forwarded():
    ex = _exchange(Exchange.Status.FORWARDED)
    ex.deliver(response_digest="1" * 64)
    assert ex.status == Exchange.Status.DELIVERED
    for start in (Exchange.Status.DELIVERED, Exchange.Status.REFUSED, Exchange.Status.FAILED):
        ex = _exchange(start)
        with pytest.raises(ValidationError):
            ex.deliver(response_digest="1" * 64)
        with pytest.raises(ValidationError):
            ex.fail(code="x")
    ex = _exchange(Exchange.Status.FORWARDED)
    ex.fail(code="bad_signature")
    assert (ex.status, ex.refusal_code) == (Exchange.Status.FAILED, "bad_signature")


def test_catalogue_is_seeded():
    assert set(DocumentType.objects.values_list("code", flat=True)) >= {
        "person_record",
        "house_registration",
        "juristic_person",
    }
    assert Member.objects.count() == 0
