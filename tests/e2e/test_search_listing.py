"""A reader searches inside works from the listing in real Chromium: snippets, errors, tag suggestions."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_inside_works_then_narrow_by_a_suggested_tag(page, make_work, make_user):
    writer = make_user("keeper")
    make_work(
        writer,
        title="The Lamp",
        fandoms=["Lighthouses"],
        freeforms=["Slow Burn"],
        content="<p>Before the storm the keeper lit the brass lantern and waited for the boats.</p>",
    )
    make_work(writer, title="Lantern Festival", fandoms=["Lighthouses"], freeforms=["Fluff"])
    make_work(writer, title="Harbour", fandoms=["Harbours"], content="<p>No light here.</p>")

    page.goto("/works/")
    page.get_by_label("Search within results").fill("lantern")
    page.get_by_role("button", name="Sort and Filter").first.click()
    expect(page.locator("#result-count")).to_contain_text("1 – 2 of 2 Works")
    expect(page.get_by_label("Sort by").locator("option:checked")).to_have_text("Best Match")
    # The title match ranks first; the match inside the text shows in its context.
    expect(page.locator("li.blurb h3 a[href^='/works/']").first).to_have_text("Lantern Festival")
    expect(page.locator("p.snippet mark")).to_have_text("lantern")

    # Suggestions come from the tag autocomplete as the reader types.
    other = page.get_by_label("Other tags to exclude")
    other.press_sequentially("Flu")
    expect(page.locator("datalist option[value='Fluff']")).to_have_count(1)
    other.fill("Fluff")
    page.get_by_role("button", name="Sort and Filter").first.click()
    expect(page.locator("#result-count")).to_contain_text("1 – 1 of 1 Works")
    expect(page.get_by_label("Other tags to exclude")).to_have_value("Fluff")

    # A search that cannot be understood says so and keeps what was typed.
    page.get_by_label("Search within results").fill('lantern "unclosed')
    page.get_by_role("button", name="Sort and Filter").first.click()
    expect(page.locator("#search-error")).to_contain_text("could not be understood")
    expect(page.get_by_label("Search within results")).to_have_value('lantern "unclosed')
