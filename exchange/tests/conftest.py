# mypy: ignore-errors
# (factory_boy and pytest fixtures are untyped; the code under test is checked.)
"""A small GDX network in one process: the hub under Django's test client, a real provider
node over HTTP on loopback, and consumers built from gdx_protocol directly."""

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from agency_node.config import NodeConfig
from agency_node.keystore import generate_keys, load_keys
from agency_node.node import AgencyNode, _DirectoryCache
from agency_node.sample_provider import SampleCivilRegistry
from agency_node.server import NodeHTTPServer, start_in_thread
from exchange import services
from exchange.hub import hub_key_generate
from exchange.models import DocumentType
from exchange.tests.factories import MemberFactory
from gdx_protocol import HubKey, NodeIdentity, b64e, load_signed_directory
from gdx_protocol.keys import load_private_pem

PSEUDONYM_KEY = b"k" * 32
PURPOSE = "land-title-transfer"
REGISTRY = SampleCivilRegistry(seed=7, houses=5)


@pytest.fixture(scope="session")
def gdx_keys(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("gdx-keys")
    hub_key_generate(base / "hub.pem")
    for name in ("prov", "cons", "cons2"):
        generate_keys(base / name)
    (base / "pseudonym.key").write_text(b64e(PSEUDONYM_KEY))
    return base


@pytest.fixture
def hub_key_file(gdx_keys, settings) -> Path:
    settings.GDX_HUB_KEY_FILE = str(gdx_keys / "hub.pem")
    return gdx_keys / "hub.pem"


def identity(base: Path, name: str, member: str) -> NodeIdentity:
    sig, enc = load_keys(base / name)
    return NodeIdentity(member, sig, enc)


@pytest.fixture(scope="session")
def provider_node(gdx_keys):
    hub = load_private_pem((gdx_keys / "hub.pem").read_bytes())
    config = NodeConfig.from_dict(
        {
            "member_id": "prov",
            "key_dir": "prov",
            "hub_url": "http://127.0.0.1:9",
            "hub_keys": [{"alg": hub.alg, "pub": b64e(hub.public_raw)}],
            "pseudonym_key_file": "pseudonym.key",
            "listen_port": 0,
            "directory_refresh": 10**6,
        },
        gdx_keys,
    )
    node = AgencyNode(config, data_source=REGISTRY)
    server = NodeHTTPServer(node, "127.0.0.1", 0)
    start_in_thread(server)
    yield node, server.url
    server.shutdown()
    server.server_close()


@dataclass
class Net:
    client: object
    provider: object
    consumer: object
    consumer2: object
    cons: NodeIdentity
    cons2: NodeIdentity
    prov: NodeIdentity
    anchors: list
    node: AgencyNode
    citizen_id: str

    def directory(self):
        from exchange.selectors import directory_document

        return load_signed_directory(
            directory_document(), self.anchors, now=int(time.time())
        ).directory

    def prime(self) -> None:
        """Give the provider node the hub's current directory (it cannot GET our test client)."""
        from exchange.selectors import directory_document

        verified = load_signed_directory(
            directory_document(),
            self.anchors,
            now=int(time.time()),
        )
        self.node._dir = _DirectoryCache(verified.directory, verified.serial, time.time(), 2**40)

    def register(self, member, ident: NodeIdentity) -> None:
        services.member_key_add(
            member=member,
            use="sig",
            algorithm=ident.signing_key.alg,
            public_key=ident.signing_key.public_raw,
            by=None,
        )
        for key in ident.encryption_keys:
            services.member_key_add(
                member=member, use="enc", algorithm=key.alg, public_key=key.public_raw, by=None
            )

    def post(self, body: bytes):
        return self.client.post("/gdx/exchange", data=body, content_type="application/json")


@pytest.fixture
def net(db, client, gdx_keys, hub_key_file, provider_node) -> Net:
    from agencies.tests.factories import DepartmentFactory

    node, url = provider_node
    hub = load_private_pem(hub_key_file.read_bytes())
    provider = MemberFactory(agency=DepartmentFactory(code="prov"), endpoint=url)
    consumer = MemberFactory(agency=DepartmentFactory(code="cons"))
    consumer2 = MemberFactory(agency=DepartmentFactory(code="cons2"))
    n = Net(
        client=client,
        provider=provider,
        consumer=consumer,
        consumer2=consumer2,
        cons=identity(gdx_keys, "cons", "cons"),
        cons2=identity(gdx_keys, "cons2", "cons2"),
        prov=identity(gdx_keys, "prov", "prov"),
        anchors=[HubKey.from_signing_key(hub)],
        node=node,
        citizen_id=REGISTRY.citizen_ids()[0],
    )
    n.register(provider, n.prov)
    n.register(consumer, n.cons)
    n.register(consumer2, n.cons2)
    for code in ("person_record", "house_registration"):
        DocumentType.objects.filter(code=code).update(provider=provider)
    services.access_right_grant(
        consumer=consumer,
        document_type=DocumentType.objects.get(code="person_record"),
        purpose=PURPOSE,
        by=None,
    )
    n.prime()
    return n
