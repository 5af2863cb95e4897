"""The filtered works listing: all works, or a tag's works, with exact facet counts."""

import collections
import threading
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from fanfold.core.middleware import wrote_recently
from fanfold.discovery.query import BEST_MATCH, MAX_TAGS_PER_FIELD, SORT_LABELS, WorkFilter
from fanfold.discovery.selectors import tag_labels, works_listing
from fanfold.tags.models import TagType, name_key, tag_name_from_url
from fanfold.tags.selectors import visible_tags
from fanfold.works.models import LANGUAGE_CHOICES
from fanfold.works.selectors import blurb_people, listed_work_rows, work_people_rows
from fanfold.works.templatetags.works_tags import blurb_head

FACETS_SHOWN = 10
# "Show more" holds this many more; past that, a link lists every tag of the type.
FACETS_MORE = 50
# Rating, warning and category facets filter through their own URL parameters; the rest through tag/exclude.
_FIXED_PARAMS = {TagType.RATING: "ratings", TagType.WARNING: "warnings", TagType.CATEGORY: "categories"}


class HomeView(TemplateView):
    """The home page: the newest works the reader may see, from the index as every listing is, so their
    blurbs come from the same cache."""

    template_name = "works/home.html"
    works_shown = 20

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        listing = works_listing(
            work_filter=WorkFilter(),
            viewer=viewer,
            page_size=self.works_shown,
            facets=False,
            fresh=wrote_recently(self.request),
        )
        return super().get_context_data(works=_works_in_order(viewer, listing.result), **kwargs)


class WorkListView(TemplateView):
    """All works, or (in subclasses) a tag's or a creator's, filtered by the query string."""

    template_name = "discovery/work_list.html"

    def base_tag(self):
        return None

    def base_creator(self):
        return None

    def get_context_data(self, **kwargs):
        request = self.request
        base, creator = self.base_tag(), self.base_creator()
        work_filter = WorkFilter.from_query(request.GET)
        other_errors: list[str] = []
        other_include = _tags_named(request, request.GET.get("other_tags", ""), "include", other_errors)
        other_exclude = _tags_named(request, request.GET.get("other_exclude", ""), "exclude", other_errors)
        searched = work_filter.replace(
            include_tags=(*work_filter.include_tags, *other_include, *((base.pk,) if base else ())),
            exclude_tags=(*work_filter.exclude_tags, *other_exclude),
            creator_user_ids=(creator.pk,) if creator else (),
        )
        listing = works_listing(work_filter=searched, viewer=request.user, snippets=True, fresh=wrote_recently(request))
        result = listing.result
        works = _works_in_order(request.user, result)
        for work in works:
            work.search_snippet = listing.snippets.get(work.pk)
        show_all = request.GET.get("all_facets")
        facets = _facet_groups(request, result.facets, work_filter, show_all if show_all in TagType.values else None)
        if base:
            heading = f"Works in {base.name}"
        elif creator:
            heading = f"Works by {creator.username}"
        else:
            heading = "Works"
        # The first choice is the usual order (best match when searching, else date updated) and sends no
        # value, so a reader who types a search without touching the sort gets best match.
        default = work_filter.default_sort
        sorts = [("", SORT_LABELS[default])]
        sorts += [(value, label) for value, label in SORT_LABELS.items() if value not in (BEST_MATCH, default)]
        chosen_sort = "" if work_filter.sort == default else work_filter.sort
        return super().get_context_data(
            heading=heading,
            tag=base,
            creator=creator,
            works=works,
            result=result,
            work_filter=work_filter,
            query_string=request.GET.urlencode(),
            filter_errors=[*work_filter.errors, *other_errors],
            search_error=listing.search_error,
            other_tags=request.GET.get("other_tags", ""),
            other_exclude=request.GET.get("other_exclude", ""),
            facets=facets,
            sorts=sorts,
            chosen_sort=chosen_sort,
            languages=LANGUAGE_CHOICES,
            previous_query=_page_query(request, work_filter, result.page - 1) if result.page > 1 else None,
            next_query=_page_query(request, work_filter, result.page + 1) if result.page < result.page_count else None,
            first_shown=(result.page - 1) * result.page_size + 1,
            last_shown=(result.page - 1) * result.page_size + len(works),
            **kwargs,
        )


class TagWorksView(WorkListView):
    def base_tag(self):
        tags = visible_tags(self.request.user)
        return get_object_or_404(tags, key=name_key(tag_name_from_url(self.kwargs["name"])))


class CreatorWorksView(WorkListView):
    def base_creator(self):
        return get_object_or_404(get_user_model(), username__iexact=self.kwargs["username"], is_active=True)


def _page_query(request, work_filter: WorkFilter, page: int) -> str:
    """Another page of the same listing; the "other tags" typed by name ride along as typed."""
    query = work_filter.page_query(page)
    extra = request.GET.copy()
    for key in list(extra):
        if key not in ("other_tags", "other_exclude"):
            del extra[key]
    typed = extra.urlencode()
    return f"{query}&{typed}" if query and typed else query or typed


def _tags_named(request, value: str, verb: str, errors: list[str]) -> list[int]:
    """The filter tags of tags typed by name (comma-separated): a synonym filters as its canonical tag."""
    names = [name.strip() for name in value.split(",") if name.strip()][:MAX_TAGS_PER_FIELD]
    if not names:
        return []
    keys = {name_key(name): name for name in names}
    found = {
        key: (pk, merger)
        for key, pk, merger in visible_tags(request.user).filter(key__in=keys).values_list("key", "pk", "merger_id")
    }
    missing = [name for key, name in keys.items() if key not in found]
    if missing:
        listed = ", ".join(f"“{name}”" for name in missing)
        errors.append(f"No tag is called {listed}, so there was nothing to {verb} for it.")
    return [merger or pk for pk, merger in found.values()]


def _works_in_order(viewer, result) -> list:
    """The page's works in the index's order, each with its blurb's head from the cache when the index
    holds the same version of the work (see `BlurbHeads`), else made from its tags and creators, read with
    the works."""
    zone = timezone.get_current_timezone_name()  # the blurb's date is shown in the reader's zone
    keys = {work_id: (*version, zone) for work_id, version in zip(result.work_ids, result.versions, strict=True)}
    heads = {work_id: BLURB_HEADS.get(key) for work_id, key in keys.items()}
    rows = listed_work_rows(viewer).filter(pk__in=result.work_ids)
    if None in heads.values():
        rows = rows.annotate(**work_people_rows())
    # The index decided which works and in what order; the viewer's policy has the last word on each one.
    found = {work.pk: work for work in rows}
    works = [found[work_id] for work_id in result.work_ids if work_id in found]
    for work in works:
        work.blurb_head_html = heads[work.pk]
        if work.blurb_head_html is None:
            work.blurb_head_html = blurb_head(work, blurb_people(work))
            BLURB_HEADS.put(keys[work.pk], work.blurb_head_html)
    return works


class BlurbHeads:
    """Blurb heads (all but the snippet and the stats) by (index epoch, doc, time zone), at most `size` of
    them, least recently used out first; shared by this process's threads. Loading each work's tags and
    creators and writing its blurb was most of a listing page's cost; a doc is one version of one work, so
    an entry never goes stale."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            head = self._entries.get(key)
            if head is not None:
                self._entries.move_to_end(key)
            return head

    def put(self, key, head: str) -> None:
        with self._lock:
            self._entries[key] = head
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


BLURB_HEADS = BlurbHeads(size=20_000)


class FacetRow(NamedTuple):
    tag_id: int
    name: str
    count: int
    included: bool
    excluded: bool


def _facet_groups(request, facets, work_filter: WorkFilter, show_all: str | None = None) -> list[dict]:
    """For each tag type: its top tags with counts, the rest behind "show more" (all of them for the type
    named by `show_all`), and every selected tag with its count, wherever it ranks."""
    wanted: dict[str, list[tuple[int, int]]] = {}
    for tag_type in TagType.values:
        counts = facets.get(tag_type)
        if counts is None:
            wanted[tag_type] = []
        else:
            wanted[tag_type] = list(counts) if tag_type == show_all else list(counts[:FACETS_MORE])
    selected_ids = set(work_filter.include_tags) | set(work_filter.exclude_tags)
    for field in _FIXED_PARAMS.values():
        selected_ids |= set(getattr(work_filter, field))
    counted = {tag_id for counts in wanted.values() for tag_id, _count in counts}
    # Counted tags are on works the reader sees, and the index that counted them knows their names.
    tags = tag_labels(counted)
    # A tag the reader asked for by id is named only if they may know of it.
    asked = selected_ids - set(tags)
    if asked:
        found = visible_tags(request.user).filter(pk__in=asked).values_list("pk", "name", "type")
        tags |= {pk: (name, tag_type) for pk, name, tag_type in found}
    groups = []
    for tag_type, label in TagType.choices:
        param = _FIXED_PARAMS.get(tag_type)
        included = set(getattr(work_filter, param)) if param else set(work_filter.include_tags)
        rows = [
            FacetRow(tag_id, tags[tag_id][0], count, tag_id in included, tag_id in work_filter.exclude_tags)
            for tag_id, count in wanted[tag_type]
            if tag_id in tags
        ]
        shown_ids = {row.tag_id for row in rows}
        # A selected tag stays on the sidebar with its count, even when it ranks low or nothing matches it.
        all_counts = facets.get(tag_type)
        for tag_id in sorted(selected_ids - shown_ids):
            name, selected_type = tags.get(tag_id, (None, None))
            if selected_type == tag_type:
                count = all_counts.count_of(tag_id) if all_counts is not None else 0
                rows.append(FacetRow(tag_id, name, count, tag_id in included, tag_id in work_filter.exclude_tags))
        groups.append(
            {
                "type": tag_type,
                "label": label,
                "param": {TagType.RATING: "rating", TagType.WARNING: "warning", TagType.CATEGORY: "category"}.get(
                    tag_type, "tag"
                ),
                "top": rows[:FACETS_SHOWN],
                "more": rows[FACETS_SHOWN:],
                "total": len(facets.get(tag_type, []) or []),
                "all_shown": tag_type == show_all or len(facets.get(tag_type, []) or []) <= FACETS_MORE,
            }
        )
    return groups
