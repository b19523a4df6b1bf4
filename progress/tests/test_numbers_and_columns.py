"""Issue 16: thousands separators, and one column headed "หน่วยงาน" in the group table."""

import pytest
from django.template import Context, Template

from progress.exports import _columns

pytestmark = pytest.mark.django_db


def test_numbers_have_thousands_separators():
    html = Template("{{ a|num }} {{ b|num }} {{ c|num }}").render(
        Context({"a": 40000, "b": 7, "c": "x"})
    )
    assert html == "40,000 7 x"


def test_the_group_table_and_its_sheet_have_one_agency_column():
    from django.utils import translation

    with translation.override("th"):
        labels = [str(label) for _key, label in _columns()]
    assert labels.count("หน่วยงาน") == 1
    assert "จำนวนหน่วยงาน" in labels


def test_the_dashboard_shows_separated_figures(client, monkeypatch):
    from progress import selectors

    monkeypatch.setattr(selectors, "point_target", lambda: 40000)
    html = client.get("/progress/").content.decode()
    assert "40,000" in html


def test_the_schedule_chart_names_each_activity_and_has_a_month_axis(client):
    import re

    from progress.models import Activity

    html = client.get("/progress/").content.decode()
    charts = re.findall(r'<svg class="chart".*?</svg>', html, flags=re.S)
    schedule = [c for c in charts if "<line" in c and "</text>" in c]
    assert schedule, "no schedule chart"
    chart = schedule[0]
    first = Activity.objects.order_by("phase__number", "position", "pk").first()
    assert first.name_th[:20] in chart
    assert re.search(
        r">(ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\.) \d\d<",
        chart,
    )
