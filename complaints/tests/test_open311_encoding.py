"""Open311's XML is written as strings since ADR 0103: the same bytes as the ElementTree
version it replaced (kept here as the reference), for any shape the endpoints answer."""

from typing import Any
from xml.etree import ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from complaints import open311


def _et_to_xml(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, list):
                holder = ET.SubElement(element, key)
                singular = {
                    "attributes": "attribute",
                    "values": "value",
                    "endpoints": "endpoint",
                    "formats": "format",
                }.get(key, key.rstrip("s"))
                for entry in item:
                    _et_to_xml(ET.SubElement(holder, singular), entry)
            else:
                _et_to_xml(ET.SubElement(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _et_body(root: str, item: str, rows: Any) -> bytes:
    top = ET.Element(root)
    if isinstance(rows, list):
        for row in rows:
            _et_to_xml(ET.SubElement(top, item), row)
    else:
        _et_to_xml(top, rows)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")


TAGS = st.sampled_from(["status", "lat", "formats", "attributes", "values", "media_url", "x"])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=10)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, st.just("")
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.dictionaries(TAGS, inner, max_size=4),
        st.dictionaries(TAGS, st.lists(inner, max_size=3), max_size=3),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(rows=st.one_of(st.lists(st.dictionaries(TAGS, VALUES, max_size=5), max_size=4), VALUES))
def test_the_same_bytes_as_elementtree(rows):
    assert open311._xml_body("service_requests", "request", rows) == _et_body(
        "service_requests", "request", rows
    )


def test_a_request_row_as_the_spec_shows_it():
    row = {
        "service_request_id": "CR-2569-000001",
        "status_notes": "",
        "description": "ท่อ <แตก> & รั่ว",
        "lat": 13.75,
        "extended_attributes": {"supporters": 0, "metadata": False},
    }
    assert open311._xml_body("service_requests", "request", [row]).decode() == (
        '<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>'
        "<service_request_id>CR-2569-000001</service_request_id><status_notes />"
        "<description>ท่อ &lt;แตก&gt; &amp; รั่ว</description><lat>13.75</lat>"
        "<extended_attributes><supporters>0</supporters><metadata>false</metadata>"
        "</extended_attributes></request></service_requests>"
    )
