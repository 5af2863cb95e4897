"""Reads for works listings: a filter and a viewer in, a page of work ids, the exact total and facets out."""

from fanfold.discovery.index import SearchResult, get_index
from fanfold.discovery.query import WorkFilter


def works_search(
    *, work_filter: WorkFilter, viewer, page_size: int = 20, facet_limit: int | None = None
) -> SearchResult:
    """The listing `viewer` sees for `work_filter`: the same rules as `visible_works` for listed works
    (posted, not hidden; restricted works for signed-in readers only)."""
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    # Catching up costs one indexed query; it means a writer sees their own new work straight away.
    return get_index(max_lag=0.0).search(work_filter, signed_in=signed_in, page_size=page_size, facet_limit=facet_limit)
