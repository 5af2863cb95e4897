"""A reader's shelf in real Chromium: Mark for Later, a series read part by part, and the history it leaves."""

import re

import pytest
from playwright.sync_api import expect

from fanfold.series.models import Series
from fanfold.series.services import series_add_work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_marks_a_work_for_later_and_reads_a_series_by_its_navigation(
    context, make_user, make_work, log_in_as, page
):
    writer, reader = make_user("lampwriter"), make_user("lampreader")
    later = make_work(writer, title="A Work For Later")

    # The writer starts a series from the posting form.
    log_in_as(writer)
    page.goto("/works/new/")
    page.get_by_label("Rating").select_option("General Audiences")
    page.get_by_label("No Archive Warnings Apply").check()
    page.get_by_label("Fandoms").fill("Original Work")
    page.get_by_label("Work title").fill("Lamplight, Part One")
    page.get_by_label("Work text").fill("The first lamp was lit at dusk.")
    page.get_by_label("Or create a new series").fill("The Lamplighters")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Work was successfully posted.")
    expect(page.locator(".series-nav")).to_contain_text("Part 1 of The Lamplighters")
    context.clear_cookies()

    series = Series.objects.get(title="The Lamplighters")
    series_add_work(series=series, work=make_work(writer, title="Lamplight, Part Two"))
    series_add_work(series=series, work=make_work(writer, title="Lamplight, Part Three"))

    # The reader marks one work for later...
    log_in_as(reader)
    page.goto(later.get_absolute_url())
    page.get_by_role("button", name="Mark for Later").click()
    expect(page.locator(".messages")).to_contain_text("added to your Marked for Later list")
    expect(page.get_by_role("button", name="Mark as Read")).to_be_visible()

    # ...then reads the series from part 1 to part 3 by its navigation.
    page.goto(series.get_absolute_url())
    page.get_by_role("link", name="Lamplight, Part One").click()
    expect(page.locator(".series-nav")).to_contain_text("Part 1 of The Lamplighters")
    page.get_by_role("link", name="Next Work →").click()
    expect(page.locator("h1.title")).to_contain_text("Lamplight, Part Two")
    expect(page.locator(".series-nav")).to_contain_text("Part 2 of The Lamplighters")
    page.get_by_role("link", name="Next Work →").click()
    expect(page.locator("h1.title")).to_contain_text("Lamplight, Part Three")
    expect(page.locator(".series-nav")).to_contain_text("Part 3 of The Lamplighters")
    expect(page.get_by_role("link", name="Next Work →")).to_have_count(0)

    # Their history holds what they read, the newest first; the marked work waits on its own list.
    page.goto(f"/users/{reader.username}/")
    page.get_by_role("link", name="History").click()
    headings = page.locator("li.blurb h3.heading > a:not([rel=author])")
    expect(headings).to_have_text(
        ["Lamplight, Part Three", "Lamplight, Part Two", "Lamplight, Part One", "A Work For Later"]
    )
    page.get_by_role("link", name="Marked for Later").first.click()
    expect(page.locator("li.blurb h3.heading > a:not([rel=author])")).to_have_text(["A Work For Later"])
    assert re.search(r"/marked-for-later/$", page.url)
