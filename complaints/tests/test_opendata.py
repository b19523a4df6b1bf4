import csv
import io
import json

import pytest
from django.utils import timezone

from complaints.models import Route
from complaints.tests.factories import category, submit

pytestmark = pytest.mark.django_db


def test_the_monthly_data_set_has_no_text_no_personal_data_and_a_rounded_place(client, agency_a):
    Route.objects.create(category=category("road"), province_code="10", agency=agency_a)
    complaint = submit(latitude=13.756349, longitude=100.501849, reporter_name="สมชาย")
    month = timezone.localdate().strftime("%Y-%m")
    assert month in client.get("/opendata/complaints/").content.decode()
    body = b"".join(client.get(f"/opendata/complaints/{month}.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["reference"] for r in rows] == [complaint.reference]
    assert (rows[0]["latitude"], rows[0]["longitude"]) == ("13.756", "100.502")
    assert rows[0]["agency_code"] == "agency-a"
    for secret in ("สมชาย", "citizen@example.com", "081", "ป้ายจราจร"):
        assert secret not in body
    geo = json.loads(
        b"".join(client.get(f"/opendata/complaints/{month}.geojson").streaming_content)
    )
    assert geo["features"][0]["geometry"]["coordinates"] == [100.502, 13.756]
    catalog = client.get("/opendata/catalog.jsonld").json()
    identifiers = [d["dct:identifier"] for d in catalog["dcat:dataset"]]
    assert f"citizeninfo-complaints-{month}" in identifiers
    assert "citizeninfo-service-points" in identifiers


def test_bad_months_and_formats_are_404(client):
    for path in ("2026-13.csv", "2999-01.csv", "2026-01.xlsx", "junk.csv"):
        assert client.get(f"/opendata/complaints/{path}").status_code == 404
