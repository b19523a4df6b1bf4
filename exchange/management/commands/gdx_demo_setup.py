"""Set up the demo GDX network (idempotent): hub key, two agency nodes, members, rights.

    manage.py gdx_demo_setup [--hub-url http://127.0.0.1:8000]

Writes var/gdx/hub/signing.pem (the hub's key) and, apart from it, var/gdx-nodes/
(each node's private keys, its config, the shared pseudonym key). In real life those
live at the agencies; the hub never reads them.
"""

import json
import os
import secrets
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.models import Agency
from agency_node.keystore import (
    IDENTITY_FILE,
    certify_node_keys,
    generate_identity,
    generate_keys,
    load_identity,
)
from exchange import conf, demo, services
from exchange.hub import hub_key_generate, hub_signing_key
from exchange.models import AccessRight, DocumentType, Member
from gdx_protocol import b64e

PROVIDED = ["person_record", "house_registration"]


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


class Command(BaseCommand):
    help = "Create the demo hub key, agency nodes, members and rights (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hub-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        )
        parser.add_argument(
            "--provider-port",
            type=int,
            default=int(os.environ.get("GDX_PROVIDER_PORT", demo.PROVIDER_PORT)),
        )
        parser.add_argument(
            "--consumer-port",
            type=int,
            default=int(os.environ.get("GDX_CONSUMER_PORT", demo.CONSUMER_PORT)),
        )

    def handle(self, *args, hub_url: str, provider_port: int, consumer_port: int, **options):
        agencies = {
            a.code: a for a in Agency.objects.filter(code__in=[demo.PROVIDER, demo.CONSUMER])
        }
        if len(agencies) != 2:
            raise CommandError(
                f"Agencies {demo.PROVIDER} and {demo.CONSUMER} are missing: run manage.py demo_data first."
            )
        if not conf.hub_key_file().exists():
            hub_key_generate(conf.hub_key_file())
        hub = hub_signing_key()
        base = demo.nodes_dir()
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        pseudonym = base / "pseudonym.key"
        if not pseudonym.exists():
            _write_secret(pseudonym, b64e(secrets.token_bytes(32)))
        endpoints = {
            demo.PROVIDER: (f"http://127.0.0.1:{provider_port}", provider_port),
            demo.CONSUMER: ("", consumer_port),
        }
        with transaction.atomic():
            members = {}
            for code, (endpoint, port) in endpoints.items():
                key_dir = base / f"{code}-keys"
                if not (key_dir / "signing.pem").exists():
                    generate_keys(key_dir)
                members[code] = self._member(agencies[code], endpoint, key_dir)
                self._config(
                    code, key_dir, port, hub_url, hub, existing=demo.load_node_config(code)
                )
            provider = members[demo.PROVIDER]
            for code in PROVIDED:
                doc = DocumentType.objects.get(code=code)
                if doc.provider_id != provider.pk:
                    services.document_type_set_provider(
                        document_type=doc, provider=provider, by=None
                    )
                if not AccessRight.objects.filter(
                    consumer=members[demo.CONSUMER],
                    document_type=doc,
                    purpose=demo.PURPOSE,
                    status=AccessRight.Status.ACTIVE,
                ).exists():
                    services.access_right_grant(
                        consumer=members[demo.CONSUMER],
                        document_type=doc,
                        purpose=demo.PURPOSE,
                        legal_basis=demo.LEGAL_BASIS,
                        by=None,
                    )
        self.stdout.write(
            f"GDX demo configured: {demo.PROVIDER} (provider, port {provider_port}) and "
            f"{demo.CONSUMER} (consumer, port {consumer_port}) in {base}; start the nodes with "
            "script/gdx-nodes start"
        )

    def _member(self, agency: Agency, endpoint: str, key_dir: Path) -> Member:
        member = Member.objects.filter(agency=agency).first()
        if member is None:
            member = services.member_register(agency=agency, endpoint=endpoint, by=None)
        elif member.endpoint != endpoint:
            services.member_update_endpoint(member=member, endpoint=endpoint, by=None)
        # The agency's identity key certifies its node keys (ADR 0006). In real life it is
        # kept offline at the agency; the demo keeps it beside the node's folder.
        offline = key_dir.parent / f"{member.code}-offline"
        if not (offline / IDENTITY_FILE).exists():
            generate_identity(offline)
        certs = certify_node_keys(key_dir, load_identity(offline / IDENTITY_FILE), member.code)
        services.member_keys_import(member=member, certificates=certs, by=None)
        return member

    def _config(self, code, key_dir, port, hub_url, hub, *, existing) -> None:
        cfg = {
            "member_id": code,
            "key_dir": key_dir.name,
            "hub_url": hub_url.rstrip("/"),
            "hub_keys": [{"alg": hub.alg, "pub": b64e(hub.public_raw)}],
            "pseudonym_key_file": "pseudonym.key",
            "listen_host": "127.0.0.1",
            "listen_port": port,
            "providers": {t: demo.PROVIDER for t in PROVIDED},
            "request_ttl": 120,
            "directory_refresh": 30,
            "state_dir": f"{code}-state",
        }
        if code == demo.PROVIDER:
            cfg["data_source"] = "agency_node.sample_provider:SampleCivilRegistry"
            cfg["data_source_options"] = demo.SAMPLE_OPTIONS
        else:
            token = (existing or {}).get("local_token") or secrets.token_urlsafe(24)
            cfg["local_token"] = token
        _write_secret(demo.node_config_path(code), json.dumps(cfg, indent=2))
