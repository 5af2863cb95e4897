"""Bookmarking as a reader meets it: making, editing and deleting bookmarks, the work's count, the pages."""

import pytest
from django.urls import reverse

from fanfold.bookmarks import index as bookmark_index
from fanfold.bookmarks.models import Bookmark, ExternalWork
from fanfold.bookmarks.query import BookmarkFilter
from fanfold.bookmarks.selectors import bookmarks_search
from fanfold.bookmarks.services import BookmarkFields, ExternalWorkFields, bookmark_save, bookmark_update
from fanfold.interactions.services import work_counts_recount
from fanfold.tags.models import Tag, TagType
from fanfold.tags.wrangling import tag_add_sub_tag, tag_make_canonical, tag_make_synonym
from fanfold.works.models import Work
from fanfold.works.services import work_delete
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def count(work) -> int:
    return Work.objects.get(pk=work.pk).bookmark_count


def test_a_reader_bookmarks_a_work_with_notes_and_tags_and_it_is_listed(make_work, reader, reader_client):
    work = make_work(title="The Lighthouse Keeper")
    response = reader_client.post(
        f"/works/{work.pk}/bookmarks/new/",
        {
            "pseud": reader.default_pseud.pk,
            "notes": "<p>Lovely <script>x()</script>read</p>",
            "tags": "cosy, reread",
            "rec": "on",
        },
    )
    assert response.status_code == 302
    bookmark = Bookmark.objects.get()
    assert "script" not in bookmark.notes and bookmark.rec and not bookmark.private
    assert sorted(tag.name for tag in bookmark.tags.all()) == ["cosy", "reread"]
    assert count(work) == 1
    for url in ("/bookmarks/", f"/works/{work.pk}/bookmarks/", "/users/reader/bookmarks/", "/tags/cosy/bookmarks/"):
        page = reader_client.get(url).content.decode()
        assert "The Lighthouse Keeper" in page and "1 of 1 Bookmarks" in page, url
    work_page = reader_client.get(f"/works/{work.pk}/").content.decode()
    assert "Edit Bookmark" in work_page
    listing = reader_client.get("/works/").content.decode()
    assert f'href="/works/{work.pk}/bookmarks/">1</a>' in listing
    make_work(title="Newer And Unbookmarked")
    by_bookmarks = reader_client.get("/works/?sort=bookmarks").content.decode()
    assert by_bookmarks.index("The Lighthouse Keeper") < by_bookmarks.index("Newer And Unbookmarked")
    assert "The Lighthouse Keeper" in reader_client.get("/works/?q=bookmarks>0").content.decode()


def test_bookmarking_again_edits_the_one_bookmark(make_work, reader, make_bookmark):
    work = make_work()
    make_bookmark(reader, work, notes="first")
    make_bookmark(reader, work, notes="second", private=True)
    assert Bookmark.objects.count() == 1
    assert "second" in Bookmark.objects.get().notes
    assert count(work) == 0, "a private bookmark counts nowhere"
    bookmark_update(bookmark=Bookmark.objects.get(), user=reader, fields=BookmarkFields(private=False))
    assert count(work) == 1


def test_notes_too_long_are_refused_and_kept_in_the_form(make_work, reader, reader_client):
    work = make_work()
    long_notes = "x" * 5001
    response = reader_client.post(
        f"/works/{work.pk}/bookmarks/new/", {"pseud": reader.default_pseud.pk, "notes": long_notes}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 5,000 characters" in page and long_notes in page
    assert not Bookmark.objects.exists()


def test_someone_elses_pseud_and_bookmark_are_refused(make_work, reader, make_user, make_bookmark):
    other = make_user("other")
    work = make_work()
    bookmark = make_bookmark(other, work)
    http = client_for(reader)
    response = http.post(f"/works/{work.pk}/bookmarks/new/", {"pseud": other.default_pseud.pk})
    assert response.status_code == 400
    assert http.post(f"/bookmarks/{bookmark.pk}/edit/", {"pseud": reader.default_pseud.pk}).status_code == 404
    assert http.post(f"/bookmarks/{bookmark.pk}/delete/").status_code == 404
    assert Bookmark.objects.filter(pk=bookmark.pk).exists()


def test_delete_by_post_and_by_delete(make_work, reader, reader_client, make_bookmark):
    first, second = make_work(title="One"), make_work(title="Two")
    one, two = make_bookmark(reader, first), make_bookmark(reader, second)
    assert reader_client.post(f"/bookmarks/{one.pk}/delete/").status_code == 302
    assert reader_client.delete(f"/bookmarks/{two.pk}/delete/").status_code in (302, 303)
    assert not Bookmark.objects.exists()
    assert count(first) == count(second) == 0


def test_a_deleted_work_leaves_its_bookmark_to_its_owner_as_unavailable(
    make_work, reader, reader_client, make_bookmark, client
):
    work = make_work(title="Soon Gone")
    make_bookmark(reader, work, notes="keep this")
    work_delete(work=work)
    bookmark = Bookmark.objects.get()
    assert bookmark.work_id is None
    page = reader_client.get("/users/reader/bookmarks/").content.decode()
    assert "This work is unavailable" in page and "Soon Gone" in page and "keep this" in page
    assert "0 Bookmarks" in client.get("/users/reader/bookmarks/").content.decode()


def test_drafted_or_restricted_works_bookmarks_vanish_for_those_who_may_not_see_them(
    make_work, reader, make_user, make_bookmark, client
):
    work = make_work(title="Closing Soon")
    make_bookmark(reader, work)
    Work.objects.filter(pk=work.pk).update(restricted=True)
    assert "0 Bookmarks" in client.get("/bookmarks/").content.decode()
    other = client_for(make_user("member"))
    assert "1 of 1 Bookmarks" in other.get("/bookmarks/").content.decode()
    Work.objects.filter(pk=work.pk).update(posted=False)
    assert "0 Bookmarks" in other.get("/bookmarks/").content.decode()
    own = client_for(reader).get("/bookmarks/").content.decode()
    assert "1 of 1 Bookmarks" in own and "This work is unavailable" in own and "Closing Soon" in own


def test_an_external_work_is_bookmarked_once_per_address(make_user, make_bookmark, client):
    first, second = make_user("first"), make_user("second")
    fields = ExternalWorkFields(
        url="https://www.Example.org/story/1/",
        title="Elsewhere",
        creator="Someone",
        fandoms=("Tides",),
        rating="General Audiences",
    )
    make_bookmark(first, external=fields, rec=True)
    make_bookmark(second, external=ExternalWorkFields(url="http://example.org/story/1", title="x", creator="y"))
    assert ExternalWork.objects.count() == 1
    page = client.get("/bookmarks/").content.decode()
    assert "Elsewhere" in page and "2 of 2 Bookmarks" in page and "[External work]" in page


def test_an_external_work_with_a_bad_address_is_refused_with_what_was_typed(reader, reader_client):
    response = reader_client.post(
        "/external_works/new/",
        {
            "pseud": reader.default_pseud.pk,
            "external-url": "javascript:alert(1)",
            "external-title": "T",
            "external-creator": "C",
            "external-fandoms": "F",
            "external-rating": "Not Rated",
        },
    )
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert not Bookmark.objects.exists()


def test_reconcile_counts_fixes_the_bookmark_count(make_work, reader, make_bookmark):
    work = make_work()
    make_bookmark(reader, work)
    Work.objects.filter(pk=work.pk).update(bookmark_count=7)
    fixes = work_counts_recount(work_ids=[work.pk])
    assert [(fix.field, fix.counted) for fix in fixes] == [("bookmark_count", 1)]
    assert count(work) == 1


def test_muted_bookmarkers_are_hidden_from_the_reader_who_muted_them(make_work, make_user, make_bookmark):
    from fanfold.accounts.services import mute_add

    work = make_work(title="Shared")
    loud, reader = make_user("loud"), make_user("quiet")
    make_bookmark(loud, work, notes="loud notes")
    mute_add(user=reader, muted=loud)
    page = client_for(reader).get(f"/works/{work.pk}/bookmarks/").content.decode()
    assert "loud notes" not in page and "0 Bookmarks" in page


def test_a_bookmark_listing_loads_in_a_fixed_number_of_queries(
    make_work, make_user, make_bookmark, client, django_assert_max_num_queries
):
    reader = make_user("many")
    for n in range(12):
        make_bookmark(reader, make_work(title=f"W{n}", freeforms=[f"T{n}"]), tags=[f"mine{n}"])
    client.get("/bookmarks/")  # builds the index
    with django_assert_max_num_queries(20):
        page = client.get("/bookmarks/").content.decode()
    assert "12 of 12 Bookmarks" in page


def test_bookmark_page_is_404_for_a_work_one_may_not_open(make_work, make_user, client):
    draft = make_work(post=False)
    assert client.get(reverse("bookmarks:work", args=[draft.pk])).status_code == 404
    assert client_for(make_user("x")).get(f"/works/{draft.pk}/bookmarks/new/").status_code == 404


def test_a_service_bookmark_of_a_draft_is_refused(make_work, reader):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        bookmark_save(user=reader, work=make_work(post=False), fields=BookmarkFields())


def test_a_bookmarkers_tag_outlives_the_deleted_work_that_also_had_it(make_work, reader, make_bookmark, client):
    work = make_work(title="Short Lived", freeforms=["Stormy Nights"])
    make_bookmark(reader, make_work(title="Kept"), tags=["Stormy Nights"])
    work_delete(work=work)
    assert [tag.name for tag in Bookmark.objects.get().tags.all()] == ["Stormy Nights"]
    assert "1 of 1 Bookmarks" in client.get("/tags/Stormy Nights/bookmarks/").content.decode()


def test_a_selected_tag_stays_on_the_sidebar_and_filters_combine(make_work, reader, reader_client, make_bookmark):
    fluffy = make_work(title="Fluffy", fandoms=["Tides"], freeforms=["Fluff"])
    make_work(title="Plain", fandoms=["Tides"])
    make_bookmark(reader, fluffy, tags=["cosy"], rec=True)
    make_bookmark(reader, Work.objects.get(title="Plain"), tags=["cosy"])
    from fanfold.tags.models import Tag

    cosy, fluff = Tag.objects.get(name="cosy"), Tag.objects.get(name="Fluff")
    page = reader_client.get(f"/bookmarks/?bookmark_tag={cosy.pk}&exclude={fluff.pk}").content.decode()
    assert "1 of 1 Bookmarks" in page and "Plain" in page and "Fluffy" not in page
    assert f'name="exclude" value="{fluff.pk}" checked' in page, "the excluded tag stays, checked"
    recs = reader_client.get("/bookmarks/?rec=on").content.decode()
    assert "1 of 1 Bookmarks" in recs and "Fluffy" in recs
    bad = reader_client.get("/bookmarks/?tag=abc&bookmarked_from=yesterday-ish&page=0").content.decode()
    assert "2 Bookmarks" in bad and "not understood" in bad and 'value="yesterday-ish"' in bad


def test_an_external_bookmarks_own_errors_show_on_its_own_fields(reader, reader_client):
    response = reader_client.post(
        "/external_works/new/",
        {
            "pseud": reader.default_pseud.pk,
            "tags": "bad<tag",
            "external-url": "https://example.org/x",
            "external-title": "T",
            "external-creator": "C",
            "external-fandoms": "F",
            "external-rating": "Not Rated",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "contains characters tags cannot use" in page and 'value="bad&lt;tag"' in page
    assert not Bookmark.objects.exists()


def test_deleting_a_user_in_the_admin_takes_their_public_bookmarks_out_of_every_count_at_once(
    make_work, make_user, make_bookmark, client
):
    first, second = make_work(title="First Work"), make_work(title="Second Work")
    leaving, staying = make_user("leaving"), make_user("staying")
    make_bookmark(leaving, first)
    make_bookmark(leaving, second, private=True)
    make_bookmark(staying, first)
    make_bookmark(staying, second)
    assert (count(first), count(second)) == (2, 1)
    boss = make_user("boss")
    boss.is_staff = boss.is_superuser = True
    boss.save()
    admin = client_for(boss)
    response = admin.post(f"/admin/accounts/user/{leaving.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Bookmark.objects.filter(user_id=leaving.pk).exists()
    assert (count(first), count(second)) == (1, 1)
    listing = client.get("/works/?sort=bookmarks").content.decode()
    assert f'href="/works/{first.pk}/bookmarks/">1</a>' in listing
    assert f'href="/works/{second.pk}/bookmarks/">1</a>' in listing
    # And a cascade from the ORM anywhere (here a user deleted in a shell) does the same.
    staying.delete()
    assert (count(first), count(second)) == (0, 0)


def test_a_bookmark_made_private_or_moved_in_the_database_moves_the_counts(make_work, reader, make_bookmark):
    first, second = make_work(), make_work()
    bookmark = make_bookmark(reader, first)
    Bookmark.objects.filter(pk=bookmark.pk).update(work=second)
    assert (count(first), count(second)) == (0, 1)
    Bookmark.objects.filter(pk=bookmark.pk).update(private=True)
    assert count(second) == 0
    work_delete(work=second)
    assert Bookmark.objects.get(pk=bookmark.pk).work_id is None


def test_wrangling_a_bookmarkers_tag_files_its_bookmarks_under_the_canonical_tag_at_once(
    make_work, reader, make_user, make_bookmark
):
    fluff = Tag.objects.create(name="Fluff", type=TagType.FREEFORM)
    tag_make_canonical(tag=fluff)
    harbour = Tag.objects.create(name="Harbour Lights", type=TagType.FANDOM)
    tag_make_canonical(tag=harbour)
    work = make_work(title="Untagged Work")
    make_bookmark(reader, work, tags=["floofy"], notes="own tag")
    external = ExternalWorkFields(url="https://elsewhere.example/h", title="Elsewhere", creator="S", fandoms=("HL",))
    make_bookmark(reader, external=external, notes="external")
    viewer = make_user("viewer")

    def found(**where) -> int:
        return bookmarks_search(bookmark_filter=BookmarkFilter(**where), viewer=viewer).total

    assert found(bookmark_tags=(fluff.pk,)) == 0 and found(include_tags=(harbour.pk,)) == 0
    tag_make_synonym(tag=Tag.objects.get(name="floofy"), canonical=fluff)
    tag_make_synonym(tag=Tag.objects.get(name="HL"), canonical=harbour)
    assert found(bookmark_tags=(fluff.pk,)) == 1
    assert found(include_tags=(harbour.pk,)) == 1
    facets = bookmarks_search(bookmark_filter=BookmarkFilter(), viewer=viewer).facets
    assert facets["bookmarker"].count_of(fluff.pk) == 1 and facets[TagType.FANDOM].count_of(harbour.pk) == 1
    # A sub tag too: bookmarks under "Fluff" are then found under its meta tag.
    soft = Tag.objects.create(name="Soft Things", type=TagType.FREEFORM)
    tag_make_canonical(tag=soft)
    tag_add_sub_tag(meta=soft, sub=fluff)
    assert found(bookmark_tags=(soft.pk,)) == 1


def _external_post(**changes) -> dict:
    data = {
        "url": "https://elsewhere.example/moved",
        "title": "The Real Title",
        "creator": "Someone Else",
        "summary": "<p>Better <script>x()</script>summary</p>",
        "fandoms": "Harbour Lights, Tide Tables",
        "rating": "Mature",
        "relationships": "A/B",
        "characters": "A, B",
    } | changes
    return {f"external-{name}": value for name, value in data.items()}


def test_the_reader_who_added_an_external_work_edits_it_and_every_bookmark_shows_it(
    reader, reader_client, make_user, make_bookmark, client
):
    external = ExternalWorkFields(url="https://elsewhere.example/w", title="Typo Titel", creator="S", fandoms=("Old",))
    bookmark = make_bookmark(reader, external=external, notes="mine")
    other = make_user("other")
    make_bookmark(other, external=external, notes="theirs")
    work = ExternalWork.objects.get()
    url = f"/external_works/{work.pk}/edit/"
    assert f'href="{url}"' in reader_client.get(bookmark.get_absolute_url()).content.decode()
    form = reader_client.get(url).content.decode()
    assert 'value="Typo Titel"' in form and 'value="Old"' in form
    response = reader_client.post(url, _external_post())
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.creator, work.url) == ("The Real Title", "Someone Else", "https://elsewhere.example/moved")
    assert "script" not in work.summary and "summary" in work.summary
    assert sorted(tag.name for tag in work.tags.all()) == ["A", "A/B", "B", "Harbour Lights", "Mature", "Tide Tables"]
    listing = client.get("/bookmarks/").content.decode()
    assert listing.count("The Real Title") == 2 and "Typo Titel" not in listing
    new_fandom, old_fandom = Tag.objects.get(name="Tide Tables"), Tag.objects.get(name="Old")
    assert "2 of 2 Bookmarks" in reader_client.get(f"/bookmarks/?tag={new_fandom.pk}").content.decode()
    assert "0 Bookmarks" in reader_client.get(f"/bookmarks/?tag={old_fandom.pk}").content.decode()
    # Someone else (another bookmarker of it too), and a guest, cannot.
    assert client_for(other).get(url).status_code == 404
    assert client_for(other).post(url, _external_post(title="Mine now")).status_code == 404
    assert client.post(url, _external_post(title="Mine now")).status_code == 302  # to sign in
    assert ExternalWork.objects.get().title == "The Real Title"


def test_external_work_errors_show_in_the_form_with_what_was_typed(reader, reader_client, make_bookmark):
    make_bookmark(
        reader, external=ExternalWorkFields(url="https://a.example/1", title="One", creator="S", fandoms=("F",))
    )
    make_bookmark(
        reader, external=ExternalWorkFields(url="https://a.example/2", title="Two", creator="S", fandoms=("F",))
    )
    first = ExternalWork.objects.get(title="One")
    url = f"/external_works/{first.pk}/edit/"
    response = reader_client.post(url, _external_post(url="https://www.a.example/2/", title="Kept Typing"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another external work is already at that address." in page and 'value="Kept Typing"' in page
    response = reader_client.post(url, _external_post(url="not a url", title="Still Here"))
    page = response.content.decode()
    assert response.status_code == 400 and "starting with http:// or https://" in page
    assert 'value="Still Here"' in page
    assert ExternalWork.objects.get(pk=first.pk).title == "One"


def test_the_bookmark_index_compacts_in_the_background_not_in_a_request(make_work, reader, make_bookmark, monkeypatch):
    monkeypatch.setattr(bookmark_index, "COMPACT_MIN_TOMBSTONES", 20)
    bookmarks = [make_bookmark(reader, make_work(title=f"Work {n}")) for n in range(5)]
    bookmark_index.reset_bookmark_index()
    index = bookmark_index.get_bookmark_index(max_lag=0)
    started = []
    monkeypatch.setattr(bookmark_index.SHARED, "start_compacting", lambda: started.append(True))
    for round_number in range(5):
        for bookmark in bookmarks:
            Bookmark.objects.filter(pk=bookmark.pk).update(notes=f"<p>Round {round_number}</p>")
        assert bookmark_index.get_bookmark_index(max_lag=0) is index, "no request rebuilds the index itself"
    assert index.tombstones >= 20 and index.wants_compacting()
    assert started, "the background compaction was asked for"

    Bookmark.objects.filter(pk=bookmarks[0].pk).update(rec=True)  # a change while the compact one is built
    bookmark_index.compact_bookmark_index()
    compact = bookmark_index.get_bookmark_index(max_lag=0)
    assert compact is not index and compact.tombstones == 0 and len(compact) == 5
    found = bookmarks_search(bookmark_filter=BookmarkFilter(rec_only=True), viewer=reader)
    assert found.bookmark_ids == [bookmarks[0].pk]
    assert bookmarks_search(bookmark_filter=BookmarkFilter(with_notes=True), viewer=reader).total == 5
