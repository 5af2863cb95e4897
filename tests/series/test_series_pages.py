"""Series: made from the posting and edit forms, shown in order with "Part N of" navigation, changed only by
its creators, and seen by every reader through the same rules as listings."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanfold.accounts.services import mute_add, tag_exclusion_add
from fanfold.series.models import Series, SeriesWork
from fanfold.series.selectors import series_page
from fanfold.series.services import series_remove_work
from fanfold.tags.models import Tag
from fanfold.works.models import Work
from fanfold.works.services import work_delete, work_set_hidden
from tests.works.test_posting import work_form_data

pytestmark = pytest.mark.django_db


def _post_data(**overrides):
    return work_form_data(**{"title": "Beacon", **overrides})


def _parts(html: str) -> list[str]:
    """The work titles of a series page, in order."""
    listing = html.split('class="work-list series-works"', 1)[1]
    return re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', listing)


def test_a_new_series_is_made_from_the_posting_form_and_holds_the_work(writer, writer_client):
    response = writer_client.post(
        reverse("works:new"), _post_data(pseuds=[writer.default_pseud.pk], new_series_title="Tide Tables")
    )
    assert response.status_code == 302
    series = Series.objects.get(title="Tide Tables")
    work = Work.objects.get(title="Beacon")
    assert list(series.works.all()) == [work]
    assert list(series.creators.all()) == [writer.default_pseud]

    page = writer_client.get(work.get_absolute_url()).content.decode()
    assert "Part 1 of" in page and "Tide Tables" in page


def test_the_edit_form_adds_the_work_to_one_of_my_series_at_the_end(writer, writer_client, make_work, make_series):
    first, second = make_work(writer, title="One"), make_work(writer, title="Two")
    series = make_series(writer, [first])
    form = writer_client.get(reverse("works:edit", kwargs={"work_id": second.pk})).content.decode()
    assert "The Lighthouse Cycle" in form  # offered as one of my series

    data = _post_data(pseuds=[writer.default_pseud.pk], title="Two", series=str(series.pk), update="1")
    data.pop("post")
    response = writer_client.post(reverse("works:edit", kwargs={"work_id": second.pk}), data)
    assert response.status_code == 302
    assert list(SeriesWork.objects.filter(series=series).values_list("work__title", "position")) == [
        ("One", 1),
        ("Two", 2),
    ]


def test_another_users_series_or_both_choices_are_refused_with_the_text_kept(
    writer, writer_client, make_user, make_work, make_series
):
    other = make_user()
    theirs = make_series(other, [make_work(other)], title="Not Yours")
    response = writer_client.post(
        reverse("works:new"), _post_data(pseuds=[writer.default_pseud.pk], series=str(theirs.pk))
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Work.objects.filter(title="Beacon").exists()

    mine = make_series(writer, [make_work(writer)], title="Mine")
    response = writer_client.post(
        reverse("works:new"),
        _post_data(pseuds=[writer.default_pseud.pk], series=str(mine.pk), new_series_title="Another"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not both" in page and 'value="Another"' in page
    response = writer_client.post(
        reverse("works:new"), _post_data(pseuds=[writer.default_pseud.pk], series="99999999999999999999999")
    )
    assert response.status_code == 400


def test_a_work_can_be_in_several_series_with_a_place_in_each(writer, make_work, make_series, reader_client):
    a, b = make_work(writer, title="A"), make_work(writer, title="B")
    make_series(writer, [a, b], title="First Series")
    make_series(writer, [b], title="Second Series")
    page = reader_client.get(b.get_absolute_url()).content.decode()
    assert re.search(r"Part 2 of <a [^>]*>First Series</a>", page)
    assert re.search(r"Part 1 of <a [^>]*>Second Series</a>", page)


def test_series_page_shows_details_and_works_in_order(writer, make_work, make_series, reader_client):
    works = [make_work(writer, title=f"Part {n}", content="word " * n * 10) for n in (1, 2, 3)]
    series = make_series(
        writer, works, summary="<p>Three <script>x</script>nights.</p>", notes="Read in order.", complete=True
    )
    page = reader_client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Part 1", "Part 2", "Part 3"]
    assert "<script>" not in page and "Three" in page and "Read in order." in page
    assert re.search(r'<dd class="words">60</dd>', page)
    assert re.search(r'<dd class="works">3</dd>', page)
    assert re.search(r'<dd class="complete">Yes</dd>', page)
    assert writer.default_pseud.name in page
    assert "Edit series" not in page  # only for its creators


def test_navigation_goes_from_part_to_part(writer, make_work, make_series, reader_client):
    one, two, three = (make_work(writer, title=t) for t in ("One", "Two", "Three"))
    make_series(writer, [one, two, three])
    page = reader_client.get(two.get_absolute_url()).content.decode()
    assert f'rel="prev" href="/works/{one.pk}/"' in page
    assert f'rel="next" href="/works/{three.pk}/"' in page
    first = reader_client.get(one.get_absolute_url()).content.decode()
    assert "Previous Work" not in first and f'href="/works/{two.pk}/"' in first


def test_creators_reorder_remove_and_delete_and_works_stay(writer, writer_client, make_work, make_series):
    one, two, three = (make_work(writer, title=t) for t in ("One", "Two", "Three"))
    series = make_series(writer, [one, two, three])
    url = reverse("series:order", kwargs={"series_id": series.pk})
    bad = writer_client.post(url, {f"position_{one.pk}": "1", f"position_{two.pk}": "1", f"position_{three.pk}": "x"})
    assert bad.status_code == 400
    assert "a number" in bad.content.decode()
    bad = writer_client.post(url, {f"position_{one.pk}": "1", f"position_{two.pk}": "1", f"position_{three.pk}": "2"})
    assert bad.status_code == 400 and "each number once" in bad.content.decode()

    writer_client.post(url, {f"position_{one.pk}": "3", f"position_{two.pk}": "1", f"position_{three.pk}": "2"})
    assert _parts(writer_client.get(series.get_absolute_url()).content.decode()) == ["Two", "Three", "One"]

    writer_client.post(reverse("series:remove_work", kwargs={"series_id": series.pk, "work_id": three.pk}))
    assert list(SeriesWork.objects.filter(series=series).values_list("work__title", "position")) == [
        ("Two", 1),
        ("One", 2),
    ]
    assert Work.objects.filter(pk=three.pk).exists()

    edit = writer_client.post(
        reverse("series:edit", kwargs={"series_id": series.pk}),
        {"title": "Renamed", "summary": "", "notes": "", "complete": "on", "text_format": "html"},
    )
    assert edit.status_code == 302
    series.refresh_from_db()
    assert series.title == "Renamed" and series.complete

    writer_client.post(reverse("series:delete", kwargs={"series_id": series.pk}))
    assert not Series.objects.filter(pk=series.pk).exists()
    assert Work.objects.filter(pk__in=[one.pk, two.pk, three.pk]).count() == 3


def test_removing_the_last_work_ends_the_series(writer, make_work, make_series):
    work = make_work(writer)
    series = make_series(writer, [work])
    assert series_remove_work(series=series, work_id=work.pk) is True
    assert not Series.objects.exists()


def test_only_the_series_creators_may_change_it(writer, make_work, make_series, reader, reader_client, client):
    one, two = make_work(writer), make_work(writer)
    series = make_series(writer, [one, two])
    kwargs = {"series_id": series.pk}
    for name in ("series:edit", "series:order", "series:delete"):
        assert reader_client.get(reverse(name, kwargs=kwargs)).status_code == 404
        assert reader_client.post(reverse(name, kwargs=kwargs), {"title": "Mine now"}).status_code == 404
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 302  # to log in
    remove = reverse("series:remove_work", kwargs={"series_id": series.pk, "work_id": one.pk})
    assert reader_client.post(remove).status_code == 404
    assert reader_client.get(remove).status_code == 405
    series.refresh_from_db()
    assert series.title == "The Lighthouse Cycle" and series.works.count() == 2


# Visibility ---------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_series(writer, make_user, make_work, make_series):
    """A series of five parts: open, restricted, draft, hidden, open."""
    works = {
        "open": make_work(writer, title="Open Part"),
        "restricted": make_work(writer, title="Restricted Part", restricted=True, content="word " * 100),
        "draft": make_work(writer, title="Draft Part", post=False),
        "hidden": make_work(writer, title="Hidden Part"),
        "last": make_work(writer, title="Last Part"),
    }
    work_set_hidden(work=works["hidden"], hidden=True)
    series = make_series(writer, list(works.values()))
    return series, works


def test_guests_see_only_open_works_numbered_without_gaps(client, mixed_series):
    series, works = mixed_series
    page = client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Open Part", "Last Part"]
    assert "Restricted Part" not in page and "Draft Part" not in page and "Hidden Part" not in page
    assert re.search(r'<dd class="works">2</dd>', page)
    words = works["open"].word_count + works["last"].word_count
    assert re.search(rf'<dd class="words">{words}</dd>', page)
    last = client.get(works["last"].get_absolute_url()).content.decode()
    assert "Part 2 of" in last
    assert f'rel="prev" href="/works/{works["open"].pk}/"' in last


def test_signed_in_readers_see_restricted_but_never_drafts_or_hidden(reader_client, mixed_series):
    series, works = mixed_series
    page = reader_client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Open Part", "Restricted Part", "Last Part"]
    last = reader_client.get(works["last"].get_absolute_url()).content.decode()
    assert "Part 3 of" in last
    assert f'rel="prev" href="/works/{works["restricted"].pk}/"' in last
    assert works["draft"].pk not in {p.work_id for p in series_page(series_id=series.pk, viewer=AnonymousUser()).parts}


def test_the_creator_sees_every_part_on_the_series_page(writer_client, mixed_series):
    series, _works = mixed_series
    page = writer_client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Open Part", "Restricted Part", "Draft Part", "Hidden Part", "Last Part"]
    assert "Edit series" in page


def test_a_series_of_only_invisible_works_is_not_there(writer, make_work, make_series, client, reader_client):
    restricted = make_work(writer, title="Members Only", restricted=True)
    draft = make_work(writer, title="Secret Draft", post=False)
    series = make_series(writer, [restricted, draft], title="Quiet Series")
    assert client.get(series.get_absolute_url()).status_code == 404
    listing = client.get(reverse("series:user_series", kwargs={"username": "writer"})).content.decode()
    assert "Quiet Series" not in listing
    assert reader_client.get(series.get_absolute_url()).status_code == 200

    mixed = make_series(writer, [make_work(writer, title="Open Door", content="one two three"), restricted])
    guest_listing = client.get(reverse("series:user_series", kwargs={"username": "writer"})).content.decode()
    blurb = guest_listing.split(f'id="series_{mixed.pk}"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'<dd class="works">1</dd>', blurb) and re.search(r'<dd class="words">3</dd>', blurb)
    assert "Members Only" not in guest_listing

    only_draft = make_series(writer, [draft], title="Draft Series")
    assert reader_client.get(only_draft.get_absolute_url()).status_code == 404
    listing = reader_client.get(reverse("series:user_series", kwargs={"username": "writer"})).content.decode()
    assert "Draft Series" not in listing and "Secret Draft" not in listing and "Quiet Series" in listing


def test_muted_creators_and_excluded_tags_are_left_out_as_on_listings(
    writer, make_user, make_work, make_series, reader, reader_client
):
    other = make_user("otherwriter")
    mine = make_work(writer, title="Kept Part")
    tagged = make_work(writer, title="Angsty Part", freeforms=["Angst"])
    series = make_series(writer, [mine, tagged])
    muted_series = make_series(other, [make_work(other, title="Muted Part")], title="Muted Series")

    tag_exclusion_add(user=reader, tag=Tag.objects.get(name="Angst"))
    mute_add(user=reader, muted=other)
    reader.__dict__.pop("_viewer_policy", None)

    page = reader_client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Kept Part"]
    assert reader_client.get(muted_series.get_absolute_url()).status_code == 404
    listing = reader_client.get(reverse("series:user_series", kwargs={"username": "otherwriter"})).content.decode()
    assert "Muted Series" not in listing


def test_deleted_works_leave_their_series(writer, make_work, make_series, reader_client):
    one, two = make_work(writer, title="One"), make_work(writer, title="Two")
    series = make_series(writer, [one, two])
    work_delete(work=one)
    page = reader_client.get(series.get_absolute_url()).content.decode()
    assert _parts(page) == ["Two"]
    assert "Part 1 of" in reader_client.get(two.get_absolute_url()).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_series_pages_load_in_a_fixed_number_of_queries(writer, make_user, make_work, make_series, reader_client):
    def series_of(n: int):
        works = [make_work(make_user() if i % 2 else writer, title=f"W{n}-{i}", freeforms=[f"T{i}"]) for i in range(n)]
        return make_series(writer, works, title=f"S{n}")

    small, large = series_of(2), series_of(8)
    reader_client.get(small.get_absolute_url())  # the bookmark index (for the page's bookmark count) is built once
    assert _queries(reader_client, small.get_absolute_url()) == _queries(reader_client, large.get_absolute_url())
    url = reverse("series:user_series", kwargs={"username": "writer"})
    few = _queries(reader_client, url)
    for _ in range(5):
        series_of(3)
    assert _queries(reader_client, url) == few
    page = reader_client.get(url).content.decode()
    assert page.count('class="blurb series"') == 7


def test_signed_in_readers_can_mark_parts_for_later_from_the_series_page(
    writer, make_work, make_series, reader, reader_client, client
):
    one, two = make_work(writer, title="One"), make_work(writer, title="Two")
    series = make_series(writer, [one, two])
    assert "Mark for Later" not in client.get(series.get_absolute_url()).content.decode()
    reader_client.post(
        reverse("readings:mark_for_later", kwargs={"work_id": two.pk}), {"next": series.get_absolute_url()}
    )
    page = reader_client.get(series.get_absolute_url()).content.decode()
    assert page.count("Mark for Later") == 1 and page.count("Mark as Read") == 1
    assert page.index("Mark for Later") < page.index("Mark as Read")  # part 1 unmarked, part 2 marked
