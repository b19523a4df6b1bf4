# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""The hub's cached view of members, keys, catalogue and rights (ADR 0032): fast, and still
"revocation at once" — every change replaces the directory version the cache is keyed by."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchange import hub, services
from exchange.models import AccessRight, DirectoryState, DocumentType, MemberKey
from exchange.tests.test_exchange_flow import _refused, _request


def _ok(net):
    envelope, _pending = _request(net)
    response = net.post(envelope)
    assert response.status_code == 200, response.content
    return response


def test_a_warm_exchange_reads_no_member_key_or_right_rows(net):
    _ok(net)
    envelope, _pending = _request(net)
    with CaptureQueriesContext(connection) as ctx:
        assert net.post(envelope).status_code == 200
    tables = (
        "exchange_member",
        "exchange_memberkey",
        "exchange_accessright",
        "exchange_documenttype",
    )
    for query in ctx.captured_queries:
        assert not any(f'"{t}"' in query["sql"] for t in tables), query["sql"]
    # SQLite path, savepoints included (35 before ADR 0032); PostgreSQL runs 4 statements.
    assert len(ctx.captured_queries) <= 14


def test_a_key_revoked_after_a_cached_exchange_is_refused_at_once(net):
    _ok(net)
    services.member_key_revoke(
        key=MemberKey.objects.get(kid=net.cons.signing_key.kid), by=None, reason="test"
    )
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "revoked_key", 403)


def test_a_member_suspended_after_a_cached_exchange_is_refused_at_once(net):
    _ok(net)
    services.member_suspend(member=net.consumer, by=None)
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "revoked_key", 403)


def test_a_right_withdrawn_after_a_cached_exchange_is_refused_at_once(net):
    _ok(net)
    right = AccessRight.objects.get(consumer=net.consumer)
    services.access_right_withdraw(right=right, by=None)
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "no_access_right", 403)


def test_a_catalogue_change_after_a_cached_exchange_applies_at_once(net):
    _ok(net)
    doc = DocumentType.objects.get(code="person_record")
    services.document_type_set_provider(document_type=doc, provider=net.consumer2, by=None)
    envelope, _pending = _request(net)
    _refused(net.post(envelope), "wrong_provider", 421)


def test_admin_style_saves_replace_the_version_and_bump_the_published_serial(net):
    state = DirectoryState.objects.get(pk=1)
    key = MemberKey.objects.get(kid=net.cons.signing_key.kid)
    key.save()  # e.g. the Django admin
    after = DirectoryState.objects.get(pk=1)
    assert after.version != state.version and after.serial == state.serial + 1
    right = AccessRight.objects.get(consumer=net.consumer)
    right.save()
    last = DirectoryState.objects.get(pk=1)
    assert last.version != after.version and last.serial == after.serial  # not published


def test_the_snapshot_is_shared_until_the_version_changes(net):
    first = hub.snapshot()
    assert hub.snapshot() is first
    hub.directory_changed(published=False)
    assert hub.snapshot() is not first


@pytest.mark.django_db
def test_without_a_version_nothing_is_cached():
    DirectoryState.objects.all().delete()
    assert hub.snapshot() is not hub.snapshot()


def test_the_hub_stores_merkle_subtrees_in_batches_after_answering(net, monkeypatch):
    from exchange import log
    from exchange.models import MerkleSubtree

    monkeypatch.setattr(log, "INTEGRATE_EVERY", 2)  # every exchange, for the test
    _ok(net)
    assert MerkleSubtree.objects.filter(level=1, index=0).exists()  # leaves 0 and 1
    assert log.integrated_prefix() == 2
