"""A dishonest hub operator (tests only): the real hub signing key, used against the nodes.

It starts honest (so nodes pin the genuine identity keys and witnesses see them), then
``attacks`` switches on what the operator can do with the hub's own key: plant its keys
under members' names, swap a member's identity key, re-seal, drop, reorder, replay, forward
without logging (pointing at another entry, or at an index past its log) and refuse or
never answer the providers' audit-log checks.
Witnesses (EGA, OPDC, DOPA) are separate parties: the hub asks them to cosign and gets
their signature only if they agree. Nothing here modifies the nodes.
"""

from __future__ import annotations

import json
import time
from typing import Any

from agency_node.tests.fake_hub import FakeHub
from gdx_protocol import (
    EncryptionKey,
    NodeIdentity,
    SigningKey,
    build_request,
    hub_forward_request,
    parse_request_envelope,
    sign_directory,
)
from gdx_protocol.directory import IdentityKey, KeyRecord, MemberRecord
from gdx_protocol.errors import GdxError
from gdx_protocol.hpke_suites import open_sealed
from gdx_protocol.signing import INFO_REQUEST_SUBJECT, hpke_info
from gdx_protocol.trust import Witness, add_cosignatures, certify_key


class MaliciousHub(FakeHub):
    def __init__(self) -> None:
        super().__init__()
        self.witnesses: list[Witness] = []
        self.attacks: set[str] = set()
        self.victim = ""  # the member whose keys the hub plants or swaps
        # The operator's own keys, which it would like the nodes to use.
        self.evil_enc = EncryptionKey.generate()
        self.evil_sig = SigningKey.generate()
        self.evil_identity = SigningKey.generate()
        self.read_attempts: list[str] = []  # what the hub tried to decrypt, and the outcome
        self.held_response: bytes | None = None
        self.busy_proofs = 0  # answer this many audit-log checks 503 (then honestly)

    # ----------------------------------------------------------------- directory

    def _forged_members(self) -> list[MemberRecord]:
        out = []
        for m in self.directory.members():
            if m.member_id != self.victim:
                out.append(m)
                continue
            now = int(time.time())
            evil = [
                KeyRecord(self.evil_enc.kid, m.member_id, "enc", self.evil_enc.alg,
                          self.evil_enc.public_raw, "active", now),
                KeyRecord(self.evil_sig.kid, m.member_id, "sig", self.evil_sig.alg,
                          self.evil_sig.public_raw, "active", now),
            ]  # fmt: skip
            if "plant_keys" in self.attacks:
                # Newer keys under the victim's name, without the victim's certificate.
                out.append(MemberRecord(m.member_id, m.name, m.status, m.endpoint,
                                        m.keys + tuple(evil), m.identity))  # fmt: skip
            else:  # "swap_identity": its own identity key, certifying its own keys
                certified = tuple(
                    KeyRecord(
                        k.kid,
                        k.member_id,
                        k.use,
                        k.alg,
                        k.public_raw,
                        k.status,
                        k.not_before,
                        k.not_after,
                        certify_key(self.evil_identity, m.member_id, k),
                    )  # fmt: skip
                    for k in evil
                )
                identity = IdentityKey(self.evil_identity.alg, self.evil_identity.public_raw)
                out.append(MemberRecord(m.member_id, m.name, m.status, m.endpoint,
                                        certified, identity))  # fmt: skip
        return out

    def directory_document(self) -> bytes:
        with self.lock:
            self.serial += 1
            serial = self.serial
        forging = bool({"plant_keys", "swap_identity"} & self.attacks)
        members = self._forged_members() if forging else self.directory.members()
        now = int(time.time())
        doc = sign_directory(members, self.key, serial=serial, issued_at=now, ttl=600)
        cosigs = []
        for witness in self.witnesses:
            try:
                cosigs.append(witness.cosign(doc, now=now))
            except GdxError:
                continue  # the witness refused; the hub publishes without it
        return add_cosignatures(doc, cosigs) if cosigs else doc

    # ----------------------------------------------------------------- exchange

    def _log_request(self, leaf: bytes) -> int:
        if "unlogged" in self.attacks:
            # Forward without logging: countersign an index that holds an older entry.
            with self.lock:
                return len(self.leaves) - 1
        if {"unlogged_past_end", "proofs_unanswered"} & self.attacks:
            # Forward without logging: countersign an index the log will not hold for a while.
            with self.lock:
                return len(self.leaves) + 1000
        return super()._log_request(leaf)

    def inclusion_answer(self, index: int) -> tuple[int, bytes]:
        if "proofs_unanswered" in self.attacks:
            return 503, b'{"error":"busy","message":"try again later"}'
        with self.lock:
            busy, self.busy_proofs = self.busy_proofs > 0, max(0, self.busy_proofs - 1)
        if busy:
            return 503, b'{"error":"busy","message":"try again later"}'
        return super().inclusion_answer(index)

    def _try_to_read(self, body: bytes) -> None:
        env = parse_request_envelope(body)
        try:
            open_sealed(
                env.header.hpke_suite,
                self.evil_enc,
                env.subject_ct,
                hpke_info(INFO_REQUEST_SUBJECT, env.header.to_json()),
            )
            self.read_attempts.append("subject: READ")
        except GdxError as exc:
            self.read_attempts.append(f"subject: {exc.code}")

    def exchange(self, body: bytes) -> tuple[int, bytes]:
        if {"plant_keys", "swap_identity"} & self.attacks:
            self._try_to_read(body)
        if "reseal" in self.attacks:
            return self._reseal(body)
        status, resp = super().exchange(body)
        if "drop" in self.attacks:
            return 504, b'{"error":"provider_unreachable","detail":"timed out"}'
        if "reorder" in self.attacks and status == 200:
            held, self.held_response = self.held_response, resp
            if held is not None:
                return 200, held  # the previous request's answer, to this request
        return status, resp

    def replay_forward(self, fwd: bytes) -> tuple[int, bytes]:
        endpoint = self.directory.get_member(self.victim).endpoint
        return self.http.post(endpoint + "/gdx/answer", fwd)

    def _reseal(self, body: bytes) -> tuple[int, bytes]:
        """Pose as the consumer with the operator's own signing key, re-sealing a subject
        of its choosing to the provider (as it would after reading the original)."""
        h = parse_request_envelope(body).header
        fake = NodeIdentity(h.consumer, self.evil_sig, (self.evil_enc,))
        forged_dir = type(self.directory)(self._members_with_evil_consumer(h.consumer))
        req, _ = build_request(
            fake,
            forged_dir,
            provider=h.provider,
            document_type=h.document_type,
            citizen_id=self.reseal_subject,
            purpose=h.purpose,
            officer=h.officer,
            legal_basis=h.legal_basis,
            pseudonym_key=self.pseudonym_key_guess,
        )
        fwd = hub_forward_request(
            req, self.key, hub_id="gdx-hub", log_index=len(self.leaves), now=int(time.time())
        )
        endpoint = self.directory.get_member(h.provider).endpoint
        status, resp = self.http.post(endpoint + "/gdx/answer", fwd)
        self.read_attempts.append(f"reseal: {status} {json.loads(resp).get('error', 'answered')}")
        return status, resp

    reseal_subject = ""
    pseudonym_key_guess = b"\x00" * 32

    def _members_with_evil_consumer(self, consumer: str) -> list[MemberRecord]:
        out: list[MemberRecord] = []
        for m in self.directory.members():
            if m.member_id == consumer:
                now = int(time.time())
                keys: tuple[Any, ...] = (
                    KeyRecord(self.evil_enc.kid, consumer, "enc", self.evil_enc.alg,
                              self.evil_enc.public_raw, "active", now),
                    KeyRecord(self.evil_sig.kid, consumer, "sig", self.evil_sig.alg,
                              self.evil_sig.public_raw, "active", now),
                )  # fmt: skip
                m = MemberRecord(m.member_id, m.name, m.status, m.endpoint, keys, m.identity)
            out.append(m)
        return out
