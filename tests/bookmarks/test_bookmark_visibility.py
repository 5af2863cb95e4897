"""One rule for who sees which bookmarks: the ORM path, the bookmark index and a brute-force oracle agree for
many viewers on random archives (private bookmarks, mutes, excluded tags, drafts, restricted, hidden and deleted
works, series of such works), in pages, totals, facets and both sorts, before and after works, series and
bookmarks change."""

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from fanfold.bookmarks.index import BOOKMARKER_TAGS, FACET_KEYS
from fanfold.bookmarks.models import Bookmark
from fanfold.bookmarks.query import BookmarkFilter
from fanfold.bookmarks.selectors import bookmarks_search, listed_bookmarks
from fanfold.bookmarks.services import (
    BookmarkFields,
    ExternalWorkFields,
    bookmark_delete,
    bookmark_save,
    bookmark_update,
)
from fanfold.series.models import Series, SeriesWork
from fanfold.series.selectors import listed_series
from fanfold.series.services import SeriesFields, series_add_work, series_create, series_delete, series_remove_work
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works
from fanfold.works.services import work_delete
from tests.conftest import client_for
from tests.works.test_visibility import FANDOMS, _under, build_archive, fresh, oracle, viewers

pytestmark = pytest.mark.django_db

OWN_TAGS = ["comfort read", "reread", "to share", "Fluff"]
FIRST_DAY = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def make_bookmarks(rng: random.Random, people) -> None:
    readers = [person for person in people if person.is_authenticated]
    for reader in readers:
        may_bookmark = list(visible_works(reader).filter(posted=True).order_by("pk"))
        for work in rng.sample(may_bookmark, min(6, len(may_bookmark))):
            fields = BookmarkFields(
                notes="<p>Notes</p>" if rng.random() < 0.5 else "",
                tags=tuple(rng.sample(OWN_TAGS, rng.randint(0, 2))),
                private=rng.random() < 0.25,
                rec=rng.random() < 0.4,
            )
            bookmark = bookmark_save(user=reader, work=work, fields=fields)
            Bookmark.objects.filter(pk=bookmark.pk).update(created_at=FIRST_DAY + dt.timedelta(days=rng.randint(0, 60)))
        if rng.random() < 0.5:
            external = ExternalWorkFields(
                url=f"https://elsewhere.example/{rng.randint(1, 3)}",
                title="Elsewhere",
                creator="Someone",
                fandoms=(rng.choice(FANDOMS),),
                rating="Mature",
            )
            bookmark_save(user=reader, external=external, fields=BookmarkFields(private=rng.random() < 0.25))


def make_series_bookmarks(rng: random.Random, writers, people) -> None:
    """Series of random works (drafts, restricted and hidden ones among them), and readers' bookmarks of the
    series listed for them."""
    works = list(Work.objects.order_by("pk"))
    for n in range(6):
        series = series_create(pseuds=[rng.choice(writers).default_pseud], fields=SeriesFields(title=f"Series {n}"))
        for work in rng.sample(works, rng.randint(1, 4)):
            series_add_work(series=series, work=work)
    for reader in (person for person in people if person.is_authenticated):
        for series in rng.sample(list(listed_series(reader).order_by("pk")), min(3, listed_series(reader).count())):
            fields = BookmarkFields(
                notes="<p>A series</p>" if rng.random() < 0.5 else "",
                tags=tuple(rng.sample(OWN_TAGS, rng.randint(0, 2))),
                private=rng.random() < 0.25,
                rec=rng.random() < 0.4,
            )
            bookmark = bookmark_save(user=reader, series=series, fields=fields)
            Bookmark.objects.filter(pk=bookmark.pk).update(created_at=FIRST_DAY + dt.timedelta(days=rng.randint(0, 60)))


def series_targets(listed_works: set[int]) -> dict[int, tuple[set[int], bool, object]]:
    """Series id -> (the tags a bookmark of it is found under, whether it is listed for the viewer, its date
    updated), by the rule: the tags and dates of its works open to guests if it has any, else of its posted,
    unhidden works; listed when one of its works is."""
    works = {work.pk: work for work in Work.objects.all()}
    work_tags: dict[int, set[int]] = {}
    for work_id, tag_id in Work.tags.through.objects.values_list("work_id", "tag_id"):
        work_tags.setdefault(work_id, set()).add(tag_id)
    parts: dict[int, list[Work]] = {series_id: [] for series_id in Series.objects.values_list("pk", flat=True)}
    for series_id, work_id in SeriesWork.objects.values_list("series_id", "work_id"):
        parts[series_id].append(works[work_id])
    found = {}
    for series_id, in_series in parts.items():
        listable = [work for work in in_series if work.posted and not work.hidden]
        shown = [work for work in listable if not work.restricted] or listable
        tags = {tag for work in shown for tag in work_tags.get(work.pk, set())}
        listed = any(work.pk in listed_works for work in in_series)
        found[series_id] = (tags, listed, max((work.revised_at for work in shown), default=None))
    return found


def expected(viewer, bookmark_filter: BookmarkFilter):
    """(bookmarks in order, facets by key as {tag id: count}) as the rules say, from plain rows."""
    _may_open, listed_works, _known = oracle(viewer)
    me = viewer.pk if viewer.is_authenticated else None
    muted = set(viewer.mutes.values_list("muted_id", flat=True)) if me else set()
    excluded: set[int] = set()
    if me:
        for tag_id, merger_id in viewer.tag_exclusions.values_list("tag_id", "tag__merger_id"):
            excluded |= {tag_id} | ({merger_id} if merger_id else set())
    excluded_under = _under(excluded)
    listable = set(Work.objects.filter(posted=True, hidden=False).values_list("pk", flat=True))
    work_tags: dict[int, set[int]] = {}
    for work_id, tag_id in Work.tags.through.objects.values_list("work_id", "tag_id"):
        work_tags.setdefault(work_id, set()).add(tag_id)
    series = series_targets(listed_works)
    shown = []
    for bookmark in Bookmark.objects.select_related("external_work", "work").prefetch_related(
        "tags", "external_work__tags"
    ):
        if bookmark.external_work_id:
            target_tags = {tag.pk for tag in bookmark.external_work.tags.all()}
            target_ok = not target_tags & excluded_under
            revised = bookmark.external_work.created_at
        elif bookmark.work_id:
            target_tags = work_tags.get(bookmark.work_id, set()) if bookmark.work_id in listable else set()
            target_ok = bookmark.work_id in listed_works
            revised = bookmark.work.revised_at if bookmark.work_id in listable else None
        elif bookmark.series_id:
            target_tags, target_ok, revised = series[bookmark.series_id]
        else:
            target_tags, target_ok, revised = set(), False, None
        own = bookmark.user_id == me
        if not (own or (not bookmark.private and bookmark.user_id not in muted and target_ok)):
            continue
        own_tags = {tag.pk for tag in bookmark.tags.all()}
        bookmark.target_tags, bookmark.own_tags, bookmark.revised = target_tags, own_tags, revised
        shown.append(bookmark)

    below: dict[int, set[int]] = {}

    def under(tags, tag_id):
        if tag_id not in below:
            below[tag_id] = _under({tag_id})
        return bool(tags & below[tag_id])

    f = bookmark_filter
    found = [
        b
        for b in shown
        if all(under(b.target_tags, t) for t in f.include_tags)
        and all(under(b.own_tags, t) for t in f.bookmark_tags)
        and not any(under(b.target_tags, t) for t in f.exclude_tags)
        and not any(under(b.own_tags, t) for t in f.exclude_bookmark_tags)
        and (not f.rec_only or b.rec)
        and (not f.with_notes or b.notes)
        and (f.work_id is None or b.work_id == f.work_id)
        and (f.series_id is None or b.series_id == f.series_id)
        and (not f.user_ids or b.user_id in f.user_ids)
        and all(under(b.target_tags | b.own_tags, t) for t in f.any_tags)
        and (f.bookmarked_from is None or timezone.localtime(b.created_at).date() >= f.bookmarked_from)
    ]

    def key(b):
        when = b.created_at if f.sort == "created_at" else b.revised
        return (when is not None, when or FIRST_DAY, b.pk)

    found.sort(key=key, reverse=f.direction == "desc")
    facets: dict[str, dict[int, int]] = {k: {} for k in FACET_KEYS}
    for tag in Tag.objects.filter(merger__isnull=True):  # a synonym is counted as its canonical tag
        on_work = sum(1 for b in found if under(b.target_tags, tag.pk))
        on_own = sum(1 for b in found if under(b.own_tags, tag.pk))
        if on_work:
            facets[tag.type][tag.pk] = on_work
        if on_own:
            facets[BOOKMARKER_TAGS][tag.pk] = on_own
    return [b.pk for b in found], facets


def assert_agrees(viewer, bookmark_filter: BookmarkFilter) -> None:
    order, facets = expected(viewer, bookmark_filter)
    everything = bookmarks_search(bookmark_filter=bookmark_filter, viewer=viewer, page_size=10_000)
    assert everything.total == len(order)
    assert everything.bookmark_ids == order, bookmark_filter
    assert {key: dict(counts) for key, counts in everything.facets.items()} == facets
    pages = []
    for page in range(1, -(-len(order) // 7) + 2):  # one page past the end, which is empty
        pages += bookmarks_search(
            bookmark_filter=bookmark_filter.replace(page=page), viewer=viewer, page_size=7, facets=False
        ).bookmark_ids
    assert pages == order


def some_filters(rng: random.Random, viewer):
    fandom = Tag.objects.get(name=rng.choice(FANDOMS))
    own = Tag.objects.filter(name__in=OWN_TAGS)
    fluff = Tag.objects.get(name="Fluff")
    filters = [
        BookmarkFilter(),
        BookmarkFilter(sort="work_revised_at"),
        BookmarkFilter(direction="asc"),
        BookmarkFilter(include_tags=(fandom.pk,), rec_only=True),
        BookmarkFilter(with_notes=True, sort="work_revised_at", direction="asc"),
        BookmarkFilter(bookmark_tags=(rng.choice(list(own)).pk,)),
        BookmarkFilter(exclude_tags=(fluff.pk,), exclude_bookmark_tags=(fluff.pk,)),
        BookmarkFilter(any_tags=(fluff.pk,)),
        BookmarkFilter(bookmarked_from=dt.date(2024, 1, 20)),
    ]
    if viewer.is_authenticated:
        filters.append(BookmarkFilter(user_ids=(viewer.pk,)))
    some_work = Bookmark.objects.filter(work__isnull=False).values_list("work_id", flat=True).first()
    if some_work:
        filters.append(BookmarkFilter(work_id=some_work))
    for some_series in Bookmark.objects.filter(series__isnull=False).values_list("series_id", flat=True)[:2]:
        filters.append(BookmarkFilter(series_id=some_series))
    return filters


def check_everyone(rng, people) -> None:
    for person in people:
        viewer = fresh(person)
        order, _facets = expected(viewer, BookmarkFilter())
        assert set(listed_bookmarks(viewer).values_list("pk", flat=True)) == set(order)
        for bookmark_filter in some_filters(rng, viewer):
            assert_agrees(viewer, bookmark_filter)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_orm_index_and_oracle_agree_on_bookmarks_for_every_viewer_through_changes(seed, make_user, make_work):
    rng = random.Random(seed)
    writers, _works = build_archive(rng, make_user, make_work)
    people = viewers(rng, make_user, writers)
    for name in OWN_TAGS:  # "Fluff" is canonical and wrangled already: a bookmarker's tag filters as any tag
        Tag.objects.get_or_create(name=name, defaults={"type": TagType.FREEFORM})
    make_bookmarks(rng, people)
    make_series_bookmarks(rng, writers, people)
    assert Bookmark.objects.filter(series__isnull=False, private=False).exists()
    check_everyone(rng, people)

    # Works of bookmarked series among those that turn hidden, restricted, draft and deleted.
    in_series = set(Bookmark.objects.filter(series__isnull=False).values_list("series__series_works__work", flat=True))
    posted = list(Work.objects.filter(posted=True, restricted=False, pk__in=in_series))
    posted += rng.sample(list(Work.objects.filter(posted=True).exclude(pk__in=[w.pk for w in posted])), 4)
    hide, restrict, unpost, gone = posted[:4]
    Work.objects.filter(pk=hide.pk).update(hidden=True)
    Work.objects.filter(pk=restrict.pk).update(restricted=True)
    Work.objects.filter(pk=unpost.pk).update(posted=False)
    work_delete(work=gone)
    bookmarks = list(Bookmark.objects.select_related("user"))
    for bookmark in rng.sample(bookmarks, min(4, len(bookmarks))):
        bookmark_update(
            bookmark=bookmark, user=bookmark.user, fields=BookmarkFields(private=not bookmark.private, rec=True)
        )
    for bookmark in rng.sample(bookmarks, 2):
        bookmark_delete(bookmark=bookmark, user=bookmark.user)
    check_everyone(rng, people)

    # Series change: a work leaves one, another joins one, one is deleted.
    bookmarked = list(Series.objects.filter(bookmarks__isnull=False).distinct().order_by("pk"))
    leaving, joining, deleted = (bookmarked * 3)[:3]
    first = SeriesWork.objects.filter(series=leaving).order_by("position").first()
    if first is not None:
        series_remove_work(series=leaving, work_id=first.work_id)
    if Series.objects.filter(pk=joining.pk).exists():
        series_add_work(series=joining, work=rng.choice(list(Work.objects.filter(posted=True, restricted=True))))
    if Series.objects.filter(pk=deleted.pk).exists():
        series_delete(series=deleted)
    check_everyone(rng, people)
    # The counts on works are the public bookmarks of each, exactly.
    for work in Work.objects.all():
        assert work.bookmark_count == Bookmark.objects.filter(work=work, private=False).count(), work.title


def test_a_private_bookmark_is_seen_by_nobody_else_anywhere(make_work, make_user, client):
    work = make_work(title="Quiet Work", fandoms=["Secret Fandom"])
    owner, other = make_user("owner"), make_user("other")
    bookmark_save(
        user=owner,
        work=work,
        fields=BookmarkFields(notes="private thoughts", tags=("Hiddenshelf",), private=True, rec=True),
    )
    assert Work.objects.get(pk=work.pk).bookmark_count == 0
    for viewer in (client, client_for(other)):
        for url in (
            "/bookmarks/",
            "/users/owner/bookmarks/",
            f"/works/{work.pk}/bookmarks/",
            "/tags/Secret Fandom/bookmarks/",
            "/bookmarks/?sort=work_revised_at&direction=asc",
            "/bookmarks/?rec=on&with_notes=on",
        ):
            page = viewer.get(url).content.decode()
            assert "private thoughts" not in page and "Hiddenshelf" not in page, url
            assert "0 Bookmarks" in page, url
        # Filtering by the private bookmark's tag reads as filtering by a tag that does not exist.
        asked = viewer.get("/bookmarks/?other_bookmark_tags=Hiddenshelf").content.decode()
        unknown = viewer.get("/bookmarks/?other_bookmark_tags=Nowhereshelf").content.decode()
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
        assert token.sub("", asked.replace("Hiddenshelf", "X")) == token.sub("", unknown.replace("Nowhereshelf", "X"))
        assert viewer.get("/tags/Hiddenshelf/bookmarks/").status_code == 404
        assert viewer.get(f"/bookmarks/{Bookmark.objects.get().pk}/").status_code == 404
        listing = viewer.get("/works/?sort=bookmarks").content.decode()
        assert f"/works/{work.pk}/bookmarks/" not in listing
        search = viewer.get("/works/?q=bookmarks>0").content.decode()
        assert "Quiet Work" not in search
    own = client_for(owner).get("/bookmarks/?other_bookmark_tags=Hiddenshelf").content.decode()
    assert "private thoughts" in own and "1 of 1 Bookmarks" in own
