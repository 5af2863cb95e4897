"""One reader's evening in real Chromium, end to end: bookmark a work as a rec with notes and their own tags,
mark another for later, read a series from part 1 to part 3 by its navigation, then find the bookmark under
/bookmarks/ by their own tag and see the work's bookmark count move."""

import re

import pytest
from playwright.sync_api import expect

from fanfold.series.services import SeriesFields, series_add_work, series_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_readers_evening_bookmarks_marks_for_later_reads_a_series_and_finds_the_bookmark(
    page, log_in_as, make_work, make_user
):
    writer = make_user("keeper")
    kept = make_work(writer, title="The Harbour Light", fandoms=["Lighthouses"])
    later = make_work(writer, title="A Work For Later", fandoms=["Lighthouses"])
    series = series_create(pseuds=[writer.default_pseud], fields=SeriesFields(title="The Lamplighters"))
    for number in (1, 2, 3):
        series_add_work(series=series, work=make_work(writer, title=f"Lamplight, Part {number}"))
    log_in_as(make_user("evening_reader"))

    # A bookmark with notes and the reader's own tags, as a rec: the work's count goes from 0 to 1.
    page.goto(kept.get_absolute_url())
    expect(page.locator("dd.bookmarks")).to_have_text("0")
    page.get_by_role("link", name="Bookmark", exact=True).click()
    page.get_by_label("Notes").fill("For a night with fog.")
    page.get_by_label("Your tags").fill("foggy nights, comfort")
    page.get_by_label("Rec", exact=True).check()
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(rf"/works/{kept.pk}/$"))
    expect(page.locator("dd.bookmarks")).to_have_text("1")

    # Another work marked for later.
    page.goto(later.get_absolute_url())
    page.get_by_role("button", name="Mark for Later").click()
    expect(page.get_by_role("button", name="Mark as Read")).to_be_visible()

    # The series, part 1 to part 3, by its navigation.
    page.goto(series.get_absolute_url())
    page.get_by_role("link", name="Lamplight, Part 1").click()
    expect(page.locator(".series-nav")).to_contain_text("Part 1 of The Lamplighters")
    for number in (2, 3):
        page.get_by_role("link", name="Next Work →").click()
        expect(page.locator("h1.title")).to_contain_text(f"Lamplight, Part {number}")
        expect(page.locator(".series-nav")).to_contain_text(f"Part {number} of The Lamplighters")
    expect(page.get_by_role("link", name="Next Work →")).to_have_count(0)

    # The bookmark, found under /bookmarks/ by the reader's own tag.
    page.goto("/bookmarks/")
    tag = page.locator("form.filters label.include").filter(has_text=re.compile(r"^\s*foggy nights \("))
    expect(tag).to_contain_text("(1)")
    tag.locator("input").check()
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"[?&]bookmark_tag=\d+"))
    found = page.locator("li.bookmark")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("The Harbour Light")
    expect(found).to_contain_text("For a night with fog.")
    expect(found.locator(".rec")).to_be_visible()

    # The count on the listing's blurb, and the marked work waiting on its list.
    page.goto("/works/")
    expect(page.locator("li.blurb").filter(has_text="The Harbour Light").locator("dd.bookmarks")).to_have_text("1")
    page.goto("/users/evening_reader/marked-for-later/")
    expect(page.locator("li.blurb h3.heading > a:not([rel=author])")).to_have_text(["A Work For Later"])
