"""``python -m agency_node keygen|serve|request`` (see README in this folder)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from pathlib import Path

from gdx_protocol.errors import GdxError
from gdx_protocol.keys import (
    DEFAULT_KEM_ALG,
    DEFAULT_SIGNATURE_ALG,
    KEM_ALGORITHMS,
    SIGNATURE_ALGORITHMS,
)

from .config import NodeConfig
from .keystore import (
    certify_node_keys,
    certify_public_keys,
    generate_identity,
    generate_keys,
    load_identity,
)
from .node import AgencyNode, document_to_json
from .server import NodeHTTPServer


def _keygen(args: argparse.Namespace) -> int:
    try:
        out = generate_keys(Path(args.dir), sig_alg=args.sig_alg, kem_alg=args.kem_alg)
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2))
    return 0


def _identity_keygen(args: argparse.Namespace) -> int:
    try:
        out = generate_identity(Path(args.dir), alg=args.alg)
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2))
    return 0


def _certify(args: argparse.Namespace) -> int:
    try:
        identity = load_identity(Path(args.identity))
        if args.public:
            public = json.loads(Path(args.public).read_text(encoding="utf-8"))
            out = certify_public_keys(public["keys"], identity, args.member)
        else:
            out = certify_node_keys(Path(args.keys), identity, args.member)
    except (OSError, ValueError, KeyError, TypeError, GdxError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps(out, indent=2))
    return 0


def _witness(args: argparse.Namespace) -> int:
    from gdx_protocol.http_client import HttpClient  # lazy: cli

    from .witness import WitnessConfig, witness_round  # lazy: cli

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = WitnessConfig.load(args.config)
    witness = config.witness()
    http = HttpClient(30)
    while True:
        result = witness_round(witness, http, config.hub_url)
        print(json.dumps(result), flush=True)
        if args.once:
            return 0 if result["ok"] else 3
        time.sleep(config.interval)


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _default_log_level() -> str:
    level = os.environ.get("LOG_LEVEL", "").upper()
    return level if level in _LOG_LEVELS else "INFO"


def _serve(args: argparse.Namespace) -> int:
    config = NodeConfig.load(args.config)
    node = AgencyNode(config)
    server = NodeHTTPServer(node, config.listen_host, config.listen_port)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("agency_node").info("%s listening on %s", config.member_id, server.url)
    node.start_directory_refresher()
    gc.freeze()  # start-up's objects live as long as the node: not walked by the collector
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
        server.server_close()
    return 0


def _request(args: argparse.Namespace) -> int:
    # A consumer needs no registry: the provider's data source is not loaded here.
    node = AgencyNode(NodeConfig.load(args.config), answer=False)
    try:
        doc = node.request(
            document_type=args.type,
            citizen_id=args.citizen_id,
            purpose=args.purpose,
            officer=args.officer,
            legal_basis=args.legal_basis,
            provider=args.provider,
        )
    except GdxError as exc:
        print(json.dumps(exc.to_dict()), file=sys.stderr)
        return 2
    except OSError as exc:
        print(json.dumps({"error": "hub_unreachable", "detail": str(exc)}), file=sys.stderr)
        return 2
    print(json.dumps(document_to_json(doc), ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agency_node",
        description="GDX agency node: exchange registry documents end to end through the hub. "
        "See agency_node/README.md for the way from install to the first exchange.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser(
        "keygen",
        help="create this node's operational private keys (signing.pem, encryption.pem)",
        description="Create the node's signing and encryption keys (mode 0600). Refuses to "
        "overwrite; prints the public keys to register with EGA.",
    )
    kg.add_argument("--dir", required=True, help="folder for the keys (created, mode 0700)")
    kg.add_argument(
        "--sig-alg",
        default=DEFAULT_SIGNATURE_ALG,
        choices=sorted(SIGNATURE_ALGORITHMS),
        help="signature algorithm (default: %(default)s)",
    )
    kg.add_argument(
        "--kem-alg",
        default=DEFAULT_KEM_ALG,
        choices=sorted(KEM_ALGORITHMS),
        help="HPKE KEM of the encryption key (default: %(default)s, X-Wing)",
    )
    kg.set_defaults(func=_keygen)
    ik = sub.add_parser(
        "identity-keygen",
        help="create the agency's long-term identity key (keep it offline)",
        description="Create identity.pem: the key that certifies this agency's operational "
        "keys, so the hub cannot substitute them. Keep the folder offline; compare the "
        "printed fingerprint with EGA and your counterparts out of band.",
    )
    ik.add_argument("--dir", required=True, help="offline folder for identity.pem")
    ik.add_argument(
        "--alg",
        default=DEFAULT_SIGNATURE_ALG,
        choices=sorted(SIGNATURE_ALGORITHMS),
        help="signature algorithm (default: %(default)s)",
    )
    ik.set_defaults(func=_identity_keygen)
    ce = sub.add_parser(
        "certify",
        help="certify the node's keys with the identity key (writes certificates.json)",
        description="Sign each operational key in --keys with the identity key. Give the "
        "printed JSON to EGA to register the keys; nodes use only certified keys.",
    )
    ce.add_argument("--identity", required=True, help="path of identity.pem")
    src = ce.add_mutually_exclusive_group(required=True)
    src.add_argument("--keys", help="the node's key folder (writes certificates.json into it)")
    src.add_argument(
        "--public",
        help="keygen's printed JSON instead: certify without the private keys (offline)",
    )
    ce.add_argument("--member", required=True, help="this agency's GDX member id")
    ce.set_defaults(func=_certify)
    wi = sub.add_parser(
        "witness",
        help="cosign the hub's directory as an independent witness",
        description="Fetch the hub's directory, check it (hub signature, every key certified, "
        "no identity key changed, no serial reused for other members) and return a "
        "cosignature. A refusal is logged as a GDX ALARM with its threat numbers.",
    )
    wi.add_argument("--config", required=True, help="witness configuration JSON")
    wi.add_argument("--once", action="store_true", help="one round, then exit (3 on refusal)")
    wi.set_defaults(func=_witness)
    sv = sub.add_parser(
        "serve",
        help="run the node's HTTP service",
        description="Answer forwarded requests (POST /gdx/answer) and local officers "
        "(POST /request, loopback only); GET /healthz, GET /alarms (loopback only).",
    )
    sv.add_argument("--config", required=True, help="node configuration JSON")
    sv.add_argument(
        "--log-level",
        type=str.upper,
        choices=_LOG_LEVELS,
        default=_default_log_level(),
        help="INFO logs every request (an access log); WARNING only refusals and GDX "
        "ALARMs (default: $LOG_LEVEL, else INFO)",
    )
    sv.set_defaults(func=_serve)
    rq = sub.add_parser(
        "request",
        help="fetch one document through the hub",
        description="Request one document as a consumer and print it with its signed "
        "evidence. Does not need (or load) a provider data source.",
    )
    rq.add_argument("--config", required=True, help="node configuration JSON")
    rq.add_argument(
        "--type", required=True, help="document type: person_record | house_registration | ..."
    )
    rq.add_argument("--citizen-id", required=True, help="13-digit citizen or juristic ID")
    rq.add_argument("--purpose", required=True, help="purpose, as granted in the access right")
    rq.add_argument("--officer", required=True, help="who asks (recorded in the audit log)")
    rq.add_argument(
        "--legal-basis",
        default="PDPA s.24(4) public task",
        help="legal basis (default: %(default)s)",
    )
    rq.add_argument("--provider", help="provider member id (default: from the config)")
    rq.set_defaults(func=_request)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
