"""The protocol library's CPU per exchange, this checkout against another, in one process.

    .venv/bin/python -m bench.gdx_protocol_compare --baseline DIR [--rounds 20] [--size 4096]

``DIR`` is another checkout (``git archive <commit> | tar -x -C /tmp/old``); its
``gdx_protocol`` is imported beside this one under another name. Both build, forward, open
and answer the same exchanges (ML-KEM-768+X25519, Ed25519, padding, in-memory directory and
replay caches: no HTTP, no database), 50 at a time, alternating which goes first, and each
party's steps are charged with ``time.thread_time``: consumer (build the request, open the
answer), hub (verify the request, countersign, verify the answer), provider (open the
forward, answer). Run in one process, so a machine whose speed drifts slows both alike;
the ratio is the figure to read.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PARTIES = ("consumer", "hub", "provider")


def _exchange_loop(pkg: str, size: int) -> tuple[Callable[[int], None], dict[str, float]]:
    mod = {
        name: importlib.import_module(f"{pkg}.{name}")
        for name in ("bench_crypto", "exchange", "directory", "keys", "replay", "thai_id")
    }
    ex = mod["exchange"]
    consumer = mod["bench_crypto"]._identity("bench-consumer", "ed25519", "mlkem768x25519")
    provider = mod["bench_crypto"]._identity("bench-provider", "ed25519", "mlkem768x25519")
    hub = mod["keys"].SigningKey.generate("ed25519")
    directory = mod["directory"].InMemoryDirectory()
    mod["bench_crypto"]._register(directory, consumer)
    mod["bench_crypto"]._register(directory, provider)
    pkey = hashlib.sha256(b"bench pseudonym key").digest()
    citizen = "110170012345"
    citizen += str(mod["thai_id"].thai_id_check_digit(citizen))
    document = {"citizen_id": citizen, "blob": "x" * max(0, size - 40)}
    anchors = [mod["directory"].HubKey.from_signing_key(hub)]
    spent = dict.fromkeys(PARTIES, 0.0)
    cache = mod["replay"].InMemoryReplayCache

    def one(i: int) -> None:
        t0 = time.thread_time()
        req, pending = ex.build_request(
            consumer,
            directory,
            provider=provider.member_id,
            document_type="person_record",
            citizen_id=citizen,
            purpose="bench",
            officer="o-1",
            legal_basis="bench",
            pseudonym_key=pkey,
        )
        t1 = time.thread_time()
        ex.verify_request_envelope(req, directory)
        fwd = ex.hub_forward_request(req, hub, hub_id="hub", log_index=i)
        t2 = time.thread_time()
        opened = ex.open_forwarded_request(
            fwd,
            identity=provider,
            directory=directory,
            hub_keys=anchors,
            pseudonym_key=pkey,
            replay_cache=cache(),
        )
        resp = ex.build_response(opened, document, identity=provider, directory=directory)
        t3 = time.thread_time()
        ex.verify_response_envelope(
            resp, directory, request=pending.header, request_digest=pending.digest
        )
        t4 = time.thread_time()
        ex.open_response(
            resp, pending=pending, identity=consumer, directory=directory, replay_cache=cache()
        )
        t5 = time.thread_time()
        spent["consumer"] += (t1 - t0) + (t5 - t4)
        spent["hub"] += (t2 - t1) + (t4 - t3)
        spent["provider"] += t3 - t2

    return one, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="another checkout of this repository")
    parser.add_argument("--rounds", type=int, default=20, help="rounds of 50 exchanges each")
    parser.add_argument("--size", type=int, default=4096, help="document bytes")
    args = parser.parse_args()
    source = Path(args.baseline) / "gdx_protocol"
    if not source.is_dir():
        raise SystemExit(f"{source} is not a directory")
    where = Path(tempfile.mkdtemp(prefix="gdx-baseline-"))
    shutil.copytree(source, where / "gdx_protocol_baseline")  # relative imports only
    sys.path.insert(0, str(where))
    try:
        base, base_spent = _exchange_loop("gdx_protocol_baseline", args.size)
        this, this_spent = _exchange_loop("gdx_protocol", args.size)
        for i in range(30):  # warm up both
            base(i)
            this(i)
        for spent in (base_spent, this_spent):
            spent.update(dict.fromkeys(PARTIES, 0.0))
        n = 0
        for r in range(args.rounds):
            for run in (base, this) if r % 2 else (this, base):
                for i in range(50):
                    run(i)
            n += 50
    finally:
        shutil.rmtree(where, ignore_errors=True)
    out: dict[str, Any] = {"exchanges_each": n, "document_bytes": args.size}
    for party in (*PARTIES, "total"):
        b = sum(base_spent.values()) if party == "total" else base_spent[party]
        t = sum(this_spent.values()) if party == "total" else this_spent[party]
        out[party] = {
            "baseline_ms": round(b / n * 1000, 3),
            "this_ms": round(t / n * 1000, 3),
            "ratio": round(t / b, 3),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
