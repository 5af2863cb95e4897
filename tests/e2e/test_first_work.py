"""A writer's first work, read, praised and discussed, in real Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-quiet-passphrase-42"
SECTION_HEADINGS = ["i.", "ii.", "iii.", "iv.", "v.", "i."]
SECTION_LINES = [
    "The lamps along the canal came on one by one.",
    "Mira counted the bridges twice and got two answers.",
    "A letter arrived with no name on it, only a drawing of a heron.",
    "They argued about the heron until the tea went cold.",
    "In the morning the canal had frozen, and the city was quiet.",
    "The lamps came on again, one by one, and this time she was not alone.",
]


def sign_up(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    # The live server runs in this process, so its emails land in Django's test outbox.
    [message] = [m for m in mail.outbox if m.to == [f"{username}@example.org"]]
    page.goto(re.search(r"https?://\S+/activate/\S+", message.body).group(0))
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_role("navigation", name="Site")).to_contain_text(username)


def story_text() -> str:
    sections = [f"{heading}\n\n{line}" for heading, line in zip(SECTION_HEADINGS, SECTION_LINES, strict=True)]
    return "\n\n* * *\n\n".join(sections)


def test_first_work_from_sign_up_to_comment_thread(browser, live_server):
    base = live_server.url
    writer = browser.new_context()
    reader = browser.new_context()
    guest = browser.new_context()
    page = writer.new_page()

    # A new writer signs up and adds links to their profile.
    sign_up(page, base, "heronwriter")
    page.goto(f"{base}/users/heronwriter/edit/")
    page.locator("fieldset.profile-link").nth(0).get_by_label("Label").fill("tumblr")
    page.locator("fieldset.profile-link").nth(0).get_by_label("Address").fill("https://heron.example.org/")
    page.locator("fieldset.profile-link").nth(1).get_by_label("Label").fill("prompts")
    page.locator("fieldset.profile-link").nth(1).get_by_label("Address").fill("https://heron.example.org/ask")
    page.get_by_label("Show my profile links under my works' end notes").check()
    page.get_by_role("button", name="Save profile").click()
    page.goto(f"{base}/users/heronwriter/")
    expect(page.get_by_role("link", name="tumblr")).to_have_attribute("href", "https://heron.example.org/")

    # ...and posts an Explicit one-shot of six sections with end notes.
    page.goto(f"{base}/works/new/")
    page.get_by_label("Rating").select_option("Explicit")
    page.get_by_label("No Archive Warnings Apply").check()
    page.get_by_label("Fandoms").fill("Original Work")
    page.get_by_label("Additional Tags").fill("Canals, Winter")
    page.get_by_label("Work title").fill("The Heron Letters")
    page.get_by_label("Summary").fill("Six short scenes on a frozen canal.")
    page.get_by_label("End notes").fill("Thank you for reading the heron story.")
    page.get_by_label("Work text").fill(story_text())
    page.get_by_label("Plain text or Markdown").check()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Work was successfully posted.")
    work_url = page.url
    assert re.search(r"/works/\d+/$", work_url)

    # A second user signs up, meets the adult gate, proceeds and reads the whole work.
    reader_page = reader.new_page()
    sign_up(reader_page, base, "canalreader")
    reader_page.goto(work_url)
    expect(reader_page.get_by_role("heading", name="This work could have adult content.")).to_be_visible()
    reader_page.get_by_role("link", name="Yes, Continue").click()
    text = reader_page.locator(".userstuff[role=article]")
    for line in SECTION_LINES:
        expect(text).to_contain_text(line)
    paragraphs = text.locator("p").all_inner_texts()
    assert [p for p in paragraphs if p in {"i.", "ii.", "iii.", "iv.", "v."}] == SECTION_HEADINGS
    expect(text.locator('[role="separator"]')).to_have_count(5)
    expect(reader_page.locator("#work_endnotes")).to_contain_text("Thank you for reading the heron story.")
    expect(reader_page.locator(".creator-links").get_by_role("link", name="prompts")).to_be_visible()

    # Kudos, once: the button goes, and a second kudos is refused.
    reader_page.get_by_role("button", name="Kudos ♥").click()
    expect(reader_page.locator("#kudos")).to_contain_text("1 kudos")
    expect(reader_page.locator("#kudos")).to_contain_text("canalreader")
    reader_page.locator("form[data-kudos-form]").evaluate("form => form.submit()")
    expect(reader_page.locator(".messages")).to_contain_text("already left kudos")
    expect(reader_page.locator("#kudos")).to_contain_text("1 kudos")

    # A comment from the reader.
    reader_page.get_by_label("Comment").fill("The heron drawing gave me chills.")
    reader_page.get_by_role("button", name="Comment", exact=True).click()
    expect(reader_page.locator("#comments")).to_contain_text("The heron drawing gave me chills.")

    # The writer replies.
    page.goto(work_url)
    comment = page.locator("li.comment").filter(has_text="The heron drawing gave me chills.")
    comment.get_by_role("link", name="Reply").first.click()
    page.get_by_label("Comment").fill("Thank you! The heron returns in the sequel.")
    page.get_by_role("button", name=re.compile("Comment|Reply")).click()
    expect(page.locator("#comments")).to_contain_text("The heron returns in the sequel.")

    # A guest sees the kudos count and the whole thread.
    guest_page = guest.new_page()
    guest_page.goto(work_url)
    guest_page.get_by_role("link", name="Yes, Continue").click()
    expect(guest_page.locator("#kudos")).to_contain_text("1 kudos")
    thread = guest_page.locator("#comments")
    expect(thread).to_contain_text("Comments (2)")
    reply = thread.locator("li.comment ol.replies li.comment")
    expect(reply).to_contain_text("The heron returns in the sequel.")
    expect(reply).to_contain_text("heronwriter")

    # The listing blurb counts them right.
    guest_page.goto(f"{base}/works/")
    blurb = guest_page.locator("li.blurb").filter(has_text="The Heron Letters")
    expect(blurb.locator("dd.kudos")).to_have_text("1")
    expect(blurb.locator("dd.comments")).to_have_text("2")
    expect(blurb.locator("dd.words")).not_to_have_text("0")
