"""In real Chromium: a reader bookmarks a work as a rec with notes and their own tags, finds it under /bookmarks/
by their own tag, and sees the work's bookmark count change."""

import re

import pytest
from playwright.sync_api import expect

from fanfold.bookmarks.services import BookmarkFields, bookmark_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def facet(page, name: str):
    return page.locator("form.filters label.include").filter(has_text=re.compile(rf"^\s*{re.escape(name)} \("))


def test_a_reader_bookmarks_a_work_and_finds_it_by_their_own_tag(page, log_in_as, make_work, make_user):
    writer = make_user("lampwright")
    work = make_work(writer, title="The Harbour Light", fandoms=["Lighthouses"])
    other = make_work(writer, title="A Quiet Tide", fandoms=["Lighthouses"])
    bookmark_save(user=make_user("someone"), work=other, fields=BookmarkFields(tags=("beach read",)))
    reader = make_user("reader")
    log_in_as(reader)

    page.goto(f"/works/{work.pk}/")
    expect(page.locator("dd.bookmarks")).to_have_text("0")
    page.get_by_role("link", name="Bookmark", exact=True).click()
    page.get_by_label("Notes").fill("Read this on a rainy day.")
    page.get_by_label("Your tags").fill("rainy day, comfort")
    page.get_by_label("Rec", exact=True).check()
    page.get_by_role("button", name="Create").click()

    page.wait_for_url(re.compile(rf"/works/{work.pk}/$"))
    expect(page.locator("dd.bookmarks")).to_have_text("1")
    expect(page.get_by_role("link", name="Edit Bookmark")).to_be_visible()

    page.goto("/bookmarks/")
    expect(page.locator("#result-count")).to_contain_text("of 2 Bookmarks")
    expect(facet(page, "rainy day")).to_contain_text("(1)")
    facet(page, "rainy day").locator("input").check()
    page.get_by_role("button", name="Sort and Filter").first.click()
    page.wait_for_url(re.compile(r"[?&]bookmark_tag=\d+"))
    expect(page.locator("#result-count")).to_contain_text("1 – 1 of 1 Bookmarks")
    found = page.locator("li.bookmark")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("The Harbour Light")
    expect(found).to_contain_text("Read this on a rainy day.")
    expect(found.locator(".rec")).to_be_visible()

    page.goto("/works/")
    blurb = page.locator("li.blurb").filter(has_text="The Harbour Light")
    expect(blurb.locator("dd.bookmarks")).to_have_text("1")
    blurb.locator("dd.bookmarks a").click()
    expect(page.locator("#result-count")).to_contain_text("1 – 1 of 1 Bookmarks")
