import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from core.templatetags.thai_dates import format_date, format_datetime
from core.text import grapheme_length, normalize_for_search

UTC = datetime.UTC


def test_thai_readers_see_the_buddhist_era():
    with translation.override("th"):
        assert format_date(datetime.date(2026, 11, 25)) == "25 พฤศจิกายน 2569"
        assert format_date(datetime.date(2018, 5, 7), short=True) == "7 พ.ค. 2561"


def test_english_readers_see_the_common_era():
    with translation.override("en"):
        assert format_date(datetime.date(2026, 11, 25)) == "25 November 2026"


def test_datetimes_are_shown_in_bangkok_time():
    moment = datetime.datetime(2026, 12, 31, 20, 30, tzinfo=UTC)  # 03:30 next day in Bangkok
    with translation.override("th"):
        assert format_datetime(moment) == "1 มกราคม 2570 03:30 น."


def test_template_filter_wraps_an_iso_time_element():
    moment = datetime.datetime(2026, 11, 25, 9, 5, tzinfo=ZoneInfo("Asia/Bangkok"))
    with translation.override("th"):
        html = Template("{{ d|be_datetime }} {{ d|be_date }}").render(Context({"d": moment}))
    assert '<time datetime="2026-11-25T09:05:00+07:00">25 พฤศจิกายน 2569 09:05 น.</time>' in html
    assert '<time datetime="2026-11-25">25 พฤศจิกายน 2569</time>' in html


def test_empty_values_render_nothing():
    assert Template("{{ d|be_date }}").render(Context({"d": None})) == ""


def test_thai_character_count_ignores_combining_marks():
    assert grapheme_length("น้ำ") == 2  # น + ำ; the tone mark ้ is not counted
    assert grapheme_length("ที่") == 1
    assert grapheme_length("abc") == 3


def test_search_normalisation_folds_case_digits_and_space():
    assert normalize_for_search("  กรม   สรรพากร ๑๒ REVENUE ") == "กรม สรรพากร 12 revenue"
    # A control character (a NUL would make PostgreSQL refuse the query) is dropped.
    assert normalize_for_search("กรม\x00สรรพากร\x1b") == "กรมสรรพากร"
