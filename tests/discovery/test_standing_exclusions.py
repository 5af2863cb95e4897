"""A reader's muted creators and always-excluded tags leave the listing, and its counts, for that reader only."""

import re

import pytest
from django.urls import reverse

from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.tags.models import Tag
from fanfold.tags.wrangling import tag_make_canonical, tag_make_synonym
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def page_of(client, **query) -> str:
    response = client.get(reverse("works:list"), query)
    assert response.status_code == 200
    return response.content.decode()


def titles(page: str) -> list[str]:
    return sorted(re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', page))


def facet_count(page: str, tag_name: str) -> int | None:
    match = re.search(rf"> {re.escape(tag_name)} <span class=\"facet-count\">\((\d+)\)</span>", page)
    return int(match.group(1)) if match else None


@pytest.fixture
def shelf(make_work, make_user, reader):
    loud, quiet = make_user("loud"), make_user("quiet")
    make_work(loud, title="Loud One", freeforms=["Fluff"])
    make_work(loud, title="Loud Two", freeforms=["Angst"])
    make_work(quiet, title="Quiet One", freeforms=["Fluff"])
    make_work(quiet, title="Quiet Two", freeforms=["angsty"])
    make_work(reader, title="My Own", freeforms=["Angst"])
    return {"loud": loud, "quiet": quiet}


def test_muting_a_creator_removes_their_works_and_their_counts(shelf, reader):
    client = client_for(reader)
    before = page_of(client)
    assert facet_count(before, "Fluff") == 2 and "of 5 Works" in before
    mute_add(user=reader, muted=shelf["loud"])
    after = page_of(client)
    assert titles(after) == ["My Own", "Quiet One", "Quiet Two"]
    assert "of 3 Works" in after and facet_count(after, "Fluff") == 1
    # Searching and other readers' listings are not affected.
    assert titles(page_of(client, q="loud")) == []
    assert "of 5 Works" in page_of(client_for(shelf["quiet"]))


def test_an_excluded_tag_leaves_out_its_synonyms_but_never_the_readers_own_works(shelf, reader):
    canonical = tag_make_canonical(tag=Tag.objects.get(name="Angst"))
    tag_make_synonym(tag=Tag.objects.get(name="angsty"), canonical=canonical)
    tag_exclusion_add(user=reader, tag=Tag.objects.get(name="angsty"))
    page = page_of(client_for(reader))
    assert titles(page) == ["Loud One", "My Own", "Quiet One"]
    assert facet_count(page, "Angst") == 1  # the reader's own work
    # The same exclusion typed in the filters does take out the reader's own work.
    assert "My Own" not in titles(page_of(client_for(reader), exclude=canonical.pk))


def test_guests_have_no_standing_exclusions(shelf, reader, client):
    mute_add(user=reader, muted=shelf["loud"])
    assert "of 5 Works" in page_of(client)
