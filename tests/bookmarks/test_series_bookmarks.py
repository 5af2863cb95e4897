"""Bookmarking a series, as readers meet it: the button and count on the series page, the series' bookmarks,
the series blurb in every listing, and what a guest may not learn from it."""

import pytest

from fanfold.bookmarks.models import Bookmark
from fanfold.series.services import SeriesFields, series_add_work, series_create, series_delete
from fanfold.works.models import Work
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def series_of(writer):
    def make(works, title="The Lighthouse Cycle", **fields):
        series = series_create(pseuds=[writer.default_pseud], fields=SeriesFields(title=title, **fields))
        for work in works:
            series_add_work(series=series, work=work)
        return series

    return make


def test_a_reader_bookmarks_a_series_from_its_page_and_it_shows_with_its_blurb(
    writer, make_work, series_of, reader, reader_client, client
):
    one = make_work(writer, title="Part One", fandoms=["Harbour Lights"])
    two = make_work(writer, title="Part Two", fandoms=["Harbour Lights"])
    series = series_of([one, two], complete=True)
    page = reader_client.get(f"/series/{series.pk}/").content.decode()
    assert "Bookmark Series" in page and "Bookmarks (0)" in page
    response = reader_client.post(
        f"/series/{series.pk}/bookmarks/new/",
        {"pseud": reader.default_pseud.pk, "notes": "Read in order", "tags": "seaside", "rec": "on"},
    )
    assert response.status_code == 302 and response.url == f"/series/{series.pk}/"
    bookmark = Bookmark.objects.get()
    assert bookmark.series == series and bookmark.title == "The Lighthouse Cycle"
    page = reader_client.get(f"/series/{series.pk}/").content.decode()
    assert "Edit Bookmark" in page and "Bookmarks (1)" in page
    assert "Bookmarks (1)" in client.get(f"/series/{series.pk}/").content.decode()
    words = Work.objects.get(pk=one.pk).word_count + Work.objects.get(pk=two.pk).word_count
    for url in (
        "/bookmarks/",
        f"/series/{series.pk}/bookmarks/",
        "/users/reader/bookmarks/",
        "/tags/seaside/bookmarks/",
        "/tags/Harbour Lights/bookmarks/",
    ):
        shown = client.get(url).content.decode()
        assert "1 of 1 Bookmarks" in shown, url
        assert f'href="/series/{series.pk}/">The Lighthouse Cycle</a>' in shown, url
        assert 'href="/users/writer/' in shown and "Read in order" in shown, url
        assert f'<dd class="words">{words}</dd>' in shown and '<dd class="works">2</dd>' in shown, url
        assert '<dd class="complete">Yes</dd>' in shown, url
    # Bookmarking again edits the one bookmark.
    reader_client.post(f"/series/{series.pk}/bookmarks/new/", {"pseud": reader.default_pseud.pk, "notes": "Again"})
    assert Bookmark.objects.count() == 1 and "Again" in Bookmark.objects.get().notes


def test_a_series_of_works_nobody_else_may_see_cannot_be_bookmarked(writer, make_work, series_of, reader_client):
    draft = make_work(writer, title="Draft", post=False)
    series = series_of([draft])
    assert reader_client.get(f"/series/{series.pk}/bookmarks/new/").status_code == 404
    assert reader_client.post(f"/series/{series.pk}/bookmarks/new/", {"notes": "x"}).status_code == 404
    assert reader_client.get(f"/series/{series.pk}/bookmarks/").status_code == 404
    assert not Bookmark.objects.exists()


def test_a_guest_learns_no_tag_of_a_restricted_work_from_a_series_bookmark(
    writer, make_work, series_of, make_user, reader, make_bookmark, client, reader_client
):
    public = make_work(writer, title="Open Part", fandoms=["Open Fandom"], freeforms=["Sunny"])
    locked = make_work(writer, title="Locked Part", fandoms=["Locked Fandom"], freeforms=["Secretive"], restricted=True)
    series = series_of([public, locked])
    make_bookmark(reader, series=series, notes="both parts")
    guest_page = client.get("/bookmarks/").content.decode()
    assert "both parts" in guest_page and "Open Fandom" in guest_page
    assert "Locked Fandom" not in guest_page and "Secretive" not in guest_page and "Locked Part" not in guest_page
    assert '<dd class="works">1</dd>' in guest_page
    # The restricted work's tag is unknown to a guest; a member (who sees the same bookmark) does not find it
    # under that tag either: it is found under the tags everyone who sees it may see.
    assert client.get("/tags/Secretive/bookmarks/").status_code == 404
    assert "0 Bookmarks" in reader_client.get("/tags/Secretive/bookmarks/").content.decode()
    assert "1 of 1 Bookmarks" in reader_client.get("/tags/Sunny/bookmarks/").content.decode()
    # Signed-in readers see both parts in the blurb.
    member_page = client_for(make_user()).get("/bookmarks/").content.decode()
    assert '<dd class="works">2</dd>' in member_page
    # A series whose only open work goes restricted is for signed-in readers only, then found under its tags.
    Work.objects.filter(pk=public.pk).update(restricted=True)
    Work.objects.filter(pk=public.pk).first().save()
    assert "both parts" not in client.get("/bookmarks/").content.decode()
    assert "Locked Fandom" in client_for(make_user()).get("/bookmarks/").content.decode()


def test_a_bookmark_of_a_series_gone_from_view_is_kept_for_its_owner_as_unavailable(
    writer, make_work, series_of, reader, make_bookmark, reader_client, client
):
    work = make_work(writer, title="Only Part")
    series = series_of([work])
    make_bookmark(reader, series=series, notes="keep this")
    Work.objects.filter(pk=work.pk).update(hidden=True)
    Work.objects.get(pk=work.pk).save()
    own = reader_client.get("/users/reader/bookmarks/").content.decode()
    assert "keep this" in own and "This series is unavailable." in own and "The Lighthouse Cycle" in own
    assert "keep this" not in client.get("/users/reader/bookmarks/").content.decode()
    assert client.get(f"/series/{series.pk}/").status_code == 404
    series_delete(series=series)
    own = reader_client.get("/users/reader/bookmarks/").content.decode()
    assert "keep this" in own and "is unavailable" in own
