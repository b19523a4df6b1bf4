import datetime

import pytest
from django import forms
from django.utils import translation

from core.dates import BEDateEndField, BEDateField, BEDateInput, parse_date_text


class DateForm(forms.Form):
    day = BEDateField()
    until = BEDateEndField(required=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/11/2569", datetime.date(2026, 11, 30)),
        ("31/12/2569", datetime.date(2026, 12, 31)),
        ("๓๐/๑๑/๒๕๖๙", datetime.date(2026, 11, 30)),
        ("30-11-2569", datetime.date(2026, 11, 30)),
        ("30.11.2569", datetime.date(2026, 11, 30)),
        ("30/11/2026", datetime.date(2026, 11, 30)),
        ("2026-11-30", datetime.date(2026, 11, 30)),
        ("1/1/2400", datetime.date(1857, 1, 1)),
    ],
)
def test_typed_dates(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize("text", ["30/11/69", "30/11/2300", "30/11/1500", "1/1/2399"])
def test_ambiguous_years_are_refused_with_a_clear_message(text):
    with translation.override("th"):
        form = DateForm({"day": text})
        assert not form.is_valid()
        assert "อ่านได้มากกว่าหนึ่งแบบ" in form.errors["day"][0]
    with translation.override("en"):
        form = DateForm({"day": text})
        assert not form.is_valid()
        assert "could be read two ways" in form.errors["day"][0]


@pytest.mark.parametrize("text", ["31/02/2569", "hello", "", "32/1/2569", "2569"])
def test_not_dates_are_refused(text):
    form = DateForm({"day": text})
    assert not form.is_valid()


def test_the_form_stores_the_gregorian_date():
    form = DateForm({"day": "30/11/2569", "until": "31/12/2569"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 11, 30)
    until = form.cleaned_data["until"]
    # Usable through the whole of 31 December 2026 in Bangkok, not one second more.
    assert until.isoformat() == "2027-01-01T00:00:00+07:00"


def test_thai_readers_see_buddhist_era_english_readers_gregorian():
    widget = BEDateInput()
    with translation.override("th"):
        assert widget.format_value(datetime.date(2026, 11, 30)) == "30/11/2569"
        assert 'placeholder="วว/ดด/ปปปป"' in widget.render("d", None)
    with translation.override("en"):
        assert widget.format_value(datetime.date(2026, 11, 30)) == "30/11/2026"
        assert 'placeholder="dd/mm/yyyy"' in widget.render("d", None)


def test_a_valid_until_shows_the_last_usable_day():
    form = DateForm(initial={"until": datetime.datetime.fromisoformat("2027-01-01T00:00+07:00")})
    with translation.override("th"):
        assert 'value="31/12/2569"' in str(form["until"])
