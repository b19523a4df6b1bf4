"""The public map's GeoJSON, written from plain row tuples (ADR 0103).

Building a dict per feature and encoding it cost most of the map's time at 2,000 pins; here
each feature is one string format. The output is exactly what `JsonResponse` (default
separators, ASCII escapes) made of the dicts: JSON string escaping is per character, so a
string's encoding is the concatenation of its parts' encodings, and floats are encoded by
`float.__repr__` in both. The labels (8 states, a few categories) are encoded once a call.
"""

import json
import re
from collections.abc import Iterable

from complaints.models import Category, Complaint

MAX_PINS = 2000
# A reference as the project writes them (CR-2569-000123) needs no JSON escaping.
_PLAIN = re.compile(r"[A-Za-z0-9-]*").fullmatch

_FEATURE = (
    '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [%r, %r]}, '
    '"properties": {"reference": "%s", "state": %s, "category": %s, "url": "/complaints/%s/"}}'
)


def geojson(rows: Iterable[tuple[str, float, float, str, int]]) -> bytes:
    """`rows`: (reference, latitude, longitude, state, category id) of public complaints."""
    states = {value: json.dumps(str(label)) for value, label in Complaint.State.choices}
    categories = {
        pk: json.dumps(name) for pk, name in Category.objects.values_list("pk", "name_th")
    }
    dumps = json.dumps
    features = []
    for ref, lat, lon, state, cat in rows:
        escaped = ref if _PLAIN(ref) else dumps(ref)[1:-1]
        features.append(
            _FEATURE % (float(lon), float(lat), escaped, states[state], categories[cat], escaped)
        )
    return ('{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}").encode()
