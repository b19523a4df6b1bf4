"""``python -m agency_node keygen|serve|request`` (see README in this folder)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from gdx_protocol.errors import GdxError
from gdx_protocol.keys import (
    DEFAULT_KEM_ALG,
    DEFAULT_SIGNATURE_ALG,
    KEM_ALGORITHMS,
    SIGNATURE_ALGORITHMS,
)

from .config import NodeConfig
from .keystore import generate_keys
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


def _serve(args: argparse.Namespace) -> int:
    config = NodeConfig.load(args.config)
    node = AgencyNode(config)
    server = NodeHTTPServer(node, config.listen_host, config.listen_port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("agency_node").info("%s listening on %s", config.member_id, server.url)
    node.start_directory_refresher()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()
        server.server_close()
    return 0


def _request(args: argparse.Namespace) -> int:
    node = AgencyNode(NodeConfig.load(args.config))
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
    print(json.dumps(document_to_json(doc), ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agency_node")
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="create this node's private keys")
    kg.add_argument("--dir", required=True)
    kg.add_argument(
        "--sig-alg", default=DEFAULT_SIGNATURE_ALG, choices=sorted(SIGNATURE_ALGORITHMS)
    )
    kg.add_argument("--kem-alg", default=DEFAULT_KEM_ALG, choices=sorted(KEM_ALGORITHMS))
    kg.set_defaults(func=_keygen)
    sv = sub.add_parser("serve", help="run the node's HTTP service")
    sv.add_argument("--config", required=True)
    sv.set_defaults(func=_serve)
    rq = sub.add_parser("request", help="fetch one document through the hub")
    rq.add_argument("--config", required=True)
    rq.add_argument("--type", required=True, help="person_record | house_registration | ...")
    rq.add_argument("--citizen-id", required=True)
    rq.add_argument("--purpose", required=True)
    rq.add_argument("--officer", required=True)
    rq.add_argument("--legal-basis", default="PDPA s.24(4) public task")
    rq.add_argument("--provider", help="provider member id (default: from config)")
    rq.set_defaults(func=_request)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
