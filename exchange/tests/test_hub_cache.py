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


def test_a_warm_exchange_reads_no_directory_version_on_postgresql(net):
    """PostgreSQL: the version is proven in the two writes, not read before each check."""
    from core import pg

    _ok(net)
    envelope, _pending = _request(net)
    reads = []
    real = pg.fetchone

    def counting(sql, params=(), **kw):
        reads.append(sql)
        return real(sql, params, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pg, "fetchone", counting)
        assert net.post(envelope).status_code == 200
    version_reads = [s for s in reads if s.startswith("SELECT") and "exchange_directorystate" in s]
    if connection.vendor == "postgresql":
        assert version_reads == [] and len(reads) == 2  # the request write, the answer write
    else:
        assert reads == []  # the ORM path, which reads the version before each check


def test_a_key_revoked_while_the_provider_answers_fails_the_exchange(net, monkeypatch):
    """The revocation commits after the request was recorded and before the answer is:
    the answer is checked again under the new directory and refused."""
    from exchange.models import AuditLogLeaf, Exchange

    _ok(net)
    real = services._post
    prov_key = MemberKey.objects.get(kid=net.prov.signing_key.kid)

    def revoking(url, body):
        answer = real(url, body)
        services.member_key_revoke(key=prov_key, by=None, reason="compromised")
        return answer

    monkeypatch.setattr(services, "_post", revoking)
    envelope, pending = _request(net)
    response = net.post(envelope)
    assert response.status_code == 502
    _refused(response, "revoked_key")
    row = Exchange.objects.get(request_id=pending.header.request_id)
    assert (row.status, row.refusal_code) == (Exchange.Status.FAILED, "revoked_key")
    events = AuditLogLeaf.objects.filter(request_id=pending.header.request_id)
    assert sorted(events.values_list("event", flat=True)) == ["refused", "request"]


def test_a_directory_change_between_check_and_write_is_checked_again(net, monkeypatch):
    """A change that commits between the check and the write (here: a new key of another
    member, which changes nothing for this exchange) writes nothing under the old version;
    the exchange is checked again and delivered, with one leaf per step."""
    from exchange import log
    from exchange.models import AuditLogLeaf, Exchange

    _ok(net)
    calls = []
    on_pg = connection.vendor == "postgresql"
    real = log.append_at_version if on_pg else services.log_append

    def moving(*args, **kwargs):
        if not calls:
            hub.directory_changed(published=False)  # as if another process had committed
        calls.append(1)
        return real(*args, **kwargs)

    if on_pg:
        monkeypatch.setattr(log, "append_at_version", moving)
    else:  # the ORM path: the version was read before the check; the write proves nothing
        monkeypatch.setattr(services, "log_append", moving)
    envelope, pending = _request(net)
    assert net.post(envelope).status_code == 200
    row = Exchange.objects.get(request_id=pending.header.request_id)
    assert row.status == Exchange.Status.DELIVERED
    events = AuditLogLeaf.objects.filter(request_id=pending.header.request_id)
    assert sorted(events.values_list("event", flat=True)) == ["request", "response"]
    # PostgreSQL: the request's write found the version moved and wrote nothing, then both
    # writes went through; the ORM path wrote twice.
    assert len(calls) == (3 if on_pg else 2)


def test_a_directory_that_never_settles_answers_busy_and_writes_nothing(net, monkeypatch):
    """PostgreSQL: after a few attempts, "busy" (503) and no row or leaf. The ORM path reads
    the version before each check, so a change before each write cannot hold it up."""
    from exchange import log
    from exchange.models import AuditLogLeaf, Exchange

    _ok(net)
    before = AuditLogLeaf.objects.count()
    on_pg = connection.vendor == "postgresql"
    real = log.append_at_version if on_pg else services.log_append

    def always_moving(*args, **kwargs):
        hub.directory_changed(published=False)
        return real(*args, **kwargs)

    monkeypatch.setattr(log, "append_at_version", always_moving)
    monkeypatch.setattr(services, "log_append", always_moving)
    envelope, pending = _request(net)
    response = net.post(envelope)
    rows = Exchange.objects.filter(request_id=pending.header.request_id)
    if on_pg:
        _refused(response, "busy", 503)
        assert not rows.exists()
        assert AuditLogLeaf.objects.count() == before
    else:
        assert response.status_code == 200
        assert rows.get().status == Exchange.Status.DELIVERED
