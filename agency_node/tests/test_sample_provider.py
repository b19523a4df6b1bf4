from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agency_node.datasource import DataSource, load_data_source
from agency_node.sample_provider import SampleCivilRegistry
from gdx_protocol import thai_id_is_valid


def test_deterministic_and_valid_ids():
    a, b = SampleCivilRegistry(seed=7), SampleCivilRegistry(seed=7)
    assert a.citizen_ids() == b.citizen_ids()
    assert a.citizen_ids() != SampleCivilRegistry(seed=8).citizen_ids()
    assert all(thai_id_is_valid(c) for c in a.citizen_ids() + a.juristic_ids())
    assert all(j.startswith("0") for j in a.juristic_ids())


def test_documents_shape():
    reg = SampleCivilRegistry()
    cid = reg.citizen_ids()[0]
    person = reg.fetch("person_record", cid)
    assert person and person["citizen_id"] == cid
    assert set(person["address"]) >= {
        "house_no",
        "moo",
        "subdistrict",
        "district",
        "province",
        "postcode",
    }
    house = reg.fetch("house_registration", cid)
    assert house and house["members"][0]["status"] == "เจ้าบ้าน"
    assert reg.fetch("unknown_type", cid) is None


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_every_seed_gives_valid_ids(seed):
    reg = SampleCivilRegistry(seed=seed, houses=10, juristic_persons=2)
    assert all(thai_id_is_valid(c) for c in reg.citizen_ids() + reg.juristic_ids())


def test_load_by_dotted_path():
    src = load_data_source("agency_node.sample_provider:SampleCivilRegistry", {"houses": 3})
    assert isinstance(src, DataSource)
    src2 = load_data_source("agency_node.sample_provider.SampleCivilRegistry", {"houses": 3})
    assert src2.document_types == src.document_types
