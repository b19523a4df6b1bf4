"""End to end over real HTTP on loopback: consumer node -> fake hub -> provider node."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
import urllib.error
import urllib.request
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from agency_node.__main__ import main
from agency_node.config import NodeConfig
from agency_node.node import AgencyNode
from agency_node.sample_provider import SampleCivilRegistry
from agency_node.server import NodeHTTPServer
from gdx_protocol import member_from_public_keys, merkle
from gdx_protocol.encoding import b64e
from gdx_protocol.errors import GdxError

from .fake_hub import FakeHub, FakeHubServer

PSEUDONYM_KEY = b64e(os.urandom(32))
TOKEN = "s3cret"
REGISTRY = SampleCivilRegistry()


def _start(server) -> None:
    threading.Thread(target=server.serve_forever, daemon=True).start()


def _keygen(key_dir: Path, *extra: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["keygen", "--dir", str(key_dir), *extra]) == 0
    return json.loads(out.getvalue())


def _config(tmp: Path, member: str, hub: FakeHub, hub_url: str, **extra) -> Path:
    cfg = {
        "member_id": member,
        "key_dir": f"{member}-keys",
        "hub_url": hub_url,
        "hub_keys": [{"alg": hub.key.alg, "pub": b64e(hub.key.public_raw)}],
        "pseudonym_key_file": "pseudonym.key",
        "listen_port": 0,
        "providers": {
            "person_record": "dopa",
            "house_registration": "dopa",
            "juristic_person": "dopa",
        },
        **extra,
    }
    path = tmp / f"{member}.json"
    path.write_text(json.dumps(cfg))
    return path


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gdx")
    (tmp / "pseudonym.key").write_text(PSEUDONYM_KEY)
    hub = FakeHub()
    hub_server = FakeHubServer(hub)
    _start(hub_server)

    prov_pub = _keygen(tmp / "dopa-keys")
    prov_cfg = _config(
        tmp,
        "dopa",
        hub,
        hub_server.url,
        data_source="agency_node.sample_provider:SampleCivilRegistry",
    )
    provider = AgencyNode(NodeConfig.load(prov_cfg), data_source=REGISTRY)
    prov_server = NodeHTTPServer(provider, "127.0.0.1", 0)
    _start(prov_server)
    hub.directory.put_member(
        member_from_public_keys("dopa", prov_pub["keys"], endpoint=prov_server.url)
    )

    cons_pub = _keygen(tmp / "sso-keys", "--sig-alg", "ml-dsa-65")
    cons_cfg = _config(tmp, "sso", hub, hub_server.url, local_token="s3cret")
    consumer = AgencyNode(NodeConfig.load(cons_cfg))
    cons_server = NodeHTTPServer(consumer, "127.0.0.1", 0)
    _start(cons_server)
    hub.directory.put_member(member_from_public_keys("sso", cons_pub["keys"]))

    yield {
        "tmp": tmp,
        "hub": hub,
        "provider": provider,
        "consumer": consumer,
        "consumer_url": cons_server.url,
        "provider_url": prov_server.url,
        "consumer_cfg": cons_cfg,
        "cons_pub": cons_pub,
    }
    for server in (hub_server, prov_server, cons_server):
        server.shutdown()
        server.server_close()


def _post(url: str, obj, token: str | None = TOKEN):
    req = urllib.request.Request(
        url,
        data=json.dumps(obj).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _ask(net, citizen_id, doc_type="person_record", token=TOKEN):
    return _post(
        net["consumer_url"] + "/request",
        {
            "document_type": doc_type,
            "citizen_id": citizen_id,
            "purpose": "ตรวจสอบสิทธิสวัสดิการ",
            "officer": "sso-officer-17",
            "legal_basis": "พ.ร.บ.ประกันสังคม ม.33",
        },
        token,
    )


def test_keygen_files_are_private(net):
    for name in ("signing.pem", "encryption.pem"):
        mode = stat.S_IMODE((net["tmp"] / "sso-keys" / name).stat().st_mode)
        assert mode == 0o600
    kinds = {(k["use"], k["alg"]) for k in net["cons_pub"]["keys"]}
    assert kinds == {("sig", "ml-dsa-65"), ("enc", "mlkem768x25519")}
    with redirect_stdout(io.StringIO()):
        assert main(["keygen", "--dir", str(net["tmp"] / "sso-keys")]) == 1  # no overwrite


def test_full_exchange_over_http(net):
    cid = REGISTRY.citizen_ids()[3]
    status, body = _ask(net, cid)
    assert status == 200, body
    assert body["status"] == "found"
    assert body["document"] == REGISTRY.fetch("person_record", cid)
    assert body["evidence"]["signer_kid"] == net["provider"].identity.signing_key.kid
    # The hub saw neither the citizen ID nor the name, only ciphertext and a pseudonym.
    crossed = b"".join(net["hub"].seen_bodies)
    assert cid.encode() not in crossed
    assert body["document"]["first_name"].encode() not in crossed
    # Audit log: request + response leaves; proofs verify against the current root.
    hub = net["hub"]
    size = len(hub.log)
    leaf = merkle.leaf_hash(hub.leaves[-1])
    merkle.verify_inclusion(leaf, size - 1, size, hub.log.inclusion_proof(size - 1), hub.log.root())
    assert json.loads(hub.leaves[-2])["event"] == "request"
    assert cid not in hub.leaves[-2].decode()


def test_house_and_juristic_documents(net):
    cid = REGISTRY.citizen_ids()[10]
    status, body = _ask(net, cid, "house_registration")
    assert status == 200 and any(m["citizen_id"] == cid for m in body["document"]["members"])
    jid = REGISTRY.juristic_ids()[0]
    status, body = _ask(net, jid, "juristic_person")
    assert status == 200 and body["document"]["juristic_id"] == jid


def test_not_found(net):
    from gdx_protocol import thai_id_check_digit

    missing = "999999999999"
    missing += str(thai_id_check_digit(missing))
    status, body = _ask(net, missing)
    assert status == 200 and body["status"] == "not_found" and body["document"] is None


def test_cli_request(net, capsys):
    cid = REGISTRY.citizen_ids()[5]
    rc = main(
        [
            "request",
            "--config",
            str(net["consumer_cfg"]),
            "--type",
            "person_record",
            "--citizen-id",
            cid,
            "--purpose",
            "cli test",
            "--officer",
            "o-1",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert json.loads(out)["document"]["citizen_id"] == cid


def test_local_endpoint_needs_token_and_valid_input(net):
    status, body = _ask(net, REGISTRY.citizen_ids()[0], token=None)
    assert status == 401
    status, body = _ask(net, REGISTRY.citizen_ids()[0], token="wrong")
    assert status == 401
    status, body = _ask(net, "1234567890123")  # bad checksum: refused before leaving the node
    assert status == 400 and body["error"] == "malformed"
    status, body = _post(net["consumer_url"] + "/request", {"document_type": "person_record"})
    assert status == 400


def test_a_refused_local_request_is_logged_at_warning_without_the_citizen_id(net, caplog):
    """At `--log-level WARNING` the operator still sees each refusal; never whom it was about."""
    import logging

    cid = "1234567890123"  # bad checksum
    with caplog.at_level(logging.WARNING, logger="agency_node"):
        assert _ask(net, cid)[0] == 400
        assert _post(net["consumer_url"] + "/request", {"document_type": "x"})[0] == 400
        assert _ask(net, REGISTRY.citizen_ids()[3], doc_type="car\nregistration")[0] >= 400
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("person_record refused: malformed" in line for line in lines), lines
    assert any("local request refused: malformed" in line for line in lines), lines
    assert any("car?registration" in line for line in lines), lines  # one line, printable
    assert not any(cid in line or REGISTRY.citizen_ids()[3] in line for line in lines)


def test_provider_refuses_replayed_forward(net):
    hub = net["hub"]
    cid = REGISTRY.citizen_ids()[7]
    # Capture a forward by building one the way the hub does.
    consumer = net["consumer"]
    from gdx_protocol import build_request, hub_forward_request

    env, _ = build_request(
        consumer.identity,
        consumer.directory(),
        provider="dopa",
        document_type="person_record",
        citizen_id=cid,
        purpose="p",
        officer="o",
        legal_basis="l",
        pseudonym_key=consumer.config.pseudonym_key,
    )
    fwd = hub_forward_request(env, hub.key, hub_id="gdx-hub", log_index=0)
    from gdx_protocol.http_client import HttpClient

    http = HttpClient(10)
    assert http.post(net["provider_url"] + "/gdx/answer", fwd)[0] == 200
    status, body = http.post(net["provider_url"] + "/gdx/answer", fwd)
    assert status == 409 and json.loads(body)["error"] == "replay"
    # A forward not signed by the pinned hub key.
    from gdx_protocol import SigningKey

    rogue = hub_forward_request(env, SigningKey.generate(), hub_id="gdx-hub", log_index=0)
    status, body = http.post(net["provider_url"] + "/gdx/answer", rogue)
    assert status == 401 and json.loads(body)["error"] == "unknown_key"


def test_revoked_consumer_key_is_refused_by_hub(net):
    hub, consumer = net["hub"], net["consumer"]
    kid = consumer.identity.signing_key.kid
    hub.directory.revoke_key(kid)
    try:
        with pytest.raises(GdxError) as info:
            consumer.request(
                document_type="person_record",
                citizen_id=REGISTRY.citizen_ids()[1],
                purpose="p",
                officer="o",
                legal_basis="l",
            )
        assert info.value.code == "revoked_key"
    finally:
        rec = hub.directory.get_key(kid)
        from dataclasses import replace

        hub.directory.add_key("sso", replace(rec, status="active"))


def test_concurrent_requests(net):
    ids = REGISTRY.citizen_ids()[20:36]
    results: list[int] = []

    def worker(cid: str) -> None:
        results.append(_ask(net, cid)[0])

    threads = [threading.Thread(target=worker, args=(c,)) for c in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [200] * len(ids)


def _answer_headers(net, citizen_id):
    req = urllib.request.Request(
        net["consumer_url"] + "/request",
        data=json.dumps(
            {
                "document_type": "person_record",
                "citizen_id": citizen_id,
                "purpose": "p",
                "officer": "o",
                "legal_basis": "l",
            }
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.headers


def test_the_answer_relays_the_hubs_server_timing_and_adds_the_nodes(net, monkeypatch):
    """The officer's system sees where an exchange's time went: the hub's Server-Timing
    (hub;dur, provider;dur) and the consumer node's whole time (node;dur)."""
    monkeypatch.setattr(
        net["hub"], "server_timing", "hub;dur=1.25, provider;dur=3.5", raising=False
    )
    status, headers = _answer_headers(net, REGISTRY.citizen_ids()[1])
    assert status == 200
    timing = headers["Server-Timing"]
    assert timing.startswith("hub;dur=1.25, provider;dur=3.5, node;dur=")
    assert float(timing.rsplit("=", 1)[1]) > 0


def test_a_hubs_server_timing_is_relayed_as_printable_ascii_only(net, monkeypatch):
    monkeypatch.setattr(net["hub"], "server_timing", 'hub;dur=1, x;desc="\xe9\x01"', raising=False)
    _, headers = _answer_headers(net, REGISTRY.citizen_ids()[2])
    assert headers["Server-Timing"].startswith('hub;dur=1, x;desc="", node;dur=')


def test_without_a_hub_timing_the_answer_carries_the_nodes_own(net, monkeypatch):
    monkeypatch.setattr(net["hub"], "server_timing", "", raising=False)
    _, headers = _answer_headers(net, REGISTRY.citizen_ids()[3])
    assert headers["Server-Timing"].startswith("node;dur=")
    assert headers["Date"].endswith(" GMT")  # the cached Date header is a valid HTTP date


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, [], "INFO"),
        ({"LOG_LEVEL": "warning"}, [], "WARNING"),
        ({"LOG_LEVEL": "nonsense"}, [], "INFO"),
        ({"LOG_LEVEL": "WARNING"}, ["--log-level", "debug"], "DEBUG"),
    ],
)
def test_serve_takes_its_log_level_from_the_flag_then_log_level(monkeypatch, env, flag, expected):
    import agency_node.__main__ as cli

    monkeypatch.delenv("LOG_LEVEL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    seen: dict[str, str] = {}
    monkeypatch.setattr(cli, "_serve", lambda args: seen.setdefault("level", args.log_level) and 0)
    cli.main(["serve", "--config", "x.json", *flag])
    assert seen["level"] == expected


def test_serve_refuses_an_unknown_log_level(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--config", "x.json", "--log-level", "loud"])
    assert "--log-level" in capsys.readouterr().err


def test_a_busy_hub_is_passed_on_as_busy(net, monkeypatch):
    """The hub answers "busy" (503) when its directory keeps changing under an exchange;
    the officer's system gets the same, to ask again, not a 400 as for a bad request."""
    monkeypatch.setattr(
        net["hub"], "exchange", lambda body: (503, b'{"error":"busy","detail":"try again"}')
    )
    status, body = _ask(net, REGISTRY.citizen_ids()[4])
    assert (status, body["error"]) == (503, "busy")
