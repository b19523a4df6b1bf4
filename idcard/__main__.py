"""python -m idcard serve|read: the officer PC's card-reader service, or one read to stdout."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from idcard.errors import CardError


def _factory(simulated: bool):
    if simulated:
        from idcard.simulated import SimulatedCard  # lazy: cli

        return SimulatedCard
    from idcard.pcsc import PcscTransport  # lazy: heavy

    return PcscTransport


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m idcard")
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the local reader service on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--origin",
        action="append",
        required=True,
        help="the portal's origin, e.g. https://info.go.th (repeatable)",
    )
    serve.add_argument("--simulated", action="store_true", help="a simulated card (demo, tests)")
    serve.add_argument("--code-file", type=Path, help="also write the pairing code here (0600)")
    read = sub.add_parser("read", help="read the card once and print JSON (no photo)")
    read.add_argument("--simulated", action="store_true")
    args = parser.parse_args(argv)

    if args.cmd == "read":
        from idcard.reader import read_card  # lazy: cli

        try:
            data = read_card(_factory(args.simulated)(), photo=False)
        except CardError as exc:
            print(json.dumps(exc.as_dict(), ensure_ascii=False))
            return 1
        print(json.dumps(data.as_json(), ensure_ascii=False, indent=2))
        return 0

    from idcard.server import Pairing, ReaderHTTPServer  # lazy: cli

    server = ReaderHTTPServer(
        port=args.port,
        origins={o.rstrip("/") for o in args.origin},
        transport_factory=_factory(args.simulated),
        pairing=Pairing(code_file=args.code_file),
        simulated=args.simulated,
    )
    print(f"idcard: listening on {server.url} for {', '.join(sorted(server.origins))}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
