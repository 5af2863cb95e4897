"""The posting form's one "Associations" section in real Chromium: a gift, a co-creator invitation and a new
series from it; a refusal is shown beside its field with everything typed still there."""

import pytest
from playwright.sync_api import expect

from fanfold.series.models import Series
from fanfold.works.models import CreatorInvitation, Gift, Work
from tests.works.people import allow_invitations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_work(page, title: str) -> None:
    page.get_by_label("Rating").select_option("General Audiences")
    page.get_by_label("No Archive Warnings Apply").check()
    page.get_by_label("Fandoms").fill("Original Work")
    page.get_by_label("Work title").fill(title)
    page.get_by_label("Work text").fill("The lamps were lit in the order the keepers agreed.")


def test_a_writer_gives_invites_and_starts_a_series_from_the_one_associations_section(
    make_user, log_in_as, page, screenshot, screenshot_dir
):
    writer, friend, partner = make_user("lampwriter"), make_user("lampfriend"), make_user("lamppartner")
    shy = make_user("shykeeper")  # has not said others may invite them
    allow_invitations(partner)
    log_in_as(writer)
    page.goto("/works/new/")
    section = page.locator("fieldset#associations")
    expect(page.locator("legend", has_text="Associations")).to_have_count(1)
    expect(section.locator("fieldset legend")).to_have_text(
        [
            "This work is a remix, a translation, a podfic, or was inspired by another work",
            "This work is part of a series",
        ]
    )

    fill_work(page, "The Keepers' Agreement")
    section.get_by_label("Add co-creators").fill(f"{partner.username}, {shy.username}")
    section.get_by_label("Gift this work to").fill(friend.username)
    section.get_by_label("Or create a new series").fill("The Lamplighters")
    page.get_by_role("button", name="Post", exact=True).click()

    # Refused by the one it is about, beside its field; the rest is as typed.
    co_creators = section.locator(".field-co_creators")
    expect(co_creators.locator(".errorlist")).to_contain_text(shy.username)
    expect(section.get_by_label("Gift this work to")).to_have_value(friend.username)
    expect(section.get_by_label("Or create a new series")).to_have_value("The Lamplighters")
    expect(page.get_by_label("Work title")).to_have_value("The Keepers' Agreement")
    assert not Work.objects.exists()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        section.scroll_into_view_if_needed()
        screenshot(page, f"work-form-associations-{width}")
        section.screenshot(path=str(screenshot_dir / f"work-form-associations-{width}-section.png"))

    section.get_by_label("Add co-creators").fill(partner.username)
    page.get_by_role("button", name="Post", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Work was successfully posted.")
    expect(page.locator(".gifts")).to_contain_text(friend.username)
    expect(page.locator(".series-nav")).to_contain_text("Part 1 of The Lamplighters")
    work = Work.objects.get(title="The Keepers' Agreement")
    assert Gift.objects.get(work=work).pseud == friend.default_pseud
    assert CreatorInvitation.objects.get(work=work).pseud == partner.default_pseud
    assert Series.objects.get(title="The Lamplighters").works.get() == work
