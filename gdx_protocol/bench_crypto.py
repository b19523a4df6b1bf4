"""Raw cryptographic cost of one GDX exchange (no HTTP, no DB).

Used by ``bench/``: ``measure_exchange(document_bytes=4096, rounds=50)``
returns per-step mean timings in milliseconds plus envelope sizes.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable
from typing import Any

from .directory import HubKey, InMemoryDirectory, member_from_public_keys
from .exchange import (
    NodeIdentity,
    build_request,
    build_response,
    hub_forward_request,
    open_forwarded_request,
    open_response,
    verify_request_envelope,
    verify_response_envelope,
)
from .keys import EncryptionKey, SigningKey
from .replay import InMemoryReplayCache
from .thai_id import thai_id_check_digit


def _identity(member: str, sig_alg: str, kem_alg: str) -> NodeIdentity:
    return NodeIdentity(member, SigningKey.generate(sig_alg), (EncryptionKey.generate(kem_alg),))


def _register(directory: InMemoryDirectory, ident: NodeIdentity) -> None:
    keys = [ident.signing_key.public_info()] + [k.public_info() for k in ident.encryption_keys]
    directory.put_member(member_from_public_keys(ident.member_id, keys))


def measure_exchange(
    document_bytes: int = 4096,
    rounds: int = 20,
    *,
    sig_alg: str = "ed25519",
    kem_alg: str = "mlkem768x25519",
) -> dict[str, Any]:
    """Time every cryptographic step of one request/response round trip."""
    consumer = _identity("bench-consumer", sig_alg, kem_alg)
    provider = _identity("bench-provider", sig_alg, kem_alg)
    hub = SigningKey.generate("ed25519")
    directory = InMemoryDirectory()
    _register(directory, consumer)
    _register(directory, provider)
    pkey = hashlib.sha256(b"bench pseudonym key").digest()
    citizen = "110170012345"
    citizen += str(thai_id_check_digit(citizen))
    document = {"blob": "x" * max(0, document_bytes - 16)}
    timings: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        timings.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
        return out

    hub_keys = [HubKey.from_signing_key(hub)]
    for i in range(rounds):
        req, pending = timed(
            "consumer_build_request",
            build_request,
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
        timed("hub_verify_request", verify_request_envelope, req, directory)
        fwd = timed("hub_forward", hub_forward_request, req, hub, hub_id="hub", log_index=i)
        opened = timed(
            "provider_open_request",
            open_forwarded_request,
            fwd,
            identity=provider,
            directory=directory,
            hub_keys=hub_keys,
            pseudonym_key=pkey,
            replay_cache=InMemoryReplayCache(),
        )
        resp = timed(
            "provider_build_response",
            build_response,
            opened,
            document,
            identity=provider,
            directory=directory,
        )
        timed(
            "hub_verify_response",
            verify_response_envelope,
            resp,
            directory,
            request=pending.header,
            request_digest=pending.digest,
        )
        timed(
            "consumer_open_response",
            open_response,
            resp,
            pending=pending,
            identity=consumer,
            directory=directory,
            replay_cache=InMemoryReplayCache(),
        )
        sizes = {"request": len(req), "forward": len(fwd), "response": len(resp)}
    means = {k: round(statistics.fmean(v), 3) for k, v in timings.items()}
    return {
        "document_bytes": document_bytes,
        "rounds": rounds,
        "sig_alg": sig_alg,
        "kem_alg": kem_alg,
        "mean_ms": means,
        "total_mean_ms": round(sum(means.values()), 3),
        "envelope_bytes": sizes,
    }


if __name__ == "__main__":
    import json

    for kem in ("mlkem768x25519", "x25519"):
        print(json.dumps(measure_exchange(4096, 20, kem_alg=kem)))
