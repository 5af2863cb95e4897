"""Reading a work: the adult gate, chapter views, header and preferences."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def explicit_work(make_work, writer):
    return make_work(writer, title="Heated", rating="Explicit", content="<p>Adult text here.</p>")


@pytest.mark.parametrize("rating", ["Explicit", "Mature", "Not Rated"])
def test_adult_works_show_a_warning_first(make_work, client, rating):
    work = make_work(rating=rating, content="<p>Adult text here.</p>")
    page = client.get(work.get_absolute_url()).content.decode()
    assert "could have adult content" in page and "Adult text here." not in page


@pytest.mark.parametrize("rating", ["General Audiences", "Teen And Up Audiences"])
def test_general_works_have_no_gate(make_work, client, rating):
    work = make_work(rating=rating, content="<p>Gentle text.</p>")
    assert "Gentle text." in client.get(work.get_absolute_url()).content.decode()


def test_proceeding_is_remembered_for_the_session(explicit_work, make_work, client):
    page = client.get(explicit_work.get_absolute_url()).content.decode()
    assert "view_adult=true" in page
    assert "Adult text here." in client.get(explicit_work.get_absolute_url() + "?view_adult=true").content.decode()
    assert "Adult text here." in client.get(explicit_work.get_absolute_url()).content.decode()
    other = make_work(rating="Mature", content="<p>Other adult text.</p>")
    assert "Other adult text." in client.get(other.get_absolute_url()).content.decode()
    # A new session meets the gate again.
    assert "Adult text here." not in Client().get(explicit_work.get_absolute_url()).content.decode()
    # Remembered by a cookie that ends with the browser's session, not by a stored session: a guest who only
    # reads has none, so their pages need no session query.
    remembered = client.cookies["fanfold_view_adult"]
    assert remembered.value == "1" and not remembered["max-age"] and remembered["httponly"]
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_preference_skips_the_gate(explicit_work, reader, reader_client):
    assert "could have adult content" in reader_client.get(explicit_work.get_absolute_url()).content.decode()
    reader.preference.view_adult = True
    reader.preference.save()
    assert "Adult text here." in reader_client.get(explicit_work.get_absolute_url()).content.decode()


def test_creator_is_not_gated_on_own_work(explicit_work, writer_client):
    assert "Adult text here." in writer_client.get(explicit_work.get_absolute_url()).content.decode()


def test_work_header_shows_tags_by_type_and_stats(make_work, client):
    work = make_work(
        rating="Teen And Up Audiences",
        warnings=["Major Character Death"],
        categories=["F/F"],
        fandoms=["Myths & Legends"],
        relationships=["Persephone/Hades"],
        characters=["Persephone"],
        freeforms=["Slow Burn"],
        summary="A summary.",
        notes="Opening notes.",
        end_notes="Closing notes.",
        content="<p>one two three</p>",
    )
    page = client.get(work.get_absolute_url()).content.decode()
    for text in (
        "Teen And Up Audiences", "Major Character Death", "F/F", "Myths &amp; Legends", "Persephone/Hades",
        "Slow Burn", "A summary.", "Opening notes.", "Closing notes.", "English",
    ):  # fmt: skip
        assert text in page
    assert '<dd class="words">3</dd>' in page
    assert '<dd class="chapters">1/1</dd>' in page


def test_tag_page_lists_works_with_slash_in_name(make_work, client):
    work = make_work(title="Underworld", relationships=["Persephone/Hades"])
    url = work.relationships[0].get_absolute_url()
    assert "/" not in url.removeprefix("/tags/").removesuffix("/works/")
    assert "Underworld" in client.get(url).content.decode()
    assert client.get("/tags/No Such Tag/works/").status_code == 404


def test_hide_warnings_and_freeform_preferences(make_work, reader, reader_client):
    work = make_work(warnings=["Major Character Death"], freeforms=["Angst"])
    reader.preference.hide_warnings = True
    reader.preference.hide_freeform = True
    reader.preference.save()
    page = reader_client.get(work.get_absolute_url()).content.decode()
    assert "Show warnings" in page and "Show additional tags" in page


def _three_chapter_work(make_work, writer):
    work = make_work(writer, content="<p>Chapter one text.</p>", expected_chapters=3)
    writer_client = client_for(writer)
    for n in ("two", "three"):
        writer_client.post(
            reverse("works:chapter_new", kwargs={"work_id": work.pk}),
            {"content": f"Chapter {n} text.", "text_format": "html", "post": "1"},
        )
    work.refresh_from_db()
    return work


def test_entire_work_and_chapter_by_chapter(make_work, writer, client):
    work = _three_chapter_work(make_work, writer)
    assert work.complete and work.chapters_display == "3/3"
    entire = client.get(work.get_absolute_url() + "?view_full_work=true").content.decode()
    assert all(f"Chapter {n} text." in entire for n in ("one", "two", "three"))
    second = work.chapters.get(position=2)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Chapter two text." in page and "Chapter one text." not in page
    assert "Previous Chapter" in page and "Next Chapter" in page and "Chapter Index" in page


def test_view_full_works_preference(make_work, writer, reader, reader_client):
    work = _three_chapter_work(make_work, writer)
    assert "Chapter three text." not in reader_client.get(work.get_absolute_url()).content.decode()
    reader.preference.view_full_works = True
    reader.preference.save()
    assert "Chapter three text." in reader_client.get(work.get_absolute_url()).content.decode()


def test_listing_blurb_shows_counts(make_work, client):
    make_work(title="Counted", content="<p>a b c d</p>")
    page = client.get(reverse("works:list")).content.decode()
    assert "Counted" in page and '<dd class="words">4</dd>' in page and '<dd class="kudos">0</dd>' in page


def test_listing_query_count_does_not_grow_with_works(make_work, client, monkeypatch):

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_listing() -> int:
        client.get(reverse("works:list"))  # brings the discovery index up to date
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("works:list")).status_code == 200
        return len(captured)

    for n in range(3):
        make_work(title=f"Work {n}", freeforms=[f"Tag {n}"])
    few = queries_for_listing()
    for n in range(3, 25):
        make_work(title=f"Work {n}", freeforms=[f"Tag {n}"])
    assert queries_for_listing() == few


def test_blurb_escapes_what_writers_type_and_marks_restricted_works(make_work, make_user, client):
    writer = make_user("bold")
    make_work(
        writer,
        title='<script>alert("t")</script> & more',
        summary="<p>Kept <em>emphasis</em></p><script>x()</script>",
        freeforms=['"Quoted" & odd'],
        relationships=["A/B"],
        categories=["F/M", "M/M"],
        restricted=True,
    )
    guest_page = client.get(reverse("works:list")).content.decode()
    assert "&lt;script&gt;" not in guest_page  # a restricted work is not listed for guests at all
    client.force_login(make_user("reader"))
    page = client.get(reverse("works:list")).content.decode()
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; more" in page and "<script>" not in page
    assert "Kept <em>emphasis</em>" in page  # the summary's allowed HTML survives, the script does not
    assert "&quot;Quoted&quot; &amp; odd</a>" in page
    assert 'class="restricted"' in page and 'title="F/M, M/M">Multi</span>' in page


def test_work_page_query_count_does_not_grow_with_tags_creators_links_or_chapters(make_work, make_user, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fanfold.accounts.models import ProfileLink, User
    from fanfold.works.models import Creatorship
    from fanfold.works.services import ChapterFields, chapter_add

    def queries_for(work) -> int:
        client.get(f"/works/{work.pk}/?view_full_work=true&view_adult=true")  # the hit is counted once
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/works/{work.pk}/?view_full_work=true&view_adult=true")
        assert page.status_code == 200
        return len(captured)

    def grown(n: int):
        creators = [make_user() for _ in range(n)]
        User.objects.filter(pk__in=[c.pk for c in creators]).update(show_links_on_works=True)
        for creator in creators:
            ProfileLink.objects.create(user=creator, label="Site", url="https://example.org/", position=1)
        work = make_work(creators[0], freeforms=[f"Tag {i}" for i in range(n * 3)], expected_chapters=None)
        for position, creator in enumerate(creators[1:], start=1):
            Creatorship.objects.create(work=work, pseud=creator.default_pseud, position=position)
        for _ in range(n):
            chapter_add(work=work, fields=ChapterFields(content="<p>More.</p>"), post=True)
        return work

    assert queries_for(grown(2)) == queries_for(grown(6))


def test_work_page_lists_tags_and_creators_in_their_order_with_their_profile_links(make_work, make_user, client):
    """The work page reads its tags and creators with the work itself: the same names, in the orders the
    models give (tags by sort order then name, default pseuds first then by name), each creator's profile
    links only where they show them, and a pseud's name and user shown even when the two differ."""
    import re

    from django.utils.html import escape

    from fanfold.accounts.models import ProfileLink, Pseud, User
    from fanfold.works.models import Creatorship

    first, second, third = make_user("zora"), make_user("amos"), make_user("mina")
    side = Pseud.objects.create(user=third, name="Beth & <Co>", is_default=False)
    work = make_work(first, freeforms=["beta", "Alpha", 'Gamma & "Quotes"'], characters=["Zed", "Ann"])
    for position, pseud in enumerate([second.default_pseud, side], start=1):
        Creatorship.objects.create(work=work, pseud=pseud, position=position)
    User.objects.filter(pk=second.pk).update(show_links_on_works=False)
    ProfileLink.objects.create(user=first, label="Zora's site", url="https://zora.example.org/", position=1)
    ProfileLink.objects.create(user=second, label="Hidden site", url="https://amos.example.org/", position=1)

    page = client.get(f"/works/{work.pk}/?view_adult=true").content.decode()

    byline = re.search(r'<h2 class="byline">(.*?)</h2>', page, re.S).group(1)
    expected = list(Pseud.objects.filter(works=work))  # the model's own order
    assert [p.name for p in expected][:2] == ["amos", "zora"] and expected[2] == side
    assert re.findall(r'rel="author"[^>]*>([^<]*)</a>', byline) == [
        "amos",
        "zora",
        "Beth &amp; &lt;Co&gt; (mina)",
    ]
    tags_in_order = [tag.name for tag in work.tags.order_by("sort_order", "name")]
    freeforms = [name for name in tags_in_order if name in ("beta", "Alpha", 'Gamma & "Quotes"')]
    characters = [name for name in tags_in_order if name in ("Zed", "Ann")]
    for names in (freeforms, characters):  # in the database's order (its collation), on the page too
        positions = [page.index(f">{escape(name)}</a>") for name in names]
        assert positions == sorted(positions)
    assert "zora.example.org" in page  # shows her links
    assert "amos.example.org" not in page  # has links, but does not show them on works

    # The listing's blurb reads them with the works too, in the same orders.
    listing = client.get("/works/").content.decode()
    blurb = re.search(rf'<li class="blurb work" id="work_{work.pk}".*?</dl>\s*</li>', listing, re.S).group(0)
    assert re.findall(r'rel="author"[^>]*>([^<]*)</a>', blurb) == ["amos", "zora", "Beth &amp; &lt;Co&gt; (mina)"]
    for names in (freeforms, characters):
        positions = [blurb.index(f">{escape(name)}</a>") for name in names]
        assert positions == sorted(positions)
