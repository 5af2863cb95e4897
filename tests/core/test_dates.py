"""Dates in the reader's time zone, even at the edges of the calendar Python can hold."""

import zoneinfo
from datetime import UTC, date, datetime

from django.template import Context, Template
from django.utils import timezone

from fanfold.core.dates import format_local, local_time

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
KIRITIMATI = zoneinfo.ZoneInfo("Pacific/Kiritimati")


def test_a_date_is_shown_in_the_readers_zone():
    with timezone.override(LOS_ANGELES):
        assert format_local(datetime(2024, 6, 1, 3, 0, tzinfo=UTC), "Y-m-d H:i") == "2024-05-31 20:00"


def test_year_one_behind_utc_is_shown_as_stored():
    first = datetime(1, 1, 1, tzinfo=UTC)
    with timezone.override(LOS_ANGELES):
        assert local_time(first) == first
        assert format_local(first, "j M Y") == "1 Jan 0001"


def test_year_9999_ahead_of_utc_is_shown_as_stored():
    last = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    with timezone.override(KIRITIMATI):
        assert format_local(last, "Y-m-d") == "9999-12-31"


def test_no_date_and_plain_dates():
    assert format_local(None, "Y") == ""
    assert format_local(date(1999, 12, 31), "Y-m-d") == "1999-12-31"


def test_template_filter_never_fails():
    template = Template('{% load dates %}{{ when|local_date:"Y-m-d" }}|{{ missing|local_date }}')
    with timezone.override(LOS_ANGELES):
        assert template.render(Context({"when": datetime(1, 1, 1, tzinfo=UTC)})) == "0001-01-01|"
