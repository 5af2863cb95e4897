"""A new writer's one-shot in six sections, posted in the default rich text box, reads as written: on a
wide screen and on a phone, in the preview, the drafts list and the listing; kudos leave no button behind."""

import re
from html import unescape

import pytest
from playwright.sync_api import expect

from fanfold.accounts.models import User
from fanfold.accounts.services import LinkFields, profile_update
from fanfold.core.html import render_user_text, word_count
from fanfold.demo.prose import SIX_LAMPS_BREAKS, SIX_LAMPS_TITLE, six_lamps
from tests.e2e.test_first_work import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HEADINGS = ["i.", "ii.", "iii.", "iv.", "v.", "i."]

# Each break's horizontal centre minus its text column's: a centred break is within a pixel or two.
BREAK_OFFSETS = """
article => [...article.querySelectorAll('hr, [role="separator"]')].map(element => {
  let box = element.getBoundingClientRect();
  if (element.tagName !== "HR") {
    const range = document.createRange();
    range.selectNodeContents(element);
    box = range.getBoundingClientRect();
  }
  const column = article.getBoundingClientRect();
  return Math.abs((box.left + box.right) / 2 - (column.left + column.right) / 2);
})
"""


def typed_paragraphs() -> list[str]:
    """The paragraphs of the work as its writer typed them, in order, section breaks left out."""
    html = render_user_text(six_lamps())
    texts = re.findall(r"<p>(.*?)</p>", html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", re.sub(r"<br>\n?", "\n", text))) for text in texts]


def post_six_lamps_as_draft(page, base: str) -> str:
    page.goto(f"{base}/works/new/")
    expect(page.get_by_label("Rich text (HTML)")).to_be_checked()  # the default box
    page.get_by_label("Rating").select_option("General Audiences")
    page.get_by_label("No Archive Warnings Apply").check()
    page.get_by_label("Fandoms").fill("Original Work")
    page.get_by_label("Additional Tags").fill("Lighthouses, Vignettes")
    page.get_by_label("Work title").fill(SIX_LAMPS_TITLE)
    page.get_by_label("Summary").fill("Six lamps, one winter, and the order the keepers lit them in.")
    page.get_by_label("Beginning notes").fill("Each section is one lamp.")
    page.get_by_label("End notes").fill("Thank you for reading! My other lamp stories are linked below.")
    page.get_by_label("Work text").fill(six_lamps())
    page.get_by_role("button", name="Save draft and preview").click()
    expect(page.locator(".draft-banner")).to_contain_text("This is a draft")
    return page.url


def test_six_sections_as_written_on_every_screen(browser, live_server, screenshot):
    base = live_server.url
    words = word_count(render_user_text(six_lamps()))
    writer = browser.new_context(viewport=DESKTOP)
    page = writer.new_page()

    # A new writer, whose profile links show under their works without their asking.
    sign_up(page, base, "lampkeeper")
    profile_update(
        user=User.objects.get(username="lampkeeper"),
        bio="",
        text_format="html",
        show_links_on_works=User.objects.get(username="lampkeeper").show_links_on_works,
        links=[LinkFields(label="lamp journal", url="https://lamps.example.org/")],
    )

    page.goto(f"{base}/works/new/")
    screenshot(page, "posting-form-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, "posting-form-390")
    page.set_viewport_size(DESKTOP)

    # Saved as a draft, the preview shows its word count under one banner; so does the drafts list.
    work_url = post_six_lamps_as_draft(page, base)
    expect(page.locator(".draft-banner")).to_have_count(1)
    expect(page.locator(".messages")).to_have_count(0)
    expect(page.locator("dl.work-meta dd.words")).to_have_text(f"{words:,}")
    page.goto(f"{base}/works/drafts/")
    draft = page.locator("li.blurb").filter(has_text=SIX_LAMPS_TITLE)
    expect(draft.locator("dd.words")).to_have_text(f"{words:,}")

    # Posted from the preview.
    page.goto(work_url)
    page.locator(".draft-banner").get_by_role("button", name="Post").click()
    expect(page.locator(".messages")).to_contain_text("Work was successfully posted.")

    # A reader sees six visible, centred breaks and the paragraphs as typed, on a wide screen and a phone.
    reader = browser.new_context(viewport=DESKTOP)
    reader_page = reader.new_page()
    sign_up(reader_page, base, "lampreader")
    reader_page.goto(work_url)
    text = reader_page.locator(".userstuff[role=article]")
    breaks = text.locator('hr, [role="separator"]')
    expect(breaks).to_have_count(6)
    for index in range(6):
        expect(breaks.nth(index)).to_be_visible()
    marks = [mark for mark in text.locator('[role="separator"]').all_inner_texts()]
    assert marks == [mark for mark in SIX_LAMPS_BREAKS if mark != "<hr>"]
    paragraphs = [p.strip() for p in text.locator("p:not([role])").all_inner_texts()]
    assert paragraphs == typed_paragraphs()
    assert [p for p in paragraphs if re.fullmatch(r"[iv]+\.", p)] == HEADINGS
    expect(reader_page.locator(".creator-links").get_by_role("link", name="lamp journal")).to_be_visible()
    for viewport in (DESKTOP, PHONE):
        reader_page.set_viewport_size(viewport)
        offsets = text.evaluate(BREAK_OFFSETS)
        assert len(offsets) == 6 and max(offsets) < 3, (viewport, offsets)
        screenshot(reader_page, f"work-page-{viewport['width']}")

    # On a phone the header is one line, and the summary and notes sit under their headings.
    header = reader_page.locator(".site-header").bounding_box()
    assert header["height"] < 60, header
    menu = reader_page.get_by_role("button", name="Menu")
    expect(reader_page.get_by_role("navigation", name="Site")).to_be_hidden()
    menu.click()
    expect(reader_page.get_by_role("navigation", name="Site").get_by_role("link", name="Works")).to_be_visible()
    for section in ("section.summary", "section.notes"):
        heading = reader_page.locator(f".preface {section} h3").bounding_box()
        body = reader_page.locator(f".preface {section} blockquote").bounding_box()
        assert abs(body["x"] - heading["x"]) < 12, (section, heading, body)

    # Kudos: the button goes, and stays gone.
    reader_page.set_viewport_size(DESKTOP)
    kudos = reader_page.get_by_role("button", name="Kudos ♥")
    kudos.click()
    expect(reader_page.locator("#kudos")).to_contain_text("You left kudos on this work.")
    expect(reader_page.locator("#kudos button")).to_be_hidden()
    reader_page.reload()
    expect(reader_page.locator("#kudos")).to_contain_text("1 kudos")
    expect(reader_page.locator("#kudos button")).to_be_hidden()

    # The listing, wide: the filters beside the results; the blurb counts the words.
    listing = browser.new_context(viewport=DESKTOP).new_page()
    listing.goto(f"{base}/works/")
    expect(listing.locator("form.filters")).to_be_visible()
    blurb = listing.locator("li.blurb").filter(has_text=SIX_LAMPS_TITLE)
    expect(blurb.locator("dd.words")).to_have_text(f"{words:,}")
    screenshot(listing, "listing-1280")

    # ...and on a phone: a Filters toggle in the first screenful, above the results, that opens the form.
    phone = browser.new_context(viewport=PHONE).new_page()
    phone.goto(f"{base}/works/")
    toggle = phone.locator("summary", has_text="Filters")
    expect(toggle).to_be_in_viewport()
    expect(phone.locator("form.filters")).to_be_hidden()
    assert toggle.bounding_box()["y"] < phone.locator("li.blurb").first.bounding_box()["y"]
    assert phone.locator(".site-header").bounding_box()["height"] < 60
    screenshot(phone, "listing-390")
    toggle.click()
    expect(phone.get_by_label("Sort by")).to_be_visible()
    expect(phone.get_by_role("button", name="Sort and Filter").first).to_be_in_viewport()
    screenshot(phone, "listing-390-filters-open")
