"""The works listing a reader filters: what it shows, what it counts, and that the URL is the whole state."""

import re

import pytest
from django.urls import reverse

from fanfold.interactions.models import Kudos
from fanfold.tags.models import Tag
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', response.content.decode())


def facet_count(response, tag_name: str) -> int | None:
    match = re.search(
        rf"> {re.escape(tag_name)} <span class=\"facet-count\">\((\d+)\)</span>", response.content.decode()
    )
    return int(match.group(1)) if match else None


@pytest.fixture
def shelf(make_work, make_user, writer):
    other = make_user("otherwriter")
    make_work(writer, title="Lighthouse One", fandoms=["Lighthouses"], freeforms=["Fluff"])
    make_work(writer, title="Lighthouse Two", fandoms=["Lighthouses"], freeforms=["Angst"])
    make_work(other, title="Lighthouse Three", fandoms=["Lighthouses"], freeforms=["Fluff", "Angst"])
    make_work(other, title="Harbour Tale", fandoms=["Harbours"], freeforms=["Fluff"])
    make_work(writer, title="Members Lighthouse", fandoms=["Lighthouses"], restricted=True, freeforms=["Fluff"])
    make_work(writer, title="Draft Lighthouse", fandoms=["Lighthouses"], post=False, freeforms=["Fluff"])
    return {tag.name: tag for tag in Tag.objects.all()}


def test_include_a_fandom(shelf, client):
    response = client.get(reverse("works:list"), {"tag": shelf["Lighthouses"].pk})
    assert sorted(titles(response)) == ["Lighthouse One", "Lighthouse Three", "Lighthouse Two"]
    assert "1 – 3 of 3 Works" in response.content.decode()
    assert facet_count(response, "Fluff") == 2 and facet_count(response, "Angst") == 2


def test_exclude_a_tag_changes_results_and_counts(shelf, client):
    query = {"tag": shelf["Lighthouses"].pk, "exclude": shelf["Angst"].pk}
    response = client.get(reverse("works:list"), query)
    assert titles(response) == ["Lighthouse One"]
    assert facet_count(response, "Fluff") == 1


def test_drafts_and_restricted_works_are_never_counted_for_guests(shelf, client, reader_client):
    guest = client.get(reverse("works:list"), {"tag": shelf["Lighthouses"].pk})
    assert "Members Lighthouse" not in guest.content.decode() and "Draft Lighthouse" not in guest.content.decode()
    assert facet_count(guest, "Lighthouses") == 3
    member = reader_client.get(reverse("works:list"), {"tag": shelf["Lighthouses"].pk})
    assert "Members Lighthouse" in member.content.decode() and "Draft Lighthouse" not in member.content.decode()
    assert facet_count(member, "Lighthouses") == 4


def test_sort_by_kudos_both_ways(shelf, client, make_user):
    from fanfold.interactions.services import kudos_give

    favourite = Work.objects.get(title="Harbour Tale")
    for n in range(3):
        kudos_give(work=favourite, user=make_user(f"fan{n}"))
    kudos_give(work=Work.objects.get(title="Lighthouse Two"), user=make_user("fan9"))
    assert Kudos.objects.count() == 4
    most = titles(client.get(reverse("works:list"), {"sort": "kudos_count"}))
    assert most[:2] == ["Harbour Tale", "Lighthouse Two"]
    least = titles(client.get(reverse("works:list"), {"sort": "kudos_count", "direction": "asc"}))
    assert least[-2:] == ["Lighthouse Two", "Harbour Tale"]


def test_tag_page_is_a_filtered_listing(shelf, client):
    response = client.get(shelf["Harbours"].get_absolute_url(), {"exclude": shelf["Fluff"].pk})
    assert titles(response) == []
    assert titles(client.get(shelf["Harbours"].get_absolute_url())) == ["Harbour Tale"]


def test_new_work_appears_at_once(shelf, client, make_work, writer):
    client.get(reverse("works:list"))
    make_work(writer, title="Brand New Lighthouse", fandoms=["Lighthouses"])
    assert "Brand New Lighthouse" in client.get(reverse("works:list")).content.decode()


def test_pages_of_twenty_and_links_keep_the_filter(make_work, writer, client):
    for n in range(45):
        make_work(writer, title=f"Buoy {n:02d}", fandoms=["Buoys"])
    fandom = Tag.objects.get(name="Buoys")
    first = client.get(reverse("works:list"), {"tag": fandom.pk, "sort": "title", "direction": "asc"})
    assert titles(first) == [f"Buoy {n:02d}" for n in range(20)]
    page = first.content.decode()
    assert f"tag={fandom.pk}" in re.search(r'rel="next" href="([^"]+)"', page).group(1)
    third = client.get(reverse("works:list"), {"tag": fandom.pk, "sort": "title", "direction": "asc", "page": 3})
    assert titles(third) == [f"Buoy {n:02d}" for n in range(40, 45)]


@pytest.mark.parametrize(
    "query",
    [
        {"tag": "fluff"},
        {"sort": "nonsense"},
        {"words_from": "many"},
        {"page": "-3"},
        {"updated_from": "yesterday-ish"},
        {"complete": "perhaps"},
        {"crossover": "sideways"},
    ],
)
def test_junk_in_the_url_gets_a_message_not_an_error(shelf, client, query):
    response = client.get(reverse("works:list"), query)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()


def test_blurbs_come_from_the_cache_until_the_work_or_a_tag_it_shows_changes(make_work, make_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fanfold.tags.models import Tag
    from fanfold.tags.wrangling import tag_rename
    from fanfold.works.services import ChapterFields, chapter_add

    writer = make_user("cachedwriter")
    work = make_work(writer, title="Cached Tale", freeforms=["Old Name"])
    for n in range(4):
        make_work(writer, title=f"Other {n}")

    def listing() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/works/").content.decode()
        return page, len(captured)

    first, cold = listing()
    again, warm = listing()
    assert again == first and warm < cold, "the second page reads no tags or creators"
    assert "Old Name" in first

    tag_rename(tag=Tag.objects.get(name="Old Name"), name="New Name")
    renamed, _ = listing()
    assert "New Name" in renamed and "Old Name" not in renamed

    chapter_add(work=work, fields=ChapterFields(content="<p>More words here.</p>"), post=True)
    grown, _ = listing()
    assert '<dd class="chapters">2/' in grown, "the stats are never cached"
