import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from feedback import selectors
from feedback.models import PointDay, Response
from feedback.tests.factories import submit

BANGKOK = ZoneInfo("Asia/Bangkok")


def _at(point, when: datetime.datetime, **fields):
    """An answer given at `when` (the per-day figures follow its Bangkok date)."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=when):
        return submit(point, **fields)


def test_summary_is_top_two_box_area_averages_and_copy_rate(point_a):
    for overall, copy in [(5, False), (4, True), (3, False), (1, True)]:
        submit(point_a, overall=overall, staff=overall, asked_for_copy=copy)
    summary = selectors.feedback_summary(point=point_a)
    assert summary.responses == 4
    assert summary.satisfaction == 0.5
    assert summary.average("overall") == 3.25
    assert summary.average("staff") == 3.25
    assert summary.average("process") == 4
    assert summary.top2_share("facilities") == 0
    assert summary.copy_request_rate == 0.5


def test_empty_figures_are_none_not_zero(point_a):
    summary = selectors.feedback_summary(point=point_a)
    assert summary.responses == 0 and summary.satisfaction is None
    assert selectors.feedback_copy_request_rate(point=point_a).rate is None


def test_held_answers_are_left_out_of_every_figure(point_a):
    submit(point_a)
    submit(point_a, honeypot="bot", asked_for_copy=True)
    assert selectors.feedback_summary(point=point_a).responses == 1
    assert selectors.feedback_copy_request_rate(point=point_a).asked == 0
    assert selectors.feedback_held_count(point=point_a) == 1


def test_copy_request_rate_by_agency_point_and_since(point_a, point_b, agency_a):
    _at(point_a, datetime.datetime(2026, 1, 10, 9, tzinfo=BANGKOK), asked_for_copy=True)
    _at(point_a, datetime.datetime(2026, 3, 10, 9, tzinfo=BANGKOK), asked_for_copy=False)
    _at(point_b, datetime.datetime(2026, 3, 10, 9, tzinfo=BANGKOK), asked_for_copy=True)
    everything = selectors.feedback_copy_request_rate()
    assert (everything.responses, everything.asked) == (3, 2)
    agency = selectors.feedback_copy_request_rate(agency=agency_a)
    assert (agency.responses, agency.asked, agency.rate) == (2, 1, 0.5)
    since = selectors.feedback_copy_request_rate(agency=agency_a, since=datetime.date(2026, 2, 1))
    assert (since.responses, since.asked) == (1, 0)
    aware = selectors.feedback_copy_request_rate(
        point=point_b, since=datetime.datetime(2026, 3, 10, 0, 0, tzinfo=BANGKOK)
    )
    assert aware.asked == 1


def test_days_follow_bangkok_time(point_a):
    # 23:30 UTC on 1 March is 06:30 on 2 March in Bangkok.
    _at(point_a, datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC))
    assert PointDay.objects.get().day == datetime.date(2026, 3, 2)


def test_trend_by_week_and_month(point_a):
    _at(point_a, datetime.datetime(2026, 3, 2, 9, tzinfo=BANGKOK), overall=5)  # Monday
    _at(point_a, datetime.datetime(2026, 3, 8, 9, tzinfo=BANGKOK), overall=1)  # Sunday
    _at(point_a, datetime.datetime(2026, 3, 9, 9, tzinfo=BANGKOK), overall=4)  # next Monday
    _at(point_a, datetime.datetime(2026, 4, 1, 9, tzinfo=BANGKOK), overall=2)
    weeks = selectors.feedback_trend(point=point_a, period="week")
    assert [(w.start, w.summary.responses) for w in weeks] == [
        (datetime.date(2026, 3, 2), 2),
        (datetime.date(2026, 3, 9), 1),
        (datetime.date(2026, 3, 30), 1),
    ]
    assert weeks[0].summary.satisfaction == 0.5
    months = selectors.feedback_trend(point=point_a, period="month")
    assert [(m.start, m.summary.responses) for m in months] == [
        (datetime.date(2026, 3, 1), 3),
        (datetime.date(2026, 4, 1), 1),
    ]
    with pytest.raises(ValueError):
        selectors.feedback_trend(point=point_a, period="year")


def test_a11_drivers_map_to_the_questions(point_a):
    submit(point_a, overall=5, process=2, staff=4, facilities=1, outcome=3)
    drivers = {d.driver: d for d in selectors.feedback_by_driver(point=point_a)}
    assert list(drivers) == [
        "satisfaction",
        "trust",
        "effectiveness",
        "ease",
        "efficiency",
        "transparency",
        "humanity",
        "employee",
    ]
    assert drivers["satisfaction"].average == 5
    assert drivers["effectiveness"].average == 3
    assert drivers["ease"].average == drivers["efficiency"].average == 2
    assert drivers["humanity"].average == drivers["employee"].average == 4
    assert drivers["humanity"].top2 == 1
    assert drivers["trust"].average is None and drivers["transparency"].source is None


def test_public_figures_only_from_the_minimum(point_a, settings):
    settings.FEEDBACK_PUBLIC_MIN_RESPONSES = 3
    submit(point_a)
    submit(point_a)
    submit(point_a, honeypot="bot")  # held: does not count towards the minimum
    assert selectors.feedback_public_summary(point=point_a) is None
    submit(point_a)
    assert selectors.feedback_public_summary(point=point_a).responses == 3


def test_points_and_agencies_tables(point_a, point_b, agency_a):
    submit(point_a)
    submit(point_a)
    submit(point_b)
    by_point = selectors.feedback_by_point(agency=agency_a)
    assert [(row["point"], row["summary"].responses) for row in by_point] == [(point_a, 2)]
    by_agency = {
        row["agency"].code: row["summary"].responses for row in selectors.feedback_by_agency()
    }
    assert by_agency == {"agency-a": 2, "agency-b": 1}


def test_comments_exclude_rejected_and_empty(point_a, ega_admin):
    from feedback.services import response_reject

    submit(point_a, comment="")
    kept = submit(point_a, comment="ดี")
    held = submit(point_a, comment="สแปม", honeypot="x")
    rejected = submit(point_a, comment="โฆษณา", honeypot="x")
    response_reject(response=rejected, by=ega_admin)
    comments = list(selectors.feedback_comments(point=point_a))
    assert comments == [held, kept]
    assert comments[0].status == Response.Status.FLAGGED


def test_summary_window(point_a):
    _at(point_a, timezone.make_aware(datetime.datetime(2026, 1, 5, 10)))
    _at(point_a, timezone.make_aware(datetime.datetime(2026, 2, 5, 10)))
    assert selectors.feedback_summary(point=point_a, since=datetime.date(2026, 2, 1)).responses == 1
    assert (
        selectors.feedback_summary(point=point_a, until=datetime.date(2026, 1, 31)).responses == 1
    )


def test_comments_count_the_replies_each_one_got(point_a, point_b, officer_a):
    from feedback.services import reply_send

    twice = submit(point_a, comment="ห้องน้ำสกปรก", contact_email="a@example.com")
    once = submit(point_a, comment="รอนาน", contact_email="b@example.com")
    submit(point_a, comment="ดีมาก")
    other = submit(point_b, comment="ที่อื่น", contact_email="c@example.com")
    for response, times in ((twice, 2), (once, 1)):
        for n in range(times):
            reply_send(response=response, body=f"ขอบคุณครับ {n}", by=officer_a)
    counted = {c.comment: c.reply_count for c in selectors.feedback_comments(point=point_a)}
    assert counted == {"ห้องน้ำสกปรก": 2, "รอนาน": 1, "ดีมาก": 0}
    assert [c.pk for c in selectors.feedback_comments(point=point_a, limit=2)] == [
        c.pk for c in selectors.feedback_comments(point=point_a)
    ][:2]
    assert other.pk not in {c.pk for c in selectors.feedback_comments(point=point_a)}


def test_held_answers_are_counted_per_point_and_agency_from_their_own_indexes(
    point_a, point_b, agency_a
):
    from django.db import connection

    submit(point_a, honeypot="bot")
    submit(point_a, honeypot="bot")
    submit(point_b, honeypot="bot")
    submit(point_a)
    assert selectors.feedback_held_count(point=point_a) == 2
    assert selectors.feedback_held_count(agency=agency_a) == 2
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Response._meta.db_table)
    assert indexes["fb_held_point"]["columns"] == ["point_id"]
    assert indexes["fb_held_agency"]["columns"] == ["agency_id"]
