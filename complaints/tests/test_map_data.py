"""The map's GeoJSON written from row tuples is the JSON that a dict per feature gave
(ADR 0103), and the view still answers with it."""

import json

import pytest
from django.http import JsonResponse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints import map_data
from complaints.models import Category, Complaint
from complaints.tests.factories import category, submit

pytestmark = pytest.mark.django_db


def _by_dicts(rows) -> bytes:
    """The map data as the first version built it (a dict per feature, JsonResponse)."""
    names = dict(Category.objects.values_list("pk", "name_th"))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "reference": ref,
                "state": Complaint.State(state).label,
                "category": names[cat],
                "url": f"/complaints/{ref}/",
            },
        }
        for ref, lat, lon, state, cat in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features}).content


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.text(max_size=12),
            st.floats(min_value=5, max_value=21),
            st.floats(min_value=97, max_value=106),
            st.sampled_from(Complaint.State.values),
        ),
        max_size=8,
    ),
    language=st.sampled_from(["th", "en"]),
)
def test_the_same_bytes_as_a_dict_per_feature(rows, language):
    road = category("road")
    Category.objects.filter(pk=road.pk).update(name_th='ถนน "ชำรุด" & <ป้าย>')
    rows = [(ref, lat, lon, state, road.pk) for ref, lat, lon, state in rows]
    with translation.override(language):
        assert map_data.geojson(rows) == _by_dicts(rows)


def test_the_view_answers_the_newest_pins_of_the_filter(client):
    first = submit()
    second = submit(category=category("waste"))
    second.transition(Complaint.State.IN_PROGRESS)
    second.save()
    response = client.get("/complaints/map.geojson?state=in_progress")
    assert response["Content-Type"] == "application/json"
    features = json.loads(response.content)["features"]
    assert [f["properties"]["reference"] for f in features] == [second.reference]
    everything = json.loads(client.get("/complaints/map.geojson").content)["features"]
    assert [f["properties"]["reference"] for f in everything] == [
        second.reference,
        first.reference,
    ]
    assert everything[0]["properties"]["category"] == category("waste").name_th
    assert everything[1]["geometry"]["coordinates"] == [first.longitude, first.latitude]
