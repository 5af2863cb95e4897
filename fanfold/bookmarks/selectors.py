"""Reads of bookmarks: every listing goes through the bookmark index and the viewer's policy."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from fanfold.accounts.models import Pseud
from fanfold.bookmarks.index import BookmarkResult, get_bookmark_index
from fanfold.bookmarks.models import Bookmark, ExternalWork
from fanfold.bookmarks.query import BookmarkFilter
from fanfold.series.models import Series
from fanfold.series.selectors import listed_series_blurbs
from fanfold.tags.models import Tag
from fanfold.works.models import Work
from fanfold.works.visibility import policy_for


def bookmarks_search(
    *,
    bookmark_filter: BookmarkFilter,
    viewer,
    page_size: int = 20,
    facets: bool = True,
    facet_limit: int | None = None,
    fresh: bool = False,
) -> BookmarkResult:
    """The bookmarks `viewer` (a user or their policy) sees for `bookmark_filter`: a page, the exact total
    and facet counts. As the works listing (`discovery.selectors.works_listing`), every change up to
    GUEST_LISTING_LAG_SECONDS ago is in it, or (`fresh`: for someone who has just changed something) up to now."""
    policy = policy_for(viewer)
    lag = 0.0 if fresh else settings.GUEST_LISTING_LAG_SECONDS
    return get_bookmark_index(max_lag=lag).search(
        bookmark_filter, policy=policy, page_size=page_size, facets=facets, facet_limit=facet_limit
    )


def listed_bookmarks(viewer) -> QuerySet[Bookmark]:
    """Every bookmark `viewer` may see listed (see `ViewerPolicy.bookmark_listed_q`)."""
    return Bookmark.objects.filter(policy_for(viewer).bookmark_listed_q())


def bookmarks_in_order(viewer, bookmark_ids: list[int]) -> list[Bookmark]:
    """These bookmarks, in this order, with what their blurbs show loaded in a fixed number of queries; each
    has `open_work`: its work if the viewer may open it, else None, and `open_series`: its series, as a blurb,
    if it is listed for the viewer, else None (with neither, it shows as unavailable). The policy has the last
    word on each one."""
    policy = policy_for(viewer)
    found = (
        listed_bookmarks(policy)
        .filter(pk__in=bookmark_ids)
        .select_related("pseud__user", "external_work")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name").only("name", "type")),
            Prefetch("external_work__tags", queryset=Tag.objects.order_by("sort_order", "name").only("name", "type")),
        )
    )
    by_id = {bookmark.pk: bookmark for bookmark in found}
    bookmarks = [by_id[pk] for pk in bookmark_ids if pk in by_id]
    work_ids = {bookmark.work_id for bookmark in bookmarks if bookmark.work_id}
    works = {work.pk: work for work in Work.objects.filter(policy.may_open_q(), pk__in=work_ids).with_blurb_data()}
    series_ids = {bookmark.series_id for bookmark in bookmarks if bookmark.series_id}
    series = listed_series_blurbs(viewer=policy, series_ids=series_ids) if series_ids else {}
    for bookmark in bookmarks:
        bookmark.open_work = works.get(bookmark.work_id)
        bookmark.open_series = series.get(bookmark.series_id)
    return bookmarks


def bookmark_of(*, user, work: Work | None = None, series: Series | None = None) -> Bookmark | None:
    """`user`'s bookmark of `work` (or of `series`), if they have one."""
    if not user.is_authenticated:
        return None
    target = {"work": work} if work is not None else {"series": series}
    return Bookmark.objects.filter(user=user, **target).prefetch_related("tags").first()


def series_bookmark_total(*, series: Series, viewer, fresh: bool = False) -> int:
    """How many bookmarks of `series` `viewer` sees listed (its bookmarks page's total)."""
    found = bookmarks_search(
        bookmark_filter=BookmarkFilter(series_id=series.pk), viewer=viewer, facets=False, fresh=fresh
    )
    return found.total


def bookmark_for_owner(*, user, bookmark_id: int) -> Bookmark | None:
    if not user.is_authenticated:
        return None
    return (
        Bookmark.objects.filter(pk=bookmark_id, user=user)
        .select_related("work", "series", "external_work")
        .prefetch_related("tags")
        .first()
    )


def external_work_for_editor(*, user, external_work_id: int) -> ExternalWork | None:
    """An external work `user` added, for editing it; None for anyone else's."""
    if not user.is_authenticated:
        return None
    return ExternalWork.objects.filter(pk=external_work_id, added_by=user).prefetch_related("tags").first()


def pseuds_of(user) -> list[Pseud]:
    return list(user.pseuds.order_by("-is_default", "name"))


def tag_names(tag_ids) -> dict[int, tuple[str, str]]:
    """Tag id -> (name, type): the facets' labels (tags counted on bookmarks the viewer sees)."""
    return {
        pk: (name, kind)
        for pk, name, kind in Tag.objects.filter(pk__in=list(tag_ids)).values_list("pk", "name", "type")
    }
