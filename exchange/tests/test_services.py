# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
import time

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from exchange import selectors, services
from exchange.models import AuditLogLeaf, DirectoryState, MemberKey, MerkleSubtree
from exchange.tests.factories import MemberFactory
from gdx_protocol import HubKey, SigningKey, load_signed_directory
from gdx_protocol.keys import load_private_pem
from gdx_protocol.merkle import MerkleTree, verify_consistency, verify_inclusion
from gdx_protocol.sth import verify_tree_head
from gdx_protocol.verify import check_consistency, check_inclusion

pytestmark = pytest.mark.django_db


def _append(n: int) -> MerkleTree:
    tree = MerkleTree()
    for i in range(n):
        data = f'{{"leaf":{i}}}'.encode()
        services.log_append(
            data=data,
            event="request",
            request_id=f"00000000-0000-4000-8000-{i:012d}",
            pseudonym="a" * 64,
        )
        tree.append(data)
    return tree


def test_stored_log_matches_the_in_memory_rfc6962_tree():
    tree = _append(21)
    assert AuditLogLeaf.objects.count() == 21
    assert MerkleSubtree.objects.count() == 0  # appends store leaves only
    from exchange import log

    # Growing sizes integrate the subtree cache batch by batch, from different frontiers.
    for size in (1, 2, 3, 7, 8, 13, 21):
        assert log.root_at(size) == tree.root(size)
        for index in (0, size // 2, size - 1):
            assert log.inclusion(index, size) == tree.inclusion_proof(index, size)
        for first in (1, size // 2, size):
            assert log.consistency(first, size) == tree.consistency_proof(first, size)
    # perfect subtrees: 10 + 5 + 2 + 1 for 21 leaves
    assert MerkleSubtree.objects.count() == 18
    assert log.integrate(21) == 0  # idempotent


def test_integration_interleaved_with_appends_matches_the_rfc6962_tree():
    from exchange import log

    tree = MerkleTree()
    for i in range(70):
        data = f'{{"leaf":{i}}}'.encode()
        services.log_append(
            data=data, event="request", request_id=f"00000000-0000-4000-8000-{i:012d}", pseudonym=""
        )
        tree.append(data)
        if i % 9 == 4 or i % 16 == 15:
            log.integrate(i + 1)
            assert log.integrated_prefix() <= i + 1
    for level, index, h in MerkleSubtree.objects.values_list("level", "index", "hash"):
        assert bytes(h) == tree.node(level, index)
    assert log.root_at(70) == tree.root(70)
    assert log.consistency(33, 70) == tree.consistency_proof(33, 70)


def test_proofs_read_few_rows(django_assert_max_num_queries):
    _append(100)
    from exchange import log

    log.integrate(100)
    with django_assert_max_num_queries(2):
        log.inclusion(37, 100)


def test_signed_tree_heads_and_proofs_verify_with_the_standalone_verifier(hub_key_file):
    _append(5)
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    first = services.tree_head_issue()
    assert services.tree_head_issue().pk == first.pk  # unchanged log: same head
    head5 = verify_tree_head(selectors.tree_head_json(first), [hub])
    _append(4)
    second = services.tree_head_issue()
    assert second.tree_size == 9
    doc = selectors.inclusion_proof(index=3, size=9, with_data=True)
    assert check_inclusion(doc, [hub])["ok"]
    cons = selectors.consistency_proof(first=5, second=9)
    assert check_consistency(cons, [hub])["ok"]
    verify_consistency(
        5, 9, head5.root_hash, bytes(second.root_hash), [bytes.fromhex(h) for h in cons["proof"]]
    )
    leaf = AuditLogLeaf.objects.get(index=3)
    verify_inclusion(
        bytes(leaf.leaf_hash),
        3,
        9,
        [bytes.fromhex(h) for h in doc["proof"]],
        bytes(second.root_hash),
    )


def test_inclusion_without_a_size_uses_the_newest_head_that_holds_the_leaf(hub_key_file, client):
    """The providers' log check (T18): no tree head signed per check while the newest holds
    the leaf; a new one when it does not. The proof verifies either way."""
    from exchange.models import SignedTreeHead

    _append(5)
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    head = services.tree_head_issue()
    _append(3)  # the log grows past the head
    assert services.tree_head_covering(4).pk == head.pk
    doc = client.get("/gdx/log/inclusion?index=4").json()
    assert doc["sth"]["tree_size"] == 5 and check_inclusion(doc, [hub])["ok"]
    assert SignedTreeHead.objects.count() == 1  # nothing signed for that check
    doc = client.get("/gdx/log/inclusion?index=6").json()  # not in the newest head
    assert doc["sth"]["tree_size"] == 8 and check_inclusion(doc, [hub])["ok"]
    assert SignedTreeHead.objects.count() == 2
    assert client.get("/gdx/log/inclusion?index=8").json()["error"] == "bad_proof"


def test_signed_directory_lists_members_and_revoked_keys(hub_key_file):
    member = MemberFactory()
    key = SigningKey.generate()
    serial = DirectoryState.objects.get(pk=1).serial
    row = services.member_key_add(
        member=member, use="sig", algorithm="ed25519", public_key=key.public_raw, by=None
    )
    services.member_key_revoke(key=row, by=None, reason="compromised")
    assert DirectoryState.objects.get(pk=1).serial == serial + 2
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    verified = load_signed_directory(selectors.directory_document(), [hub], now=int(time.time()))
    assert verified.directory.get_key(key.kid).status == "revoked"
    assert verified.serial == serial + 2


def test_member_services_write_the_audit_trail(ega_admin, agency_a):
    member = services.member_register(agency=agency_a, endpoint="http://127.0.0.1:1", by=ega_admin)
    services.member_suspend(member=member, by=ega_admin)
    services.member_reactivate(member=member, by=ega_admin)
    services.member_revoke(member=member, by=ega_admin)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "gdx.member.registered",
        "gdx.member.suspended",
        "gdx.member.active",
        "gdx.member.revoked",
    ]
    with pytest.raises(ValidationError):
        services.member_reactivate(member=member, by=ega_admin)


def test_a_duplicate_key_is_refused_and_nothing_is_written(agency_a):
    member = services.member_register(agency=agency_a, by=None)
    key = SigningKey.generate()
    services.member_key_add(
        member=member, use="sig", algorithm="ed25519", public_key=key.public_raw, by=None
    )
    with pytest.raises(ValidationError):
        services.member_key_add(
            member=member, use="sig", algorithm="ed25519", public_key=key.public_raw, by=None
        )
    assert MemberKey.objects.count() == 1


def _certificates(tmp_path, member_code: str):
    from agency_node.keystore import (
        certify_node_keys,
        generate_identity,
        generate_keys,
        load_identity,
    )

    generate_keys(tmp_path / "keys")
    generate_identity(tmp_path / "offline")
    identity = load_identity(tmp_path / "offline" / "identity.pem")
    return certify_node_keys(tmp_path / "keys", identity, member_code), identity


def test_member_keys_import_publishes_identity_and_certified_keys(
    tmp_path, agency_a, ega_admin, hub_key_file
):
    from gdx_protocol.trust import certificate_valid

    member = services.member_register(agency=agency_a, by=ega_admin)
    certs, identity = _certificates(tmp_path, member.code)
    added = services.member_keys_import(member=member, certificates=certs, by=ega_admin)
    assert len(added) == 2 and member.identity_kid == identity.kid
    hub = HubKey.from_signing_key(load_private_pem(hub_key_file.read_bytes()))
    verified = load_signed_directory(selectors.directory_document(), [hub], now=int(time.time()))
    published = verified.directory.get_member(member.code)
    assert published.identity.kid == identity.kid
    assert all(certificate_valid(published, k) for k in published.keys)
    assert services.member_keys_import(member=member, certificates=certs, by=ega_admin) == []
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["gdx.member.identity_set", "gdx.key.added", "gdx.key.added"]


def test_uncertified_keys_and_a_second_identity_are_refused(tmp_path, agency_a):
    member = services.member_register(agency=agency_a, by=None)
    certs, identity = _certificates(tmp_path, member.code)
    services.member_keys_import(member=member, certificates=certs, by=None)
    before = MemberKey.objects.count()
    stranger = SigningKey.generate()
    with pytest.raises(ValidationError):
        services.member_key_add(
            member=member, use="sig", algorithm="ed25519", public_key=stranger.public_raw, by=None
        )
    with pytest.raises(ValidationError):
        services.member_identity_set(
            member=member, algorithm="ed25519", public_key=stranger.public_raw, by=None
        )
    other, _ = _certificates(tmp_path / "other", member.code)
    with pytest.raises(ValidationError):
        services.member_keys_import(member=member, certificates=other, by=None)
    forged = dict(certs, member_id="someone-else")
    with pytest.raises(ValidationError):
        services.member_keys_import(member=member, certificates=forged, by=None)
    assert MemberKey.objects.count() == before
    member.refresh_from_db()
    assert member.identity_kid == identity.kid


def test_gdx_hub_keygen_creates_once_and_shows_the_key_again(settings, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.GDX_HUB_KEY_FILE = str(tmp_path / "hub" / "signing.pem")
    with pytest.raises(CommandError):
        call_command("gdx_hub_keygen", "--show", stdout=StringIO())  # nothing yet
    out = StringIO()
    call_command("gdx_hub_keygen", stdout=out)
    created = out.getvalue()
    with pytest.raises(CommandError) as info:
        call_command("gdx_hub_keygen", stdout=StringIO())
    assert "--show" in str(info.value)
    shown = StringIO()
    call_command("gdx_hub_keygen", "--show", stdout=shown)
    key = load_private_pem((tmp_path / "hub" / "signing.pem").read_bytes())
    assert key.kid in shown.getvalue() and key.kid in created
    assert shown.getvalue().splitlines()[-2] == created.splitlines()[-2]  # the same pin
