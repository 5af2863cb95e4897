"""Reads for works listings: a filter and a viewer in, a page of work ids, the exact total and facets out."""

import dataclasses

from django.conf import settings
from django.utils.safestring import SafeString

from fanfold.discovery.fulltext import search_snippets, text_match
from fanfold.discovery.index import SearchResult, get_index
from fanfold.discovery.query import BEST_MATCH, WorkFilter
from fanfold.discovery.search_query import ParsedSearch, Range, SearchSyntaxError, parse_search
from fanfold.works.visibility import policy_for

# Search box fields -> index columns.
RANGE_COLUMNS = {
    "words": "word_count",
    "kudos": "kudos_count",
    "hits": "hit_count",
    "comments": "comment_count",
    "bookmarks": "bookmark_count",
    "chapters": "chapter_count",
}
_LOWEST, _HIGHEST = -(2**62), 2**62


@dataclasses.dataclass
class Listing:
    """A works listing as a viewer sees it: the index's answer, and what became of the search typed."""

    result: SearchResult
    work_filter: WorkFilter  # with the search's own sort applied
    parsed: ParsedSearch | None = None
    search_error: str | None = None
    snippets: dict[int, SafeString] = dataclasses.field(default_factory=dict)


def _bounds(limit: Range) -> tuple[str, int, int]:
    low, high = _LOWEST, _HIGHEST
    if limit.low is not None:
        low = limit.low if limit.low_inclusive else limit.low + 1
    if limit.high is not None:
        high = limit.high if limit.high_inclusive else limit.high - 1
    return RANGE_COLUMNS[limit.field], low, high


def works_search(
    *, work_filter: WorkFilter, viewer, page_size: int = 20, facet_limit: int | None = None
) -> SearchResult:
    """The listing `viewer` sees for `work_filter` (see `works_listing`), without snippets."""
    return works_listing(work_filter=work_filter, viewer=viewer, page_size=page_size, facet_limit=facet_limit).result


def works_listing(
    *,
    work_filter: WorkFilter,
    viewer,
    page_size: int = 20,
    facets: bool = True,
    facet_limit: int | None = None,
    snippets: bool = False,
    fresh: bool = False,
) -> Listing:
    """The listing `viewer` (a user or their `ViewerPolicy`) sees for `work_filter`: the works their policy
    lists, narrowed by the search typed, if any, which may also set the sort. It shows every change made up
    to GUEST_LISTING_LAG_SECONDS ago, or (`fresh`: for someone who has just changed something themselves)
    up to now.

    A search that cannot be understood is left out, and `search_error` says why.
    """
    policy = policy_for(viewer)
    parsed = search_error = None
    ranges: list[tuple[str, int, int]] = []
    text = None
    if work_filter.query:
        try:
            parsed = parse_search(work_filter.query)
            ranges = [_bounds(limit) for limit in parsed.ranges]
            if parsed.sort is not None:
                direction = parsed.direction or work_filter.direction
                work_filter = work_filter.replace(sort=parsed.sort, direction=direction)
            if parsed.expression is not None:
                text = text_match(parsed.expression)
        except SearchSyntaxError as error:
            search_error = error.message
            parsed, ranges, text = None, [], None
    if work_filter.sort == BEST_MATCH and text is None:
        # Nothing to match on (only ranges, or the search failed): the usual order instead.
        work_filter = work_filter.replace(sort="revised_at")
    lag = 0.0 if fresh else settings.GUEST_LISTING_LAG_SECONDS
    result = get_index(max_lag=lag).search(
        work_filter,
        policy=policy,
        page_size=page_size,
        facets=facets,
        facet_limit=facet_limit,
        ranges=ranges,
        text=text,
    )
    found = {}
    if snippets and parsed is not None:
        found = search_snippets(result.work_ids, parsed.expression, text.in_text if text is not None else None)
    return Listing(result=result, work_filter=work_filter, parsed=parsed, search_error=search_error, snippets=found)


def tag_labels(tag_ids) -> dict[int, tuple[str, str]]:
    """Tag id -> (name, type) of these tags, as this process's index knows them (current to its last catch-up,
    renames included); tags it does not hold are left out."""
    return get_index(max_lag=float("inf")).tag_labels(tag_ids)
