"""Dates shown in the reader's time zone, whatever date is stored."""

from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as format_date


def local_time(value: datetime) -> datetime:
    """`value` in the active time zone, or as stored when that zone would take it off the calendar.

    Python's dates run from year 1 to 9999: midnight UTC on 0001-01-01 is still year 0 in Los Angeles,
    and the last hours of 9999 are year 10000 in Kiribati. Such a date can only come from outside the
    posting form (which keeps to 1970 onwards), but a page must not fail because of one.
    """
    if timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value


def format_local(value: datetime | None, format_string: str) -> str:
    """`value` formatted in the active time zone (see `local_time`); empty for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value)
    return format_date(value, format_string)
