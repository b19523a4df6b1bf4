"""What each step added by ADR 0006 costs, against a baseline run in the same process.

    .venv/bin/python -m bench.gdx_steps [--rounds 300] [--sizes 600,4096] [--write]

Per exchange (the cryptography and checks of all three parties, no HTTP, no database):

* **baseline** -- the protocol without padding, with in-memory replay caches: what
  existed before ADR 0006 (padding is switched off by swapping the pad functions for
  pass-throughs inside this process only);
* **+ padding** -- subject and answer padded to their buckets;
* **+ persistent replay** -- both replay caches in SQLite files (as nodes now run);
* **+ certified directory** -- the nodes look keys up in the trust-filtered directory.

Per directory load (every ``directory_refresh`` seconds per node, not per exchange): parse
and verify a hub-signed directory of N members; + certificate and pin checks; + witness
cosignatures (quorum 2 of 3).

Variants run interleaved, round by round, each round starting with a different one, so a
busy machine slows them all alike; the report gives each as a ratio to the baseline of the
same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gdx_protocol import exchange as gx
from gdx_protocol.directory import HubKey, InMemoryDirectory, load_signed_directory, sign_directory
from gdx_protocol.encoding import b64e
from gdx_protocol.exchange import NodeIdentity
from gdx_protocol.keys import EncryptionKey, SigningKey
from gdx_protocol.replay import InMemoryReplayCache, SqliteReplayCache
from gdx_protocol.thai_id import thai_id_check_digit
from gdx_protocol.trust import (
    PinStore,
    Witness,
    add_cosignatures,
    apply_trust,
    certify_key,
    member_from_certificates,
)

ROOT = Path(__file__).resolve().parents[1]


def _certified(member: str) -> tuple[NodeIdentity, dict[str, Any]]:
    ident = NodeIdentity(member, SigningKey.generate(), (EncryptionKey.generate(),))
    identity = SigningKey.generate()
    keys = []
    for key in (ident.signing_key, *ident.encryption_keys):
        info: dict[str, Any] = dict(key.public_info())
        info["cert"] = b64e(certify_key(identity, member, info))
        keys.append(info)
    certs = {
        "member_id": member,
        "identity": {"alg": identity.alg, "pub": b64e(identity.public_raw)},
        "keys": keys,
    }
    return ident, certs


@contextmanager
def _no_padding() -> Iterator[None]:
    saved = gx.pad, gx.pad_to_bucket, gx.unpad
    gx.pad = lambda data, size: data  # type: ignore[assignment]
    gx.pad_to_bucket = lambda data, buckets=None: data  # type: ignore[assignment]
    gx.unpad = lambda data: data  # type: ignore[assignment]
    try:
        yield
    finally:
        gx.pad, gx.pad_to_bucket, gx.unpad = saved


def _exchange(world: dict[str, Any], document: dict[str, Any], caches: tuple[Any, Any]) -> int:
    consumer, provider, directory, hub = (
        world["consumer"],
        world["provider"],
        world["directory"],
        world["hub"],
    )
    req, pending = gx.build_request(
        consumer,
        directory,
        provider=provider.member_id,
        document_type="person_record",
        citizen_id=world["citizen"],
        purpose="bench",
        officer="o-1",
        legal_basis="bench",
        pseudonym_key=world["pkey"],
    )
    gx.verify_request_envelope(req, directory)
    fwd = gx.hub_forward_request(req, hub, hub_id="hub", log_index=0)
    opened = gx.open_forwarded_request(
        fwd,
        identity=provider,
        directory=directory,
        hub_keys=world["anchors"],
        pseudonym_key=world["pkey"],
        replay_cache=caches[0],
    )
    resp = gx.build_response(opened, document, identity=provider, directory=directory)
    gx.verify_response_envelope(
        resp, directory, request=pending.header, request_digest=pending.digest
    )
    gx.open_response(
        resp, pending=pending, identity=consumer, directory=directory, replay_cache=caches[1]
    )
    return len(resp)


def per_exchange(rounds: int, size: int, tmp: Path) -> dict[str, Any]:
    consumer, ccerts = _certified("bench-consumer")
    provider, pcerts = _certified("bench-provider")
    hub = SigningKey.generate()
    plain = InMemoryDirectory([member_from_certificates(ccerts), member_from_certificates(pcerts)])
    signed = sign_directory(plain.members(), hub, serial=1, issued_at=int(time.time()))
    verified = load_signed_directory(signed, [HubKey.from_signing_key(hub)], now=int(time.time()))
    trusted = apply_trust(verified, PinStore()).directory
    citizen = "110170012345"
    citizen += str(thai_id_check_digit(citizen))
    base = {
        "consumer": consumer,
        "provider": provider,
        "hub": hub,
        "anchors": [HubKey.from_signing_key(hub)],
        "pkey": hashlib.sha256(b"bench").digest(),
        "citizen": citizen,
        "directory": plain,
    }
    document = {"blob": "x" * max(0, size - 16)}
    sqlite = (
        SqliteReplayCache(tmp / f"p{size}.sqlite3"),
        SqliteReplayCache(tmp / f"c{size}.sqlite3"),
    )

    def memory() -> tuple[Any, Any]:
        return InMemoryReplayCache(), InMemoryReplayCache()

    variants: dict[str, Callable[[], int]] = {}

    def baseline() -> int:
        with _no_padding():
            return _exchange(base, document, memory())

    variants["baseline"] = baseline
    variants["+ padding"] = lambda: _exchange(base, document, memory())
    variants["+ persistent replay"] = lambda: _exchange(base, document, sqlite)
    variants["+ certified directory"] = lambda: _exchange(
        {**base, "directory": trusted}, document, sqlite
    )
    times: dict[str, list[float]] = {k: [] for k in variants}
    sizes: dict[str, int] = {}
    for fn in variants.values():
        fn()  # warm up
    order = list(variants.items())
    for i in range(rounds):
        # A different variant goes first each round: no variant always runs after another.
        for name, fn in order[i % len(order) :] + order[: i % len(order)]:
            t0 = time.perf_counter()
            sizes[name] = fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    return _summary(times, sizes, "response_bytes")


def isolated_steps(rounds: int, tmp: Path) -> dict[str, Any]:
    """Each added operation alone, many times (microseconds are robust to a busy machine)."""
    from gdx_protocol.hpke_suites import seal
    from gdx_protocol.padding import pad_to_bucket, unpad

    consumer, ccerts = _certified("c")
    key = consumer.encryption_keys[0]
    suite = "mlkem768x25519.hkdf-sha256.aes-256-gcm"
    inner = b"x" * 4600  # a 4 KB document with its inner signature
    plain = InMemoryDirectory([member_from_certificates(ccerts)])
    hub = SigningKey.generate()
    signed = sign_directory(plain.members(), hub, serial=1, issued_at=int(time.time()))
    trusted = apply_trust(
        load_signed_directory(signed, [HubKey.from_signing_key(hub)], now=int(time.time())),
        PinStore(),
    ).directory
    kid = consumer.signing_key.kid
    memory = InMemoryReplayCache()
    sqlite = SqliteReplayCache(tmp / "isolated.sqlite3")
    far = int(time.time()) + 600
    n = rounds * 20
    steps: dict[str, Callable[[int], Any]] = {
        "pad + unpad a 4.6 KB answer": lambda i: unpad(pad_to_bucket(inner)),
        "seal 4.6 KB (baseline)": lambda i: seal(suite, key.alg, key.public_raw, inner, b"i"),
        "seal it padded to 8 KiB": lambda i: seal(
            suite, key.alg, key.public_raw, pad_to_bucket(inner), b"i"
        ),
        "replay check, in memory (baseline)": lambda i: memory.check_and_add(f"k{i}", far),
        "replay check, SQLite (persistent)": lambda i: sqlite.check_and_add(f"k{i}", far),
        "key lookup, directory (baseline)": lambda i: plain.get_key(kid),
        "key lookup, trust-filtered directory": lambda i: trusted.get_key(kid),
    }
    out = {}
    for name, fn in steps.items():
        count = n if "seal" not in name else max(50, n // 20)
        t0 = time.perf_counter()
        for i in range(count):
            fn(i)
        out[name] = round((time.perf_counter() - t0) * 1e6 / count, 2)
    return {"microseconds_each": out}


def per_directory_load(rounds: int, members: int) -> dict[str, Any]:
    hub = SigningKey.generate()
    anchors = [HubKey.from_signing_key(hub)]
    records = [member_from_certificates(_certified(f"m-{i:04d}")[1]) for i in range(members)]
    now = int(time.time())
    doc = sign_directory(records, hub, serial=1, issued_at=now)
    witnesses = [Witness(n, SigningKey.generate(), anchors) for n in ("ega", "opdc", "dopa")]
    cosigned = add_cosignatures(doc, [w.cosign(doc, now=now) for w in witnesses])
    keys = [w.public for w in witnesses]
    variants: dict[str, Callable[[], Any]] = {
        "baseline": lambda: load_signed_directory(doc, anchors, now=now),
        "+ certificates and pins": lambda: apply_trust(
            load_signed_directory(doc, anchors, now=now), PinStore()
        ),
        "+ witness quorum 2 of 3": lambda: apply_trust(
            load_signed_directory(cosigned, anchors, now=now, witnesses=keys, quorum=2),
            PinStore(),
        ),
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    order = list(variants.items())
    for i in range(rounds):
        for name, fn in order[i % len(order) :] + order[: i % len(order)]:
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    out = _summary(times, {}, "")
    out["members"] = members
    out["directory_bytes"] = len(cosigned)
    return out


def _summary(times: dict[str, list[float]], sizes: dict[str, int], size_key: str) -> dict:
    base = statistics.median(times["baseline"])
    rows = {}
    for name, values in times.items():
        med = statistics.median(values)
        rows[name] = {
            "median_ms": round(med, 3),
            "p95_ms": round(sorted(values)[int(len(values) * 0.95) - 1], 3),
            "ratio_to_baseline": round(med / base, 3),
        }
        if size_key:
            rows[name][size_key] = sizes[name]
    return {"variants": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300, help="rounds per variant")
    parser.add_argument("--sizes", default="600,4096", help="document sizes in bytes")
    parser.add_argument("--members", type=int, default=200, help="members in the directory")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="h15-gdxsteps-") as tmp:
        result = {
            "when": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "load_average_1min_before": round(load, 2),
            "cores": os.cpu_count(),
            "per_exchange": {
                str(size): per_exchange(args.rounds, size, Path(tmp))
                for size in (int(x) for x in args.sizes.split(","))
            },
            "isolated_steps": isolated_steps(args.rounds, Path(tmp)),
            "per_directory_load": per_directory_load(max(5, args.rounds // 30), args.members),
        }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.write:
        _write(result, args)


def _write(result: dict[str, Any], args: argparse.Namespace) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- gdx-steps:start -->", "<!-- gdx-steps:end -->"
    lines = [
        start,
        "## GDX: cost of each step added against a dishonest hub (ADR 0006)",
        "",
        f"`python -m bench.gdx_steps --rounds {args.rounds} --sizes {args.sizes} "
        f"--members {args.members}` · {result['when']} · {result['cores']} cores · 1-minute "
        f"load average {result['load_average_1min_before']} before the run (figures are "
        "to be read as ratios to the baseline measured in the same process, variants "
        "interleaved round by round, rotating which goes first).",
        "",
        "| per exchange (all three parties' crypto and checks) | document | median ms | p95 ms"
        " | ratio to baseline | response bytes |",
        "|---|---|---|---|---|---|",
    ]
    for size, block in result["per_exchange"].items():
        for name, row in block["variants"].items():
            lines.append(
                f"| {name} | {size} B | {row['median_ms']} | {row['p95_ms']} | "
                f"{row['ratio_to_baseline']} | {row['response_bytes']:,} |"
            )
    lines += [
        "",
        "| each added operation alone | µs per call |",
        "|---|---|",
    ]
    for name, us in result["isolated_steps"]["microseconds_each"].items():
        lines.append(f"| {name} | {us} |")
    d = result["per_directory_load"]
    lines += [
        "",
        f"| per directory load ({d['members']} members, {d['directory_bytes']:,} bytes) "
        "| median ms | p95 ms | ratio to baseline |",
        "|---|---|---|---|",
    ]
    for name, row in d["variants"].items():
        lines.append(
            f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['ratio_to_baseline']} |"
        )
    lines.append(end)
    text = path.read_text(encoding="utf-8")
    block = "\n".join(lines)
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
