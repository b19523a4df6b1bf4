"""Agency node logic (transport-independent): provider answering and consumer requesting."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import queue
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from gdx_protocol import (
    InMemoryReplayCache,
    NodeIdentity,
    VerifiedDocument,
    audit_leaf,
    build_request,
    build_response,
    error_from_code,
    load_signed_directory,
    open_forwarded_request,
    open_response,
)
from gdx_protocol.directory import InMemoryDirectory
from gdx_protocol.encoding import b64e
from gdx_protocol.errors import (
    GdxError,
    MalformedError,
    UncertifiedKeyError,
    UnknownKeyError,
    UnknownMemberError,
    UnsupportedDocumentError,
)
from gdx_protocol.http_client import HttpClient
from gdx_protocol.merkle import leaf_hash
from gdx_protocol.replay import ReplayCache, SqliteReplayCache
from gdx_protocol.trust import Alarm, PinStore, SelfKnowledge, alarm_for, apply_trust
from gdx_protocol.verify import check_inclusion

from .config import NodeConfig
from .datasource import DataSource, load_data_source
from .keystore import load_certificates, load_keys

log = logging.getLogger("agency_node")
# At most one directory fetch forced by an unknown key per this many seconds, so
# envelopes naming made-up keys cannot make the node hammer the hub.
FORCED_REFRESH_INTERVAL = 2.0
_HEADER_UNSAFE = re.compile(r"[^\x20-\x7e]")


class _LogCheck(NamedTuple):
    """A scheduled T18 check; ordered by ``due``, then by ``seq`` (never by the bytes)."""

    due: float
    seq: int
    log_index: int
    leaf: bytes
    request_id: str
    attempt: int = 0


@dataclass
class _DirectoryCache:
    directory: InMemoryDirectory
    serial: int
    fetched_at: float
    expires_at: int


class AgencyNode:
    def __init__(
        self, config: NodeConfig, data_source: DataSource | None = None, *, answer: bool = True
    ) -> None:
        """``answer=False``: a consumer only (the ``request`` command); the provider's
        data source is not imported."""
        self.config = config
        sig, enc = load_keys(config.key_dir)
        self.identity = NodeIdentity(config.member_id, sig, enc)
        if answer and data_source is None and config.data_source:
            data_source = load_data_source(config.data_source, config.data_source_options)
        self.data_source = data_source
        self.http = HttpClient(config.http_timeout)
        self.provider_replay: ReplayCache
        self.consumer_replay: ReplayCache
        pins_path = None
        if config.state_dir is not None:
            # Persisted, so a restart does not reopen answered forwards to replay (T9).
            config.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.provider_replay = SqliteReplayCache(config.state_dir / "provider-replay.sqlite3")
            self.consumer_replay = SqliteReplayCache(config.state_dir / "consumer-replay.sqlite3")
            pins_path = config.state_dir / "pins.json"
        else:
            self.provider_replay = InMemoryReplayCache()
            self.consumer_replay = InMemoryReplayCache()
        self.pins = PinStore(pins_path, config.identity_pins)
        certs = load_certificates(config.key_dir)
        own_kids = {sig.kid, *(k.kid for k in enc)}
        self.me = SelfKnowledge(
            config.member_id, frozenset(own_kids), certs.get("fingerprint") if certs else None
        )
        # Earliest due first: first checks and the retries of checks the hub left unanswered.
        self._log_checks: queue.PriorityQueue[_LogCheck] = queue.PriorityQueue(maxsize=1000)
        self._log_check_seq = itertools.count()
        self._log_checker: threading.Thread | None = None
        self.alarms: deque[Alarm] = deque(maxlen=1000)
        self._alarm_keys: set[tuple[str, str, str]] = set()
        self._last_forced = 0.0
        self._dir: _DirectoryCache | None = None
        self._dir_lock = threading.Lock()  # guards the refresh flags, never held over I/O
        self._fetch_lock = threading.Lock()  # one directory fetch at a time
        self._refreshing = False
        self._stop = threading.Event()

    # ------------------------------------------------------------------ directory

    def directory(self, *, force: bool = False) -> InMemoryDirectory:
        """The hub-signed member directory, without waiting on the hub when avoidable.

        * fresh (fetched less than ``directory_refresh`` seconds ago): returned as is;
        * stale but inside its signed validity: returned at once, and one background
          refresh starts (stale-while-revalidate);
        * none yet, expired, or ``force``: fetched now, one fetch at a time.

        Answering a forward therefore never waits for ``GET /gdx/directory``: if every hub
        worker were busy forwarding to this node, that request could not be served until
        the forward timed out. Revocations reach the node at the next refresh, as before.
        """
        now = time.time()
        cached = self._dir
        if not force and cached is not None and now < cached.expires_at:
            if now - cached.fetched_at >= self.config.directory_refresh:
                self.refresh_directory_in_background()
            return cached.directory
        return self._fetch_directory(seen=cached, force=force)

    def _fetch_directory(
        self, *, seen: _DirectoryCache | None = None, force: bool = True
    ) -> InMemoryDirectory:
        with self._fetch_lock:
            current = self._dir
            if not force and current is not None and current is not seen:
                if time.time() < current.expires_at:
                    return current.directory  # another thread fetched while we waited
            now = time.time()
            status, body = self.http.get(self.config.hub_url + "/gdx/directory")
            if status != 200:
                raise GdxError(f"hub directory fetch failed with HTTP {status}")
            with self._reporting("hub", "refused a directory"):
                return self._load_directory(body, now, current)

    def _load_directory(
        self, body: bytes, now: float, current: _DirectoryCache | None
    ) -> InMemoryDirectory:
        verified = load_signed_directory(
            body,
            self.config.hub_keys,
            now=int(now),
            min_serial=current.serial if current else 0,
            witnesses=self.config.witnesses,
            quorum=self.config.witness_quorum,
        )
        trusted = apply_trust(
            verified, self.pins, me=self.me, require_identity=self.config.require_identity
        )
        for alarm in trusted.alarms:
            self._raise_alarm(alarm)
        self._dir = _DirectoryCache(trusted.directory, verified.serial, now, verified.expires_at)
        return trusted.directory

    @contextlib.contextmanager
    def _reporting(self, member_id: str, where: str) -> Iterator[None]:
        """Turn refusals that only an attack explains into alarms, then re-raise."""
        try:
            yield
        except GdxError as exc:
            alarm = alarm_for(exc, member_id, where)
            if alarm is not None:
                self._raise_alarm(alarm)
            raise

    def _raise_alarm(self, alarm: Alarm) -> None:
        key = (alarm.code, alarm.member_id, alarm.detail)
        if key in self._alarm_keys:
            return
        if len(self._alarm_keys) >= 10_000:
            self._alarm_keys.clear()  # bounded: a hostile hub can vary the details
        self._alarm_keys.add(key)
        self.alarms.append(alarm)
        log.critical(
            "GDX ALARM %s (threats %s) member %s: %s",
            alarm.code,
            ",".join(alarm.threats),
            alarm.member_id,
            alarm.detail,
        )

    def _refresh_for_unknown_key(self) -> bool:
        """One forced refresh when a key or member is unknown (e.g. a member added a
        moment ago), at most one per FORCED_REFRESH_INTERVAL. True if it fetched."""
        with self._dir_lock:
            now = time.monotonic()
            if now - self._last_forced < FORCED_REFRESH_INTERVAL:
                return False
            self._last_forced = now
        try:
            self._fetch_directory(force=True)
        except (GdxError, OSError, ValueError) as exc:
            log.warning("directory refresh for an unknown key failed: %s", exc)
            return False
        return True

    def refresh_directory_in_background(self) -> bool:
        """Start one background refresh unless one is already running."""
        with self._dir_lock:
            if self._refreshing:
                return False
            self._refreshing = True
        threading.Thread(target=self._refresh_quietly, name="gdx-dir-refresh", daemon=True).start()
        return True

    def _refresh_quietly(self) -> None:
        try:
            self._fetch_quietly()
        finally:
            with self._dir_lock:
                self._refreshing = False

    def _fetch_quietly(self) -> None:
        try:
            self._fetch_directory()
        except (GdxError, OSError, ValueError) as exc:
            log.warning("directory refresh failed, keeping the previous one: %s", exc)

    def refresh_directory(self) -> None:
        """Fetch the directory now; a refusal is logged (and alarmed), the old one kept."""
        self._fetch_quietly()

    def start_directory_refresher(self) -> threading.Thread:
        """Keep the directory fresh from a daemon thread (``serve`` starts this)."""

        def loop() -> None:
            while not self._stop.is_set():
                self._fetch_quietly()
                self._stop.wait(max(1.0, float(self.config.directory_refresh)))

        thread = threading.Thread(target=loop, name="gdx-dir-refresher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    # ------------------------------------------------------------------ provider

    def answer(self, forward: bytes) -> bytes:
        """Handle a hub-forwarded request; returns the response envelope."""
        if self.data_source is None:
            raise UnsupportedDocumentError("this node is not a provider")
        directory = self.directory()
        with self._reporting("hub", "refused a forwarded request"):
            try:
                opened = self._open(forward, directory)
            except (UnknownKeyError, UnknownMemberError) as exc:
                # A member registered after our last refresh: fetch once, then answer.
                if isinstance(exc, UncertifiedKeyError) or not self._refresh_for_unknown_key():
                    raise
                directory = self.directory()
                opened = self._open(forward, directory)
        doc_type = opened.header.document_type
        if doc_type not in self.data_source.document_types:
            raise UnsupportedDocumentError(f"{doc_type} is not provided here")
        document = self.data_source.fetch(doc_type, opened.citizen_id)
        response = build_response(opened, document, identity=self.identity, directory=directory)
        self._schedule_log_check(opened)
        return response

    # ------------------------------------------------------------------ audit-log check

    def _schedule_log_check(self, opened: Any) -> None:
        """Check later that the hub logged this request where its countersignature says.

        Later, not before answering: the hub waits for this answer, and a hub whose
        workers are all waiting on providers could not serve the proof (the deadlock the
        directory refresh avoids too). A request missing from the log would be missing
        from the citizen's "who asked"; a sample of one in ``log_check_every`` catches a
        hub that leaves requests out. The check waits ``log_check_delay`` seconds: the hub
        then proves inclusion under a tree head it has already signed, one head for all the
        checks of that moment, instead of signing a new head for each.
        """
        every = self.config.log_check_every
        if every <= 0 or secrets.randbelow(every) != 0:
            return
        leaf = audit_leaf(
            "request",
            opened.header,
            at=opened.hub.received_at,
            envelope_digest=opened.request_digest,
        )
        due = time.monotonic() + self.config.log_check_delay
        if not self._queue_log_check(
            _LogCheck(
                due, next(self._log_check_seq), opened.hub.log_index, leaf, opened.header.request_id
            )
        ):
            return
        with self._dir_lock:
            if self._log_checker is None:
                self._log_checker = threading.Thread(
                    target=self._log_check_loop, name="gdx-log-check", daemon=True
                )
                self._log_checker.start()

    def _queue_log_check(self, check: _LogCheck) -> bool:
        try:
            self._log_checks.put_nowait(check)
        except queue.Full:
            log.warning("audit-log check queue full; skipping the check of %s", check.request_id)
            return False
        return True

    def _log_check_loop(self) -> None:
        while not self._stop.is_set():
            try:
                check = self._log_checks.get(timeout=1)
            except queue.Empty:
                continue
            try:
                wait = check.due - time.monotonic()
                if wait > 0:  # not due: back in the queue, which a sooner check may have joined
                    self._queue_log_check(check)
                    self._stop.wait(min(wait, 0.25))
                    continue
                if self.check_logged(check.log_index, check.leaf, check.request_id) is None:
                    self._log_check_unanswered(check)
            finally:
                self._log_checks.task_done()

    def _log_check_unanswered(self, check: _LogCheck) -> None:
        """The hub could not be asked or answered 5xx/429: ask again later, each wait four
        times the last; a hub that never proves the index it countersigned is reported (a
        dishonest hub would rather not answer than show a log without the request)."""
        attempts = check.attempt + 1
        if attempts < self.config.log_check_attempts:
            wait = max(self.config.log_check_delay, 1.0) * 4**attempts
            if self.config.log_check_delay <= 0:
                wait = 0.0  # tests: no waiting
            self._queue_log_check(check._replace(due=time.monotonic() + wait, attempt=attempts))
            return
        self._raise_alarm(
            Alarm(
                "log_unproven",
                "hub",
                ("T18",),
                f"request {check.request_id} at log index {check.log_index}: the hub did not "
                f"prove it in {attempts} attempts",
            )
        )

    def wait_for_log_checks(self) -> None:
        """Tests and shutdown: block until every scheduled check, retries included, has run."""
        self._log_checks.join()

    def check_logged(self, index: int, leaf: bytes, request_id: str) -> bool | None:
        """True if the hub's log holds ``leaf`` at ``index`` under a hub-signed tree head;
        False (and an alarm, T18) if it holds something else or the hub refuses to prove the
        index (4xx); None if the hub could not be asked or was busy (5xx, 429: the caller
        asks again, and reports a hub that never answers)."""
        try:
            status, body = self.http.get(f"{self.config.hub_url}/gdx/log/inclusion?index={index}")
        except OSError as exc:
            log.warning("audit-log check for %s not made: %s", request_id, exc)
            return None
        if status >= 500 or status == 429:
            log.warning("audit-log check for %s: hub answered HTTP %s", request_id, status)
            return None
        try:
            if status != 200:
                raise GdxError(f"the hub answered HTTP {status}: {body[:200]!r}")
            doc = json.loads(body)
            if "sth" not in doc:
                raise GdxError("no signed tree head")
            check_inclusion(doc, list(self.config.hub_keys))
            logged = doc.get("leaf_hash") == leaf_hash(leaf).hex()
        except (GdxError, ValueError, TypeError, KeyError) as exc:
            logged, detail = False, f"proof refused: {exc}"
        else:
            detail = "the hub's log holds another entry at the index it countersigned"
        if logged:
            log.info("request %s is in the hub's log at index %d", request_id, index)
        else:
            self._raise_alarm(
                Alarm(
                    "not_logged",
                    "hub",
                    ("T18",),
                    f"request {request_id} at log index {index}: {detail}",
                )
            )
        return logged

    def _open(self, forward: bytes, directory: InMemoryDirectory) -> Any:
        return open_forwarded_request(
            forward,
            identity=self.identity,
            directory=directory,
            hub_keys=self.config.hub_keys,
            pseudonym_key=self.config.pseudonym_key,
            replay_cache=self.provider_replay,
        )

    # ------------------------------------------------------------------ consumer

    def request(
        self,
        *,
        document_type: str,
        citizen_id: str,
        purpose: str,
        officer: str,
        legal_basis: str,
        provider: str | None = None,
        trace: dict[str, str] | None = None,
    ) -> VerifiedDocument:
        """Ask ``provider`` (default: the configured one) for a document through the hub.
        ``trace``, if given, receives the hub's ``Server-Timing`` answer (``server_timing``)."""
        provider = provider or self.config.providers.get(document_type)
        if not provider:
            raise MalformedError(f"no provider configured for {document_type}")
        directory = self.directory()
        args: dict[str, Any] = dict(
            provider=provider,
            document_type=document_type,
            citizen_id=citizen_id,
            purpose=purpose,
            officer=officer,
            legal_basis=legal_basis,
            pseudonym_key=self.config.pseudonym_key,
            ttl=self.config.request_ttl,
        )
        with self._reporting(provider, "refused to seal a request"):
            try:
                envelope, pending = build_request(self.identity, directory, **args)
            except (UnknownKeyError, UnknownMemberError) as exc:
                if isinstance(exc, UncertifiedKeyError) or not self._refresh_for_unknown_key():
                    raise
                directory = self.directory()
                envelope, pending = build_request(self.identity, directory, **args)
        answer = self.http.post(self.config.hub_url + "/gdx/exchange", envelope)
        status, body = answer
        if trace is not None:
            headers = getattr(answer, "headers", None) or {}
            # Printable ASCII only: it is relayed as a header of our own answer.
            trace["server_timing"] = _HEADER_UNSAFE.sub(
                "", str(headers.get("Server-Timing") or "")
            )[:200]
        if status != 200:
            raise _remote_error(status, body)
        with self._reporting(provider, "refused the answer the hub relayed"):
            return open_response(
                body,
                pending=pending,
                identity=self.identity,
                directory=directory,
                replay_cache=self.consumer_replay,
            )


def _remote_error(status: int, body: bytes) -> GdxError:
    try:
        obj = json.loads(body)
        return error_from_code(str(obj["error"]), f"remote: {obj.get('detail', '')}")
    except (ValueError, KeyError, TypeError):
        return GdxError(f"hub answered HTTP {status}")


def document_to_json(doc: VerifiedDocument) -> dict[str, Any]:
    """What POST /request and the CLI return: the document plus signed evidence."""
    return {
        "request_id": doc.header.request_id,
        "provider": doc.header.provider,
        "document_type": doc.header.document_type,
        "status": doc.status,
        "document": doc.document,
        "evidence": {
            "signed_payload": b64e(doc.signed_payload),
            "sig": b64e(doc.payload_sig),
            "sig_alg": doc.payload_sig_alg,
            "signer_kid": doc.payload_signer_kid,
        },
    }
