import datetime

import pytest

from complaints.models import Holiday
from complaints.workdays import add_working_days, working_days_between

D = datetime.date


@pytest.mark.django_db
def test_weekends_are_skipped():
    # Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)


@pytest.mark.django_db
def test_songkran_is_skipped():
    # Friday 2026-04-10; 13-15 April (Mon-Wed) are Songkran: the next working day is Thursday.
    assert add_working_days(D(2026, 4, 10), 1) == D(2026, 4, 16)


@pytest.mark.django_db
def test_lunar_holidays_are_known():
    # Makha Bucha falls on Tuesday 2026-03-03.
    assert add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 4)


@pytest.mark.django_db
def test_fifteen_working_days_over_new_year():
    # From Monday 2026-12-21: Dec 31, Jan 1 (and the bridge day if declared) are off.
    assert add_working_days(D(2026, 12, 21), 15) == D(2027, 1, 13)


@pytest.mark.django_db
def test_an_extra_holiday_that_ega_declares_counts():
    before = add_working_days(D(2026, 11, 27), 1)
    Holiday.objects.create(date=D(2026, 11, 30), name="วันหยุดพิเศษ")
    assert before == D(2026, 11, 30)
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 12, 1)


@pytest.mark.django_db
def test_working_days_between():
    assert working_days_between(D(2026, 11, 27), D(2026, 12, 4)) == 5
    assert working_days_between(D(2026, 12, 4), D(2026, 11, 27)) == 0
