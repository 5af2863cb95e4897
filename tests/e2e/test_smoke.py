"""The archive opens in a real browser, for guests and for signed-in users."""

import re

from playwright.sync_api import expect


def test_home_page_opens(page):
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page).to_have_title(re.compile("Fanfold"))
    expect(page.get_by_role("navigation", name="Site")).to_contain_text("Log in")


def test_signed_in_user_sees_their_name(page, log_in_as, make_user):
    log_in_as(make_user("lanternreader"))
    page.goto("/")
    site = page.get_by_role("navigation", name="Site")
    expect(site.get_by_role("link", name="lanternreader")).to_be_visible()
    expect(site).not_to_contain_text("Log in")
