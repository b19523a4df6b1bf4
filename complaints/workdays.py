"""Deadlines in working days: Monday to Friday, less Thailand's public holidays (the `holidays`
package, which computes the lunar ones: Makha, Visakha and Asarnha Bucha) and the extra days
off the cabinet declares, which EGA enters as `Holiday` rows."""

import datetime
from functools import lru_cache

import holidays

from complaints.models import Holiday


@lru_cache(maxsize=64)
def _public(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("TH", years=year).keys())


def days_off(start: datetime.date, end: datetime.date) -> set[datetime.date]:
    """Public and extra holidays between start and end (inclusive)."""

    days: set[datetime.date] = set()
    for year in range(start.year, end.year + 1):
        days |= _public(year)
    days |= set(Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True))
    return days


def is_working_day(day: datetime.date, off: set[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in off


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the day of filing does not count)."""
    # Generous look-ahead: 15 working days never span more than ~5 weeks even over Songkran.
    off = days_off(start, start + datetime.timedelta(days=days * 3 + 30))
    day, left = start, days
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    off = days_off(start, end)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count
