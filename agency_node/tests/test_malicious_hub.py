"""A malicious hub (the real hub signing key in the operator's hands) against unmodified
nodes: every attempt to read a subject or a document fails, and a node reports it with
the threat numbers of docs/gdx-threat-model.md.

Each network runs twice: with witnesses (EGA, OPDC, DOPA; quorum 2) and without, so the
key certificates and pins are shown to hold on their own too.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from agency_node.__main__ import main
from agency_node.config import NodeConfig
from agency_node.node import AgencyNode, _LogCheck
from agency_node.sample_provider import SampleCivilRegistry
from agency_node.server import NodeHTTPServer
from gdx_protocol import SigningKey, parse_response_envelope
from gdx_protocol.encoding import b64e
from gdx_protocol.errors import GdxError
from gdx_protocol.trust import Witness, member_from_certificates

from .fake_hub import FakeHubServer
from .malicious_hub import MaliciousHub

REGISTRY = SampleCivilRegistry()
CID = REGISTRY.citizen_ids()[7]


def _cli(*args: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(args)) == 0
    return json.loads(out.getvalue())


@dataclass
class Net:
    tmp: Path
    hub: MaliciousHub
    provider: AgencyNode
    consumer: AgencyNode
    configs: dict[str, Path]
    servers: list

    def ask(self, cid: str = CID):
        return self.consumer.request(
            document_type="person_record",
            citizen_id=cid,
            purpose="welfare",
            officer="officer-1",
            legal_basis="PDPA s.24(4)",
        )

    def codes(self, node: AgencyNode) -> set[str]:
        return {a.code for a in node.alarms}

    def threats(self, node: AgencyNode) -> set[str]:
        return {t for a in node.alarms for t in a.threats}

    def restart_provider(self) -> AgencyNode:
        node = AgencyNode(NodeConfig.load(self.configs["dopa"]), data_source=REGISTRY)
        self.servers[0].node = node
        self.provider = node
        return node


def _member(tmp: Path, member: str) -> dict:
    _cli("keygen", "--dir", str(tmp / f"{member}-keys"))
    _cli("identity-keygen", "--dir", str(tmp / f"{member}-offline"))
    return _cli(
        "certify",
        "--identity",
        str(tmp / f"{member}-offline" / "identity.pem"),
        "--keys",
        str(tmp / f"{member}-keys"),
        "--member",
        member,
    )


@pytest.fixture(params=[True, False], ids=["witnessed", "certificates-only"])
def net(request, tmp_path):
    witnessed = request.param
    hub = MaliciousHub()
    witnesses = [
        Witness(name, SigningKey.generate(), [hub.anchor], tmp_path / f"witness-{name}.json")
        for name in ("ega", "opdc", "dopa-witness")
    ]
    if witnessed:
        hub.witnesses = witnesses
    hub_server = FakeHubServer(hub)
    threading.Thread(target=hub_server.serve_forever, daemon=True).start()
    (tmp_path / "pseudonym.key").write_text(b64e(os.urandom(32)))
    configs = {}
    for member in ("dopa", "sso"):
        cfg = {
            "member_id": member,
            "key_dir": f"{member}-keys",
            "hub_url": hub_server.url,
            "hub_keys": [{"alg": hub.key.alg, "pub": b64e(hub.key.public_raw)}],
            "pseudonym_key_file": "pseudonym.key",
            "state_dir": f"{member}-state",
            "providers": {"person_record": "dopa"},
            "directory_refresh": 3600,
            # The T18 log check samples one request in 16 by chance; off here so a check
            # scheduled by the fixture's first contact cannot run inside a test. Tests of
            # the check turn it on.
            "log_check_every": 0,
        }
        if witnessed:
            cfg["witnesses"] = [
                {"name": w.name, "alg": w.key.alg, "pub": b64e(w.key.public_raw)} for w in witnesses
            ]
            cfg["witness_quorum"] = 2
        configs[member] = tmp_path / f"{member}.json"
        configs[member].write_text(json.dumps(cfg))
    certs = {m: _member(tmp_path, m) for m in configs}
    provider = AgencyNode(NodeConfig.load(configs["dopa"]), data_source=REGISTRY)
    prov_server = NodeHTTPServer(provider, "127.0.0.1", 0)
    threading.Thread(target=prov_server.serve_forever, daemon=True).start()
    hub.directory.put_member(member_from_certificates(certs["dopa"], endpoint=prov_server.url))
    hub.directory.put_member(member_from_certificates(certs["sso"]))
    consumer = AgencyNode(NodeConfig.load(configs["sso"]))
    net = Net(tmp_path, hub, provider, consumer, configs, [prov_server, hub_server])
    # First contact while the hub is honest: pins learnt, witnesses see the real keys.
    assert net.ask().status == "found"
    provider.refresh_directory()
    assert not provider.alarms and not consumer.alarms
    yield net
    for server in (prov_server, hub_server):
        server.shutdown()
        server.server_close()


def _leaks(net: Net) -> bool:
    crossed = b"".join(net.hub.seen_bodies)
    doc = REGISTRY.fetch("person_record", CID)
    assert doc is not None
    return CID.encode() in crossed or doc["first_name"].encode() in crossed


def test_planted_provider_key_is_never_used(net):
    """T1/T3/T4: the hub adds its own encryption key under the provider's name."""
    net.hub.victim = "dopa"
    net.hub.attacks = {"plant_keys"}
    net.consumer.refresh_directory()
    net.provider.refresh_directory()
    doc = net.ask()  # the consumer still seals to the provider's certified key
    assert doc.status == "found"
    assert net.hub.read_attempts == ["subject: tampered"]  # the hub could not open it
    assert not _leaks(net)
    if net.hub.witnesses:
        # No witness cosigns a directory with an uncertified key: both nodes refuse it.
        assert "witness_quorum" in net.codes(net.consumer)
        assert "T4" in net.threats(net.consumer) and "T4" in net.threats(net.provider)
    else:
        assert "uncertified_key" in net.codes(net.consumer)
        assert "T1" in net.threats(net.consumer)
        # The provider sees keys under its own name that it did not create.
        assert "foreign_key" in net.codes(net.provider)
        assert "T3" in net.threats(net.provider)


def test_swapped_identity_key_is_refused(net):
    """T2/T3/T4: the hub replaces the provider's identity key with its own and certifies
    its own keys with it."""
    net.hub.victim = "dopa"
    net.hub.attacks = {"swap_identity"}
    net.consumer.refresh_directory()
    net.provider.refresh_directory()
    if net.hub.witnesses:
        assert net.ask().status == "found"  # the forged directory never got a quorum
        assert net.hub.read_attempts == ["subject: tampered"]
        assert "T4" in net.threats(net.consumer)
    else:
        with pytest.raises(GdxError) as info:
            net.ask()
        assert info.value.code == "identity_changed"  # pinned on first contact
        assert net.hub.read_attempts == []
        assert "T2" in net.threats(net.consumer)
        assert {"T2", "T3"} <= net.threats(net.provider)
    assert not _leaks(net)


def test_first_contact_forgery_is_caught(net, tmp_path):
    """A node that never saw the provider before (no pin yet): the witnesses remember the
    real identity key; without witnesses the victim's own monitoring reports it."""
    net.hub.victim = "dopa"
    net.hub.attacks = {"swap_identity"}
    cfg = json.loads(net.configs["sso"].read_text())
    cfg["state_dir"] = "sso-state-new"  # no pins: first contact
    fresh = tmp_path / "sso-new.json"
    fresh.write_text(json.dumps(cfg))
    newcomer = AgencyNode(NodeConfig.load(fresh))
    newcomer.refresh_directory()
    net.provider.refresh_directory()
    if net.hub.witnesses:
        with pytest.raises(GdxError) as info:
            newcomer.request(
                document_type="person_record",
                citizen_id=CID,
                purpose="welfare",
                officer="officer-2",
                legal_basis="PDPA",
            )
        assert info.value.code == "witness_quorum"
        assert "T4" in {t for a in newcomer.alarms for t in a.threats}
    else:
        assert {"T2", "T3"} <= net.threats(net.provider)


def test_pinned_fingerprint_from_config_beats_first_contact(net, tmp_path):
    net.hub.victim = "dopa"
    net.hub.attacks = {"swap_identity"}
    real = json.loads((net.tmp / "dopa-keys" / "certificates.json").read_text())["fingerprint"]
    cfg = json.loads(net.configs["sso"].read_text())
    cfg.update(state_dir="sso-state-pinned", identity_pins={"dopa": real}, witness_quorum=0)
    path = tmp_path / "sso-pinned.json"
    path.write_text(json.dumps(cfg))
    node = AgencyNode(NodeConfig.load(path))
    node.refresh_directory()
    with pytest.raises(GdxError) as info:
        node.request(
            document_type="person_record",
            citizen_id=CID,
            purpose="welfare",
            officer="officer-3",
            legal_basis="PDPA",
        )
    assert info.value.code == "identity_changed"
    assert "T2" in {t for a in node.alarms for t in a.threats}


def test_resealed_request_with_planted_consumer_key_is_refused(net):
    """T1/T12: the hub poses as the consumer with its own signing key."""
    net.hub.victim = "sso"
    net.hub.attacks = {"plant_keys", "reseal"}
    net.hub.reseal_subject = REGISTRY.citizen_ids()[9]
    net.provider.refresh_directory()
    with pytest.raises(GdxError):
        net.ask()
    (attempt,) = [a for a in net.hub.read_attempts if a.startswith("reseal")]
    assert attempt.startswith("reseal: 401")  # the provider did not answer
    if net.hub.witnesses:
        assert "T4" in net.threats(net.provider)
    else:
        assert "uncertified_key" in net.codes(net.provider)
        assert "T12" in net.threats(net.provider)


def test_reordered_answer_is_refused(net):
    """T7: the hub hands one request's answer to the next request."""
    net.hub.attacks = {"reorder"}
    assert net.ask().status == "found"  # held back; the first goes through
    with pytest.raises(GdxError) as info:
        net.ask(REGISTRY.citizen_ids()[8])
    assert info.value.code == "mismatch"
    assert "T7" in net.threats(net.consumer)


def test_dropped_answer_is_reported(net):
    """T8: the hub drops the answer; the consumer gets an error, never a forged one."""
    net.hub.attacks = {"drop"}
    with pytest.raises(GdxError) as info:
        net.ask()
    assert info.value.code == "provider_unreachable"
    assert net.hub.leaves[-1]  # and the hub's own log shows the provider did answer
    assert json.loads(net.hub.leaves[-1])["event"] == "response"


def test_replay_after_provider_restart_is_refused(net):
    """T9: the hub replays a forward the provider answered, after the provider restarted."""
    captured = net.hub.forwards[-1]
    net.restart_provider()
    net.hub.victim = "dopa"
    status, body = net.hub.replay_forward(captured)
    assert status == 409 and json.loads(body)["error"] == "replay"
    assert "T9" in net.threats(net.provider)


def test_found_and_not_found_answers_look_alike_to_the_hub(net):
    """T6: through the real network, both answers have one length."""
    missing = "999999999999"
    from gdx_protocol import thai_id_check_digit

    missing += str(thai_id_check_digit(missing))
    assert net.ask().status == "found"
    found = net.hub.seen_bodies[-1]
    assert net.ask(missing).status == "not_found"
    not_found = net.hub.seen_bodies[-1]
    assert len(found) == len(not_found)
    assert len(parse_response_envelope(found).ct) == len(parse_response_envelope(not_found).ct)


def test_a_new_member_is_answered_after_one_refresh(net, tmp_path):
    """Node operations: a member registered after the provider's last refresh is not
    refused ``unknown_key`` for up to ``directory_refresh`` seconds; one fetch, then the
    answer. A made-up key gets one fetch at most, then the refusal."""
    certs = _member(tmp_path, "dol")
    net.hub.directory.put_member(member_from_certificates(certs))
    cfg = json.loads(net.configs["sso"].read_text())
    cfg.update(member_id="dol", key_dir="dol-keys", state_dir="dol-state")
    path = tmp_path / "dol.json"
    path.write_text(json.dumps(cfg))
    newcomer = AgencyNode(NodeConfig.load(path))
    fetches = net.hub.serial
    doc = newcomer.request(
        document_type="person_record",
        citizen_id=CID,
        purpose="land transfer",
        officer="dol-officer",
        legal_basis="Land Code s.71",
    )
    assert doc.status == "found"
    # The newcomer fetched once (first use); the provider fetched once (unknown key).
    assert net.hub.serial == fetches + 2
    assert not net.provider.alarms


def test_certify_offline_from_public_keys_matches_certify_from_the_folder(tmp_path):
    public = tmp_path / "keys.json"
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["keygen", "--dir", str(tmp_path / "k")]) == 0
    public.write_text(out.getvalue())
    _cli("identity-keygen", "--dir", str(tmp_path / "off"))
    identity = str(tmp_path / "off" / "identity.pem")
    offline = _cli("certify", "--identity", identity, "--public", str(public), "--member", "x")
    online = _cli("certify", "--identity", identity, "--keys", str(tmp_path / "k"), "--member", "x")
    assert offline == online  # Ed25519 signatures are deterministic
    assert member_from_certificates(offline).identity is not None


def test_request_command_does_not_need_the_provider_data_source(net, tmp_path, capsys):
    cfg = json.loads(net.configs["sso"].read_text())
    cfg["data_source"] = "registry_not_installed_here:Registry"  # would fail to import
    path = tmp_path / "sso-with-source.json"
    path.write_text(json.dumps(cfg))
    args = ["--type", "person_record", "--citizen-id", CID, "--purpose", "p", "--officer", "o"]
    assert main(["request", "--config", str(path), *args]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "found"


def test_a_forward_the_hub_did_not_log_is_reported(net):
    """T18: the hub forwards a request without logging it (it would be missing from the
    citizen's "who asked"); the provider checks the log after answering."""
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 0
    assert net.ask().status == "found"  # logged: no alarm
    net.provider.wait_for_log_checks()
    assert not net.provider.alarms
    net.hub.attacks = {"unlogged"}
    assert net.ask(REGISTRY.citizen_ids()[8]).status == "found"
    net.provider.wait_for_log_checks()
    assert "not_logged" in net.codes(net.provider)
    assert "T18" in net.threats(net.provider)


def test_a_forward_the_hub_will_not_prove_is_reported(net):
    """T18: the hub countersigns an index past the end of its log and, asked for the proof,
    answers that its log holds no such leaf (4xx): reported at once."""
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 0
    net.hub.attacks = {"unlogged_past_end"}
    assert net.ask(REGISTRY.citizen_ids()[8]).status == "found"
    net.provider.wait_for_log_checks()
    assert "not_logged" in net.codes(net.provider)
    assert "T18" in net.threats(net.provider)


def test_a_hub_that_never_answers_the_log_check_is_reported(net, monkeypatch):
    """T18: a hub that answers every audit-log check with 503 (rather than show a log
    without the request) is asked `log_check_attempts` times, each wait four times the
    last, and then reported."""
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 0
    net.provider.config.log_check_attempts = 3
    asked: list[int] = []
    original = net.provider.check_logged

    def spy(*args):
        asked.append(args[0])
        return original(*args)

    monkeypatch.setattr(net.provider, "check_logged", spy)
    net.hub.attacks = {"proofs_unanswered"}
    assert net.ask(REGISTRY.citizen_ids()[8]).status == "found"
    net.provider.wait_for_log_checks()
    assert len(asked) == 3 and len(set(asked)) == 1
    assert net.codes(net.provider) == {"log_unproven"}
    assert net.threats(net.provider) == {"T18"}


def test_an_honest_hub_busy_for_a_moment_is_asked_again_not_reported(net):
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 0
    net.hub.busy_proofs = 2
    assert net.ask().status == "found"
    net.provider.wait_for_log_checks()
    assert net.hub.busy_proofs == 0  # asked three times: busy, busy, proven
    assert not net.provider.alarms


def test_unanswered_log_checks_wait_longer_each_time(net, monkeypatch):
    """With the default delay, a check the hub left unanswered is asked again 8 s later,
    then 32 s, then 128 s: a hub down for a few minutes is not reported."""
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 2.0
    queued = []
    monkeypatch.setattr(net.provider, "_queue_log_check", lambda check: queued.append(check))
    check = _LogCheck(due=0.0, seq=1, log_index=5, leaf=b"x", request_id="r")
    waits = []
    for _ in range(3):
        before = time.monotonic()
        net.provider._log_check_unanswered(check)
        check = queued[-1]
        waits.append(round(check.due - before))
    assert waits == [8, 32, 128]
    net.provider._log_check_unanswered(check)  # the fourth unanswered attempt: reported
    assert len(queued) == 3 and net.codes(net.provider) == {"log_unproven"}


def test_the_log_check_runs_its_delay_after_the_answer(net, monkeypatch):
    """The provider waits `log_check_delay` before the T18 check, so the hub can prove the
    checks of a moment under one tree head it has already signed."""
    net.provider.config.log_check_every = 1
    net.provider.config.log_check_delay = 0.5
    checked: list[float] = []
    original = net.provider.check_logged

    def spy(*args):
        checked.append(time.monotonic())
        return original(*args)

    monkeypatch.setattr(net.provider, "check_logged", spy)
    started = time.monotonic()
    assert net.ask().status == "found"
    net.provider.wait_for_log_checks()
    assert len(checked) == 1 and checked[0] - started >= 0.5
    assert not net.provider.alarms
