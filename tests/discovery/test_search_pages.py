"""Searching from the works listing: inside work text, with snippets, fields, ranges and sorts, and clear errors."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.services import pseud_create, pseud_update
from fanfold.discovery.fulltext import text_id
from fanfold.discovery.models import CommonWordWorks, FrequentWord, SearchText
from fanfold.discovery.query import WorkFilter
from fanfold.discovery.services import record_work_change, search_text_refresh
from fanfold.tags.models import Tag
from fanfold.tags.wrangling import tag_make_canonical, tag_make_synonym
from fanfold.works.models import Work
from fanfold.works.services import ChapterFields, WorkFields, chapter_add, chapter_update, work_delete, work_update

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', response.content.decode())


def listing(client, **query):
    response = client.get(reverse("works:list"), query)
    assert response.status_code == 200
    return response


@pytest.fixture
def library(make_work, writer, make_user):
    other = make_user("otherwriter")
    make_work(
        writer,
        title="The Lamp",
        freeforms=["Slow Burn"],
        content="<p>Before the storm the keeper lit the brass lantern and waited.</p>",
    )
    make_work(other, title="Lantern Festival", freeforms=["Fluff"], content="<p>Paper boats on the river.</p>")
    make_work(writer, title="Tide", summary="<p>A lantern in the summary.</p>", content="<p>Waves.</p>")
    make_work(other, title="Members Only", restricted=True, content="<p>The lantern of the members.</p>")
    make_work(writer, title="Unposted", post=False, content="<p>A lantern in a draft.</p>")


def test_search_inside_work_text_finds_the_work_and_shows_the_match(library, client):
    response = listing(client, q="brass lantern")
    assert titles(response) == ["The Lamp"]
    page = response.content.decode()
    assert "the keeper lit the <mark>brass</mark> <mark>lantern</mark> and waited." in page


def test_best_match_puts_title_matches_first_and_leaves_out_drafts_and_restricted_works_for_guests(library, client):
    response = listing(client, q="lantern")
    assert titles(response) == ["Lantern Festival", "Tide", "The Lamp"]
    assert "1 – 3 of 3 Works" in response.content.decode()


def test_signed_in_readers_find_restricted_works(library, reader_client):
    assert "Members Only" in titles(listing(reader_client, q="lantern"))


def test_fields_phrases_or_and_not(library, client):
    assert titles(listing(client, q="title:lantern")) == ["Lantern Festival"]
    assert titles(listing(client, q='tag:"slow burn"')) == ["The Lamp"]
    assert titles(listing(client, q='"lit the brass"')) == ["The Lamp"]
    assert titles(listing(client, q='"brass lit"')) == []
    assert sorted(titles(listing(client, q="waves OR river"))) == ["Lantern Festival", "Tide"]
    assert sorted(titles(listing(client, q="lantern -river"))) == ["The Lamp", "Tide"]
    assert titles(listing(client, q="summary:lantern")) == ["Tide"]
    assert sorted(titles(listing(client, q="creator:otherwriter"))) == ["Lantern Festival"]


def test_ranges_and_sort_in_the_search_box(library, client):
    Work.objects.filter(title="Tide").update(kudos_count=9)
    Work.objects.filter(title="The Lamp").update(kudos_count=3)
    for title in ("Tide", "The Lamp"):
        record_work_change(Work.objects.get(title=title).pk)
    assert titles(listing(client, q="lantern kudos>=3 sort:kudos")) == ["Tide", "The Lamp"]
    assert titles(listing(client, q="lantern kudos>5")) == ["Tide"]
    assert titles(listing(client, q="lantern sort:kudos-asc")) == ["Lantern Festival", "The Lamp", "Tide"]
    assert titles(listing(client, q="words>1000")) == []


def test_a_malformed_search_says_what_is_wrong_and_keeps_what_was_typed(library, client):
    response = listing(client, q='lantern "unclosed')
    page = response.content.decode()
    assert 'id="search-error"' in page and "could not be understood" in page
    assert 'value="lantern &quot;unclosed"' in page
    for nasty in ("title:", "(((", "OR", "words>abc", "sort:nonsense", "x" * 2000, "NOT", '"' * 3):
        assert listing(client, q=nasty).status_code == 200
    # Control characters are refused for every page at once, with the 400 page (core.middleware).
    assert client.get(reverse("works:list"), {"q": "\x00"}).status_code == 400


def test_search_round_trips_through_the_url_with_its_sort():
    work_filter = WorkFilter.from_query("q=lantern")
    assert work_filter.sort == "best_match"
    assert WorkFilter.from_query(work_filter.to_query()) == work_filter
    by_date = WorkFilter.from_query("q=lantern&sort=revised_at")
    assert by_date.sort == "revised_at" and WorkFilter.from_query(by_date.to_query()) == by_date
    unsearched = WorkFilter.from_query("sort=best_match")
    assert unsearched.sort == "revised_at" and unsearched.errors


def test_an_edit_and_a_new_chapter_are_found_at_once(make_work, writer, client):
    work = make_work(writer, title="Quiet", content="<p>Nothing here.</p>")
    assert titles(listing(client, q="albatross")) == []
    chapter_add(work=work, fields=ChapterFields(content="<p>An albatross circled.</p>"), post=True)
    assert titles(listing(client, q="albatross")) == ["Quiet"]
    draft = chapter_add(work=work, fields=ChapterFields(content="<p>A secret cormorant.</p>"), post=False)
    assert draft.pk and titles(listing(client, q="cormorant")) == []


def test_a_synonym_is_found_by_its_canonical_name(make_work, writer, client):
    make_work(writer, title="Shorthand", freeforms=["hurt/comfort"])
    canonical = tag_make_canonical(tag=Tag.objects.create(name="Hurt/Comfort Canonical", type="freeform"))
    tag_make_synonym(tag=Tag.objects.get(name="hurt/comfort"), canonical=canonical)
    assert titles(listing(client, q='tag:"comfort canonical"')) == ["Shorthand"]


def test_the_search_box_narrows_a_tag_listing_too(library, client):
    response = client.get(reverse("tags:works", kwargs={"name": "Slow Burn"}), {"q": "keeper"})
    assert titles(response) == ["The Lamp"]
    response = client.get(reverse("tags:works", kwargs={"name": "Slow Burn"}), {"q": "river"})
    assert titles(response) == []


def test_other_tags_by_name_and_an_unknown_name(library, client):
    assert titles(listing(client, other_tags="slow burn")) == ["The Lamp"]
    assert "The Lamp" not in titles(listing(client, other_exclude="Slow Burn"))
    response = listing(client, other_tags="No Such Tag")
    assert "No tag is called “No Such Tag”" in response.content.decode()
    assert 'value="No Such Tag"' in response.content.decode()


def test_a_creators_works_page_filters_like_any_listing(library, writer, client):
    response = client.get(reverse("discovery:creator_works", kwargs={"username": "writer"}))
    assert sorted(titles(response)) == ["The Lamp", "Tide"]
    response = client.get(reverse("discovery:creator_works", kwargs={"username": "writer"}), {"q": "waves"})
    assert titles(response) == ["Tide"]
    assert client.get(reverse("discovery:creator_works", kwargs={"username": "nobody"})).status_code == 404


def test_relative_update_dates(make_work, writer, client):
    old = make_work(writer, title="Old News")
    Work.objects.filter(pk=old.pk).update(revised_at=timezone.now() - timedelta(days=40))
    record_work_change(old.pk)
    make_work(writer, title="Fresh")
    assert titles(listing(client, updated_from="2 weeks ago")) == ["Fresh"]
    assert titles(listing(client, updated_to="< 1 month ago")) == ["Old News"]
    response = listing(client, updated_from="last tuesday")
    assert "like “2 weeks ago”" in response.content.decode()
    work_update(work=old, fields=_fields_of(old))
    assert sorted(titles(listing(client, updated_from="1 day ago"))) == ["Fresh", "Old News"]


def _fields_of(work):
    return WorkFields(
        title=work.title, rating="General Audiences", warnings=["No Archive Warnings Apply"], fandoms=["Original Work"]
    )


def test_a_renamed_pseud_is_searched_and_sorted_by_its_new_name(make_work, writer, client):
    pseud = pseud_create(user=writer, name="Old Quill")
    work = make_work(writer, title="Signed")
    work.creatorship_set.update(pseud=pseud)
    record_work_change(work.pk)
    search_text_refresh(work_ids=[work.pk])
    assert titles(listing(client, q="creator:quill")) == ["Signed"]
    pseud_update(pseud=pseud, name="New Feather", description="")
    assert titles(listing(client, q="creator:quill")) == []
    assert titles(listing(client, q="creator:feather")) == ["Signed"]


def test_rebuilding_search_text_restores_what_was_lost(make_work, writer, client):
    make_work(writer, title="Beacon", content="<p>The gannet dives.</p>")
    SearchText.objects.all().delete()
    SearchText.objects.create(id=text_id("title", 987654, 0), work_id=987654, field="title", words="gannet")
    assert titles(listing(client, q="gannet")) == []
    call_command("rebuild_search_text", verbosity=0)
    assert titles(listing(client, q="gannet")) == ["Beacon"]
    assert not SearchText.objects.filter(work_id=987654).exists()


def test_a_search_with_too_many_words_is_refused_with_a_reason(client):
    query = " OR ".join(f"word{n}" for n in range(40))
    page = listing(client, q=query).content.decode()
    assert "at most 30 different words and phrases; this one has 40" in page


@pytest.mark.parametrize(
    "before",
    [
        "filler " * 5000,
        "Straße " * 3000 + "filler " * 100,
        # The searched word inside a longer one first, and the match itself near the edge of the text read first.
        "filler " * 100 + "superalbatrossy " + "x " * 172,
        "filler " * 100 + "superalbatrossy " + "x " * 180,
    ],
)
def test_the_snippet_of_a_match_deep_in_a_long_chapter(make_work, writer, client, before):
    make_work(writer, title="Long Haul", content=f"<p>{before}an albatross circled the mast {'after ' * 50}</p>")
    page = listing(client, q="albatross").content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page).group(1)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "an <mark>albatross</mark> circled the mast" in snippet


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        # PostgreSQL keeps a word's first 255 positions in a text: these phrases come after the 300th "the".
        ("the cat " * 300 + "the door opened", "the door"),
        ("the cat " * 300 + "the door opened", "cat the door"),
        # Through pair texts: a pair of common words, repeated, then a phrase of them.
        ("no " * 700 + "no more", "no no more"),
        ("no " * 700 + "no more", "no more"),
    ],
)
def test_a_phrase_after_hundreds_of_repeats_of_its_words_is_found(make_work, writer, client, text, phrase):
    make_work(writer, title="Refrain", content=f"<p>{text}</p>")
    make_work(writer, title="Other", content="<p>A cat sat. A door. More rain, no.</p>")
    assert titles(listing(client, q=f'"{phrase}"')) == ["Refrain"]


def test_common_words_find_works_and_stop_finding_them_when_the_text_changes(make_work, writer, client):
    lamp = make_work(writer, title="Lamp", content="<p>She lit the lamp.</p>")
    make_work(writer, title="Gull", content="<p>Gulls cry above it.</p>")
    assert titles(listing(client, q="the")) == ["Lamp"]
    assert titles(listing(client, q='"lit the"')) == ["Lamp"]
    assert titles(listing(client, q="title:the")) == []
    assert sorted(titles(listing(client, q="the OR it"))) == ["Gull", "Lamp"]
    chapter = lamp.chapters.get()
    chapter_update(chapter=chapter, fields=ChapterFields(content="<p>A lamp, lit.</p>"))
    assert titles(listing(client, q="the")) == []
    assert titles(listing(client, q='"lit the"')) == []
    assert CommonWordWorks.objects.filter(word="the").count() == 0  # no empty bitmaps are kept


def test_a_deleted_work_leaves_nothing_for_search(make_work, writer):

    work = make_work(writer, title="The End", content="<p>It was the end of it all.</p>")
    assert SearchText.objects.filter(work_id=work.pk).exists() and CommonWordWorks.objects.exists()
    work_id = work.pk
    work_delete(work=work)
    assert not SearchText.objects.filter(work_id=work_id).exists()
    assert not CommonWordWorks.objects.exists()


def test_snippets_come_from_the_text_only_for_works_that_matched_there(make_work, writer, client):
    make_work(writer, title="Heron", content="<p>A grey heron waited by the weir.</p>")
    make_work(writer, title="Weir", content="<p>Water ran over the stones.</p>", freeforms=["Heron"])
    make_work(writer, title="Stones", content="<p>The heron took the fish.</p>", freeforms=["Heron"])
    page = listing(client, q="heron").content.decode()
    blurbs = {
        re.search(r'<a href="/works/\d+/">([^<]+)</a>', blurb).group(1): blurb
        for blurb in page.split('<li class="blurb work"')[1:]
    }
    assert "grey <mark>heron</mark> waited" in blurbs["Heron"]
    assert "The <mark>heron</mark> took" in blurbs["Stones"]
    assert 'class="snippet"' not in blurbs["Weir"]  # found by its tag only


def test_frequent_words_found_through_bitmaps_follow_every_later_change(make_work, writer, client):
    lamp = make_work(writer, title="Lamp", content="<p>The lighthouse keeper slept.</p>")
    make_work(writer, title="Gull", content="<p>A lighthouse, far off.</p>")
    make_work(writer, title="Stone", content="<p>Nothing here.</p>")
    out = io.StringIO()
    call_command("refresh_frequent_words", "--min-texts", "2", stdout=out)
    assert "lighthouse" in out.getvalue()
    assert FrequentWord.objects.filter(word="lighthouse", ready=True).exists()
    assert sorted(titles(listing(client, q="lighthouse"))) == ["Gull", "Lamp"]
    chapter_update(chapter=lamp.chapters.get(), fields=ChapterFields(content="<p>The keeper slept.</p>"))
    make_work(writer, title="Beacon", content="<p>Lighthouse lamps.</p>")
    assert sorted(titles(listing(client, q="lighthouse"))) == ["Beacon", "Gull"]
    assert sorted(titles(listing(client, q="-lighthouse"))) == ["Lamp", "Stone"]
    # Running it again adds nothing new.
    out = io.StringIO()
    call_command("refresh_frequent_words", "--min-texts", "2", stdout=out)
    assert out.getvalue().startswith("0 words added")


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's phrase index")


@postgresql_only
def test_a_phrase_is_not_found_in_a_text_whose_other_pair_shares_its_bucket(make_work, writer, client):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n FROM generate_series(1, 5000000) AS n WHERE fanfold_pair_buckets('the lighthouse') "
            "= fanfold_pair_buckets('the keeper' || n) LIMIT 1"
        )
        (twin,) = cursor.fetchone()
    make_work(writer, title="Twin", content=f"<p>Past the keeper{twin} stood a lighthouse.</p>")
    make_work(writer, title="Light", content="<p>They rowed to the lighthouse.</p>")
    assert titles(listing(client, q='"the lighthouse"')) == ["Light"]
    assert titles(listing(client, q=f'"the keeper{twin}"')) == ["Twin"]


@postgresql_only
def test_pair_buckets_leave_out_pairs_of_common_words_and_hold_every_other_pair():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT fanfold_pair_buckets('of the'), fanfold_pair_buckets('of the lighthouse'), "
            "fanfold_pair_buckets('the lighthouse'), "
            "cardinality(fanfold_pair_buckets('a lighthouse keeper and then it'))"
        )
        pairs_of_common_words, with_one_more, one_pair, text = cursor.fetchone()
    assert pairs_of_common_words == []
    assert with_one_more == one_pair and len(one_pair) == 1
    assert text == 3  # "a lighthouse", "lighthouse keeper", "keeper and"; not "and then", "then it"
