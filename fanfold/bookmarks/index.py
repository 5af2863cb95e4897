"""The in-process bookmark index: which bookmarks match a filter, in what order, with exact facet counts.

The design of the works' index (`discovery.index`), over bookmarks: bookmarks are numbered densely ("docs") in
the order they enter; a filter is set operations on roaring bitmaps of docs; a sort is a precomputed
permutation of docs; facet counts come from forward indexes counted with `np.bincount`, and from bitmaps for the
few heavy bookmarker's tags. A *term* is a filter tag of the bookmarked work (`2 * tag id`) or of the
bookmarker's own tags (`2 * tag id + 1`).

Many bookmarks share a work, so the work's terms are held once per *target*: the bookmarks of one work read
together share one target (the work's terms), any other bookmark has a target of its own. Counting a set of
bookmarks counts each target's terms once, weighted by how many of the set's bookmarks have it, plus each
bookmark's own light terms: exact, and a fraction of the postings of counting every bookmark's terms.

A bookmark of a series is found under the tags of the series' works that everyone who sees the bookmark may
see: those open to guests when the series has one (a guest then sees the bookmark), else those of its posted,
unhidden works (signed-in readers only see it). So no facet or filter tells a guest what a restricted work is
tagged, and no one learns the tags of a draft or hidden work. Which viewers see a series bookmark is the policy's
"series listed" rule, rendered over `bookmarks.series_works` for viewers with mutes or excluded tags.

Each doc also carries what the viewer's policy needs (`works.visibility.ViewerPolicy.bookmark_listed_docs`):
private or not, whether the work is open to guests, to members only, or to no one but the bookmark's owner
(a draft, hidden or deleted work: its tags and creators are then not indexed at all), the bookmarker, and the
work's creators. A changed bookmark, or any bookmark of a changed work (or of a series it is in), is tombstoned
and appended again; once tombstones pile up, a compact index is built in a background thread and takes its place
(as the works' index does), so no request waits for it.
"""

import bisect
import dataclasses
import datetime as dt
import threading
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db.models import Q
from pyroaring import BitMap

from fanfold.bookmarks.changelog import bookmark_change_reader, prune_bookmark_changes
from fanfold.bookmarks.models import Bookmark, ExternalWork
from fanfold.bookmarks.query import BOOKMARK_SORTS, BookmarkFilter
from fanfold.bookmarks.series_works import SeriesWorkRow, SeriesWorks
from fanfold.discovery.arrays import bitmap_of, chunks, docs_of, first_in_order, grouped, offsets
from fanfold.discovery.changelog import COUNTS, ChangeReader
from fanfold.discovery.index import FACET_TYPES, MISSING_TIME, FacetCounts, TagRows, time_number
from fanfold.discovery.process_index import ProcessIndex
from fanfold.series.models import SeriesWork
from fanfold.tags.models import Tag
from fanfold.tags.services import filter_tag_ids
from fanfold.works.models import Creatorship, Work

if TYPE_CHECKING:
    from fanfold.works.visibility import ViewerPolicy

# Facet key of the bookmarker's own tags; the work's tags are keyed by their tag type.
BOOKMARKER_TAGS = "bookmarker"
FACET_KEYS = (*FACET_TYPES, BOOKMARKER_TAGS)
_KIND_NUMBER = {key: number for number, key in enumerate(FACET_KEYS)}

# Where a bookmarked work may be seen: by everyone (and every external work), by signed-in readers only, or
# by nobody but the bookmark's owner (a draft, a hidden or a deleted work). A series: where its most open work
# may be seen.
OPEN, MEMBERS, UNAVAILABLE = 0, 1, 2

# Facet ranking packs (kind, count, tag id) into one int64: counts up to 2**26 - 1, tag ids below 2**32.
_MAX_COUNT = 2**26 - 1
_COUNT_BITS = 2**26 - 1
_LOW_BITS = 2**32 - 1

HEAVY_SHARE = 1 / 200
HEAVY_TERMS = 1024
_SQL_CHUNK = 500
CATCH_UP_BATCH = 5_000
COMPACT_MIN_TOMBSTONES = 20_000
COMPACT_SHARE = 0.25
# Viewers with standing exclusions whose facet reference counts are kept (see `BookmarkIndex._reference`).
REFERENCE_CACHE = 16


def work_term(tag_id: int) -> int:
    return 2 * tag_id


def bookmarker_term(tag_id: int) -> int:
    return 2 * tag_id + 1


@dataclasses.dataclass
class BookmarkRows:
    """Listing data of a batch of bookmarks, one entry per bookmark in each column; `creator_*` (the work's
    creators, by user id) and `term_*` are CSR arrays as in `discovery.index.WorkRows`."""

    bookmark_ids: np.ndarray  # int64
    user_ids: np.ndarray  # int64, the bookmarker
    work_ids: np.ndarray  # int64, 0 for an external or deleted work
    private: np.ndarray  # bool
    rec: np.ndarray  # bool
    has_notes: np.ndarray  # bool
    state: np.ndarray  # int8: OPEN, MEMBERS or UNAVAILABLE
    created_at: np.ndarray  # int64, see time_number
    work_revised_at: np.ndarray  # int64
    creator_offsets: np.ndarray
    creator_user_ids: np.ndarray
    term_offsets: np.ndarray
    term_ids: np.ndarray
    series_ids: np.ndarray | None = None  # int64, 0 for a bookmark of no series; None: no series bookmarks
    # Each bookmarked series' posted, unhidden works (see `bookmarks.series_works`).
    series_works: dict[int, list[SeriesWorkRow]] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.bookmark_ids)


@dataclasses.dataclass
class BookmarkResult:
    bookmark_ids: list[int]  # the page, in order
    total: int
    facets: dict[str, FacetCounts]  # FACET_KEYS -> (tag id, count) pairs, most used first
    page: int = 1
    page_size: int = 20

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


class _DocGroups:
    """Docs by a key (a user, a work, a term): CSR arrays for the docs of a new index, bitmaps for docs added
    since. Most keys have few docs, too few to be worth a bitmap each."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.int64)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._docs = np.zeros(0, dtype=np.int32)
        self._later: dict[int, BitMap] = {}

    def pack(self, keys: np.ndarray, docs: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._keys, counts = np.unique(keys[order], return_counts=True)
        self._offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._docs = docs[order].astype(np.int32)

    def add(self, keys: np.ndarray, docs: np.ndarray) -> None:
        for key, found in grouped(keys, docs):
            self._later.setdefault(key, BitMap()).update(bitmap_of(found))

    def get(self, key: int) -> BitMap:
        docs = BitMap()
        place = int(np.searchsorted(self._keys, key))
        if place < len(self._keys) and self._keys[place] == key:
            docs = bitmap_of(self._docs[self._offsets[place] : self._offsets[place + 1]])
        later = self._later.get(key)
        return docs | later if later is not None else docs

    def union(self, keys: Iterable[int]) -> BitMap:
        return BitMap.union(BitMap(), *(self.get(int(key)) for key in keys))

    def nbytes(self) -> int:
        later = sum(len(bitmap.serialize()) for bitmap in self._later.values())
        return self._keys.nbytes + self._offsets.nbytes + self._docs.nbytes + later


class BookmarkIndex:
    """Every bookmark, ready to filter, sort, count and page through for any viewer's policy.

    Safe to share between threads: searches and updates take turns.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._bookmark_ids = np.zeros(0, dtype=np.int64)
        self._doc_of = np.full(1, -1, dtype=np.int32)  # bookmark id -> its newest doc
        self._columns = {name: np.zeros(0, dtype=np.int64) for name in BOOKMARK_SORTS}
        self._live = BitMap()
        # Live, not private, and the work open to guests (False) or to signed-in readers (True): every
        # bookmark a viewer with no standing exclusions sees, bar their own.
        self._base = {False: BitMap(), True: BitMap()}
        self._rec = BitMap()
        self._notes = BitMap()
        self._users = _DocGroups()  # by bookmarker
        self._creators = _DocGroups()  # by the work's creators
        self._works = _DocGroups()  # by work id
        self._series = _DocGroups()  # by series id
        self._series_docs = BitMap()  # every bookmark of a series, tombstones too
        self.series_works = SeriesWorks()
        # Terms are numbered densely; "term number" below is that number.
        self._term_ids = np.zeros(0, dtype=np.int64)
        self._term_kinds = np.zeros(0, dtype=np.int8)  # index into FACET_KEYS
        self._term_number = np.full(1, -1, dtype=np.int64)  # term -> number
        self._tag_names: dict[int, str] = {}
        self._heavy = np.zeros(0, dtype=bool)
        self._heavy_docs: dict[int, BitMap] = {}
        self._bitmap_counted: list[int] = []  # term numbers counted from their bitmaps: heavy bookmarker's tags
        self._light = _DocGroups()  # light term number -> docs
        self._fwd_offsets = np.zeros(1, dtype=np.int64)  # per doc its light bookmarker's tags
        self._fwd_terms = np.zeros(0, dtype=np.int32)
        self._doc_target = np.zeros(0, dtype=np.int32)  # doc -> its target, -1 for none (no work terms)
        self._target_offsets = np.zeros(1, dtype=np.int64)  # per target its work terms, heavy and light
        self._target_terms = np.zeros(0, dtype=np.int32)
        self._base_counts = {False: np.zeros(0, dtype=np.int64), True: np.zeros(0, dtype=np.int64)}
        # Per sort: docs by (key, bookmark id), ascending; "desc" walks it backwards.
        self._orders: dict[str, np.ndarray] = {}
        self._version = 0  # moves on every change, for what is cached until then
        self._heavy_cache: dict[bool, tuple[int, np.ndarray]] = {}
        self._reference_cache: dict = {}  # (policy, version) -> see `_reference`; oldest first
        self._bookmark_changes = bookmark_change_reader()
        self._work_changes = ChangeReader()

    # Building ----------------------------------------------------------------------------------------

    @classmethod
    def build(cls) -> "BookmarkIndex":
        """An index of every bookmark, read from the database."""
        index = cls()
        index._bookmark_changes.start()
        index._work_changes.start()
        rows, tags = read_bookmark_rows(None)
        index._add(rows, tags, first=True)
        index._sort_all()
        return index

    @classmethod
    def from_arrays(cls, rows: BookmarkRows, tags: TagRows) -> "BookmarkIndex":
        """An index of `rows`, the structure `build()` makes; for benchmarks and tools."""
        index = cls()
        index._add(rows, tags, first=True)
        index._sort_all()
        return index

    def __len__(self) -> int:
        return len(self._live)

    @property
    def tombstones(self) -> int:
        return len(self._bookmark_ids) - len(self._live)

    def wants_compacting(self) -> bool:
        return self.tombstones >= max(COMPACT_MIN_TOMBSTONES, COMPACT_SHARE * len(self._bookmark_ids))

    def _add(self, rows: BookmarkRows, tags: TagRows, *, first: bool = False) -> np.ndarray:
        self._version += 1
        start = len(self._bookmark_ids)
        count = len(rows)
        docs = np.arange(start, start + count, dtype=np.int64)
        ids = np.asarray(rows.bookmark_ids, dtype=np.int64)
        self._bookmark_ids = np.concatenate((self._bookmark_ids, ids))
        if len(ids) and ids.max() >= len(self._doc_of):
            grown = np.full(int(ids.max()) * 5 // 4 + 1, -1, dtype=np.int32)
            grown[: len(self._doc_of)] = self._doc_of
            self._doc_of = grown
        self._doc_of[ids] = docs
        self._columns["created_at"] = np.concatenate((self._columns["created_at"], rows.created_at))
        self._columns["work_revised_at"] = np.concatenate((self._columns["work_revised_at"], rows.work_revised_at))

        state = np.asarray(rows.state, dtype=np.int8)
        shared = ~np.asarray(rows.private, dtype=bool)
        in_base = {False: shared & (state == OPEN), True: shared & (state <= MEMBERS)}
        self._live.add_range(start, start + count)
        for signed_in, where in in_base.items():
            self._base[signed_in].update(bitmap_of(docs[where]))
        self._rec.update(bitmap_of(docs[np.asarray(rows.rec, dtype=bool)]))
        self._notes.update(bitmap_of(docs[np.asarray(rows.has_notes, dtype=bool)]))

        users = np.asarray(rows.user_ids, dtype=np.int64)
        works = np.asarray(rows.work_ids, dtype=np.int64)
        creator_docs = np.repeat(docs, np.diff(np.asarray(rows.creator_offsets, dtype=np.int64)))
        creators = np.asarray(rows.creator_user_ids, dtype=np.int64)
        with_work = works > 0
        series = np.zeros(count, dtype=np.int64) if rows.series_ids is None else np.asarray(rows.series_ids)
        with_series = series > 0
        self._series_docs.update(bitmap_of(docs[with_series]))
        for series_id, series_rows in rows.series_works.items():
            self.series_works.replace(series_id, series_rows)
        if first:
            self._users.pack(users, docs)
            self._creators.pack(creators, creator_docs)
            self._works.pack(works[with_work], docs[with_work])
            self._series.pack(series[with_series], docs[with_series])
        else:
            self._users.add(users, docs)
            self._creators.add(creators, creator_docs)
            self._works.add(works[with_work], docs[with_work])
            self._series.add(series[with_series], docs[with_series])

        self._add_terms(tags, np.asarray(rows.term_ids, dtype=np.int64))
        terms = np.asarray(rows.term_ids, dtype=np.int64)
        numbers = self._term_number[terms] if len(terms) else np.zeros(0, dtype=np.int64)
        lengths = np.diff(np.asarray(rows.term_offsets, dtype=np.int64))
        posting_docs = np.repeat(docs, lengths)
        total = len(self._term_ids)
        if first:
            frequency = np.bincount(numbers, minlength=total)
            candidates = np.flatnonzero(frequency >= max(64, count * HEAVY_SHARE))
            heavy = candidates[np.argsort(-frequency[candidates], kind="stable")[:HEAVY_TERMS]]
            self._heavy[heavy] = True
            self._bitmap_counted = sorted(number for number in heavy.tolist() if self._term_ids[number] % 2)
        light = ~self._heavy[numbers]
        for number, found in grouped(numbers[~light], posting_docs[~light]):
            self._heavy_docs.setdefault(number, BitMap()).update(bitmap_of(found))
        if first:
            self._light.pack(numbers[light], posting_docs[light])
        else:
            self._light.add(numbers[light], posting_docs[light])
        own = (terms % 2) == 1
        in_fwd = own & light
        self._fwd_terms = np.concatenate((self._fwd_terms, numbers[in_fwd].astype(np.int32)))
        ends = int(self._fwd_offsets[-1]) + np.cumsum(np.bincount(posting_docs[in_fwd] - start, minlength=count))
        self._fwd_offsets = np.concatenate((self._fwd_offsets, ends.astype(np.int64)))
        self._add_targets(works, posting_docs[~own] - start, numbers[~own])
        for signed_in, where in in_base.items():
            counted = np.repeat(where, lengths) & (in_fwd | ~own)
            self._base_counts[signed_in] += np.bincount(numbers[counted], minlength=total)
        if first:
            for bitmap in (self._live, self._rec, self._notes, *self._base.values(), *self._heavy_docs.values()):
                bitmap.run_optimize()
                bitmap.shrink_to_fit()
        return docs

    def _add_targets(self, works: np.ndarray, posting_docs: np.ndarray, numbers: np.ndarray) -> None:
        """Targets for a batch of docs (`works` per doc; their work terms' `numbers` by doc, `posting_docs`
        counted from the batch's first doc): one per work among the docs, one per other doc with work terms."""
        count = len(works)
        lengths = np.bincount(posting_docs, minlength=count) if count else np.zeros(0, dtype=np.int64)
        keyed = np.flatnonzero((works > 0) & (lengths > 0))
        solo = np.flatnonzero((works <= 0) & (lengths > 0))
        _ids, first, inverse = np.unique(works[keyed], return_index=True, return_inverse=True)
        chosen = np.concatenate((keyed[first], solo))  # each target's doc to read its terms from
        target_of = np.full(count, -1, dtype=np.int64)
        known = len(self._target_offsets) - 1
        target_of[keyed] = known + inverse.reshape(-1)
        target_of[solo] = known + len(first) + np.arange(len(solo))
        self._doc_target = np.concatenate((self._doc_target, target_of.astype(np.int32)))
        found, found_lengths = _gather(np.concatenate(([0], np.cumsum(lengths))), numbers, chosen)
        self._target_terms = np.concatenate((self._target_terms, found.astype(np.int32)))
        ends = int(self._target_offsets[-1]) + np.cumsum(found_lengths)
        self._target_offsets = np.concatenate((self._target_offsets, ends.astype(np.int64)))

    def _doc_terms(self, doc: int) -> np.ndarray:
        """A doc's term numbers the forward indexes hold: its light bookmarker's tags, its target's terms."""
        own = self._fwd_terms[self._fwd_offsets[doc] : self._fwd_offsets[doc + 1]]
        target = int(self._doc_target[doc])
        if target < 0:
            return own
        return np.concatenate(
            (own, self._target_terms[self._target_offsets[target] : self._target_offsets[target + 1]])
        )

    def _add_terms(self, tags: TagRows, terms: np.ndarray) -> None:
        kinds = {}
        for tag_id, tag_type, name in zip(np.asarray(tags.ids).tolist(), tags.types, tags.names, strict=True):
            self._tag_names[tag_id] = name
            kinds[tag_id] = _KIND_NUMBER[tag_type]
        wanted = np.unique(terms)
        if len(wanted) and wanted.max() >= len(self._term_number):
            grown = np.full(int(wanted.max()) * 5 // 4 + 2, -1, dtype=np.int64)
            grown[: len(self._term_number)] = self._term_number
            self._term_number = grown
        new = wanted[self._term_number[wanted] < 0] if len(wanted) else wanted
        if not len(new):
            return
        missing = [term // 2 for term in new.tolist() if term % 2 == 0 and term // 2 not in kinds]
        if missing:
            raise ValueError("a bookmark has a work tag missing from the tag rows")
        first = len(self._term_ids)
        self._term_number[new] = np.arange(first, first + len(new))
        self._term_ids = np.concatenate((self._term_ids, new))
        new_kinds = [kinds[term // 2] if term % 2 == 0 else _KIND_NUMBER[BOOKMARKER_TAGS] for term in new.tolist()]
        self._term_kinds = np.concatenate((self._term_kinds, np.asarray(new_kinds, dtype=np.int8)))
        self._heavy = np.concatenate((self._heavy, np.zeros(len(new), dtype=bool)))
        for signed_in in self._base_counts:
            self._base_counts[signed_in] = np.concatenate(
                (self._base_counts[signed_in], np.zeros(len(new), dtype=np.int64))
            )

    def _sort_key(self, sort: str):
        column, ids = self._columns[sort], self._bookmark_ids
        return lambda doc: (int(column[doc]), int(ids[doc]))

    def _sort_all(self) -> None:
        for sort in BOOKMARK_SORTS:
            self._orders[sort] = np.lexsort((self._bookmark_ids, self._columns[sort])).astype(np.int32)

    def _insert_sorted(self, docs: np.ndarray) -> None:
        for sort, order in list(self._orders.items()):
            key = self._sort_key(sort)
            new = sorted(docs.tolist(), key=key)
            places = [bisect.bisect_left(order, key(doc), key=key) for doc in new]
            self._orders[sort] = np.insert(order, places, np.asarray(new, dtype=np.int32))

    def _tombstone(self, docs: np.ndarray) -> None:
        if not len(docs):
            return
        self._version += 1
        gone = bitmap_of(docs)
        self._live.difference_update(gone)
        for signed_in, base in self._base.items():
            counted = gone & base
            base.difference_update(gone)
            for doc in counted:
                self._base_counts[signed_in][self._doc_terms(doc)] -= 1

    # Keeping current ---------------------------------------------------------------------------------

    def refresh_bookmarks(self, bookmark_ids: Iterable[int]) -> None:
        """Re-read these bookmarks; deleted ones leave the index."""
        ids = sorted({int(bookmark_id) for bookmark_id in bookmark_ids})
        if not ids:
            return
        rows, tags = read_bookmark_rows(ids)
        with self._lock:
            known = np.asarray([i for i in ids if i < len(self._doc_of)], dtype=np.int64)
            old = self._doc_of[known] if len(known) else np.zeros(0, dtype=np.int64)
            old = np.asarray([doc for doc in old.tolist() if doc >= 0 and doc in self._live], dtype=np.int64)
            self._tombstone(old)
            if len(rows):
                self._insert_sorted(self._add(rows, tags))

    def catch_up(self) -> int:
        """Apply the change logs' new notes: changed bookmarks, and every bookmark of a changed work or of a series
        it is in."""
        changed = {change.work_id for change in self._bookmark_changes.read()}
        works = sorted({change.work_id for change in self._work_changes.read() if change.kind != COUNTS})
        for chunk in chunks(works, _SQL_CHUNK):
            series = SeriesWork.objects.filter(work_id__in=chunk).values("series_id")
            of_work = Bookmark.objects.filter(Q(work_id__in=chunk) | Q(series_id__in=series))
            changed.update(of_work.values_list("id", flat=True))
        for batch in chunks(sorted(changed), CATCH_UP_BATCH):
            self.refresh_bookmarks(batch)
        return len(changed)

    # What a viewer's policy is made of (see `ViewerPolicy.bookmark_listed_docs`) -----------------------

    def shared_docs(self, *, restricted: bool) -> BitMap:
        """Bookmarks that are not private, of works open to guests (or, `restricted`, to signed-in readers)
        and of external works."""
        return self._base[restricted].copy()

    def bookmarker_docs(self, user_ids) -> BitMap:
        return self._users.union(user_ids) & self._live

    def work_creator_docs(self, user_ids) -> BitMap:
        return self._creators.union(user_ids)

    def work_tag_docs(self, tag_ids) -> BitMap:
        """Bookmarks of works and external works found under any of these filter tags (not of series: see
        `series_docs`)."""
        return self._any_of([work_term(int(tag_id)) for tag_id in tag_ids]) - self._series_docs

    def series_docs(self, rows: BitMap | None = None) -> BitMap:
        """Bookmarks of series; given rows of `series_works`, only those of the series these rows are works of."""
        if rows is None:
            return self._series_docs & self._live
        return self._series.union(sorted(self.series_works.series_of(rows))) & self._live

    # Searching ---------------------------------------------------------------------------------------

    def search(
        self,
        bookmark_filter: BookmarkFilter,
        *,
        policy: "ViewerPolicy",
        page_size: int = 20,
        facets: bool = True,
        facet_limit: int | None = None,
    ) -> BookmarkResult:
        """One page of the bookmarks the viewer's `policy` lists that match `bookmark_filter`, their exact
        total, and (unless `facets` is false) the exact count of them under each term, by facet key."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        with self._lock:
            universe = policy.bookmark_listed_docs(self)
            matched = self._match(bookmark_filter, universe)
            start = (bookmark_filter.page - 1) * page_size
            docs = self._page(matched, bookmark_filter.sort, bookmark_filter.direction == "desc", start, page_size)
            counts = self._facets(matched, self._reference(policy, universe), facet_limit) if facets else {}
            return BookmarkResult(
                bookmark_ids=self._bookmark_ids[docs].tolist(),
                total=len(matched),
                facets=counts,
                page=bookmark_filter.page,
                page_size=page_size,
            )

    def tag_names(self, tag_ids) -> dict[int, str]:
        """Names of the tags among `tag_ids` this index has read."""
        with self._lock:
            return {int(tag_id): self._tag_names[int(tag_id)] for tag_id in tag_ids if int(tag_id) in self._tag_names}

    def _term_bitmap(self, term: int) -> BitMap | None:
        if not 0 <= term < len(self._term_number):
            return None
        number = int(self._term_number[term])
        if number < 0:
            return None
        heavy = self._heavy_docs.get(number)
        return heavy if heavy is not None else self._light.get(number)

    def _any_of(self, terms: Iterable[int]) -> BitMap:
        return BitMap.union(BitMap(), *(bitmap for term in terms if (bitmap := self._term_bitmap(term)) is not None))

    def _match(self, f: BookmarkFilter, universe: BitMap) -> BitMap:
        required: list[BitMap] = []
        for term in [*map(work_term, f.include_tags), *map(bookmarker_term, f.bookmark_tags)]:
            bitmap = self._term_bitmap(term)
            if bitmap is None:
                return BitMap()
            required.append(bitmap)
        for group in (f.ratings, f.warnings, f.categories):
            if group:
                required.append(self._any_of(map(work_term, group)))
        for tag_id in f.any_tags:
            required.append(self._any_of((work_term(tag_id), bookmarker_term(tag_id))))
        if f.user_ids:
            required.append(self._users.union(f.user_ids))
        if f.work_id is not None:
            required.append(self._works.get(f.work_id))
        if f.series_id is not None:
            required.append(self._series.get(f.series_id))
        if f.rec_only:
            required.append(self._rec)
        if f.with_notes:
            required.append(self._notes)
        required.sort(key=len)
        matched = required[0] & universe if required else universe.copy()
        for bitmap in required[1:]:
            if not matched:
                break
            matched &= bitmap
        excluded = [*map(work_term, f.exclude_tags), *map(bookmarker_term, f.exclude_bookmark_tags)]
        if excluded:
            matched.difference_update(self._any_of(excluded))
        if f.bookmarked_from is not None or f.bookmarked_to is not None:
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            low, high = MISSING_TIME + 1, -MISSING_TIME
            if f.bookmarked_from is not None:
                low = time_number(dt.datetime.combine(f.bookmarked_from, dt.time.min, tzinfo=zone))
            if f.bookmarked_to is not None:
                next_day = f.bookmarked_to + dt.timedelta(days=1)
                high = time_number(dt.datetime.combine(next_day, dt.time.min, tzinfo=zone)) - 1
            matched = self._within(matched, "created_at", low, high)
        return matched

    def _within(self, matched: BitMap, column: str, low: int, high: int) -> BitMap:
        values = self._columns[column]
        order = self._orders.get(column)
        if len(matched) >= 4096 and order is not None:
            start = bisect.bisect_left(order, low, key=lambda doc: int(values[doc]))
            end = bisect.bisect_right(order, high, key=lambda doc: int(values[doc]))
            if end - start < len(matched):
                return matched & bitmap_of(np.sort(order[start:end]))
        docs = docs_of(matched)
        found = values[docs]
        return bitmap_of(docs[(found >= low) & (found <= high)])

    def _page(self, matched: BitMap, sort: str, descending: bool, start: int, size: int) -> np.ndarray:
        matched_count = len(matched)
        end = start + size
        if start >= matched_count:
            return np.zeros(0, dtype=np.int64)
        doc_count = max(len(self._bookmark_ids), 1)
        # As in the works' index: walk the sort order while the matched set is dense, else sort it.
        if matched_count * matched_count > 5 * end * doc_count:
            order = self._orders[sort]
            if descending:
                order = order[::-1]
            found = first_in_order(order, matched, end, doc_count)
            return np.asarray(found[start:end], dtype=np.int64)
        docs = docs_of(matched)
        keys = self._columns[sort][docs]
        ids = self._bookmark_ids[docs]
        ranked = np.lexsort((-ids, -keys)) if descending else np.lexsort((ids, keys))
        return docs[ranked[start:end]]

    # Facets ------------------------------------------------------------------------------------------

    def _count_terms(self, docs: BitMap) -> np.ndarray:
        """How many of `docs` have each term the forward indexes hold (all but `_bitmap_counted`)."""
        numbers = docs_of(docs)
        terms = len(self._term_ids)
        counts = np.bincount(_gather(self._fwd_offsets, self._fwd_terms, numbers)[0], minlength=terms)
        targets = self._doc_target[numbers]
        targets = targets[targets >= 0]
        if len(targets):
            weights = np.bincount(targets)
            present = np.flatnonzero(weights)
            postings, lengths = _gather(self._target_offsets, self._target_terms, present)
            counted = np.bincount(postings, weights=np.repeat(weights[present], lengths), minlength=terms)
            counts += np.rint(counted).astype(np.int64)
        return counts

    def _heavy_base_counts(self, signed_in: bool) -> np.ndarray:
        """Each heavy term's count over the base (see `_base`), kept until the index next changes."""
        cached = self._heavy_cache.get(signed_in)
        if cached is None or cached[0] != self._version:
            base = self._base[signed_in]
            counts = [self._heavy_docs[n].intersection_cardinality(base) for n in self._bitmap_counted]
            cached = self._heavy_cache[signed_in] = (self._version, np.asarray(counts, dtype=np.int64))
        return cached[1]

    def _reference(self, policy: "ViewerPolicy", universe: BitMap) -> tuple[BitMap, np.ndarray, np.ndarray]:
        """A set of docs near what the viewer sees, with its light and heavy terms' counts: the base, or for a
        viewer with standing exclusions the base less what they leave out, counted once per index version and
        kept for the next searches of the same viewer."""
        signed_in = policy.signed_in
        base, light, heavy = self._base[signed_in], self._base_counts[signed_in], self._heavy_base_counts(signed_in)
        if not policy.has_standing_exclusions:
            return base, light, heavy
        key = (policy, self._version)
        found = self._reference_cache.get(key)
        if found is None:
            lacking = base - universe
            reference = base - lacking
            light = light - self._count_terms(lacking)
            heavy = heavy - np.asarray(
                [self._heavy_docs[n].intersection_cardinality(lacking) for n in self._bitmap_counted], dtype=np.int64
            )
            found = self._reference_cache[key] = (reference, light, heavy)
            while len(self._reference_cache) > REFERENCE_CACHE:
                self._reference_cache.pop(next(iter(self._reference_cache)))
        return found

    def _facets(self, matched: BitMap, reference, limit: int | None) -> dict[str, FacetCounts]:
        base, base_light, base_heavy = reference
        heavy = [self._heavy_docs[number] for number in self._bitmap_counted]
        if 2 * len(matched) > len(base):
            # Most of the reference matched: count what it lacks, and add the few matched docs outside it (the
            # viewer's own private bookmarks and bookmarks of works only they may see). Heavy terms too.
            lacking, outside = base - matched, matched - base
            counts = base_light - self._count_terms(lacking)
            if outside:
                counts = counts + self._count_terms(outside)
            if heavy:
                counts[self._bitmap_counted] = (
                    base_heavy
                    - np.asarray([docs.intersection_cardinality(lacking) for docs in heavy])
                    + np.asarray([docs.intersection_cardinality(outside) for docs in heavy])
                )
        else:
            counts = self._count_terms(matched)
            if heavy:
                counts[self._bitmap_counted] = [docs.intersection_cardinality(matched) for docs in heavy]
        present = np.flatnonzero(counts > 0)
        found = np.minimum(counts[present], _MAX_COUNT)
        kinds = self._term_kinds[present].astype(np.int64)
        if limit is not None:
            # Only each kind's `limit` most used terms need ranking (ties at the cut kept, ranked below).
            keep = np.zeros(len(present), dtype=bool)
            for number in range(len(FACET_KEYS)):
                of_kind = np.flatnonzero(kinds == number)
                if len(of_kind) > limit:
                    cut = np.partition(found[of_kind], len(of_kind) - limit)[len(of_kind) - limit]
                    of_kind = of_kind[found[of_kind] >= cut]
                keep[of_kind] = True
            present, found, kinds = present[keep], found[keep], kinds[keep]
        # One sortable number per counted term: its kind, then most used, then tag id. Sorting plain numbers
        # is several times faster than sorting by three keys, and the facets are read back from them.
        keys = (kinds << 58) | ((_MAX_COUNT - found) << 32) | (self._term_ids[present] // 2)
        keys.sort()
        bounds = np.searchsorted(keys >> 58, np.arange(len(FACET_KEYS) + 1))
        facets = {}
        for number, key in enumerate(FACET_KEYS):
            start, end = int(bounds[number]), int(bounds[number + 1])
            if limit is not None:
                end = min(end, start + limit)
            chosen = keys[start:end]
            facets[key] = FacetCounts(chosen & _LOW_BITS, _MAX_COUNT - ((chosen >> 32) & _COUNT_BITS))
        return facets

    # Measuring ---------------------------------------------------------------------------------------

    def nbytes(self) -> int:
        arrays = [self._bookmark_ids, self._doc_of, self._term_ids, self._term_kinds, self._term_number]
        arrays += [self._heavy, self._fwd_offsets, self._fwd_terms, *self._columns.values(), *self._orders.values()]
        arrays += [self._doc_target, self._target_offsets, self._target_terms]
        arrays += list(self._base_counts.values())
        bitmaps = [self._live, self._rec, self._notes, *self._base.values(), *self._heavy_docs.values()]
        groups = (self._users, self._creators, self._works, self._series, self._light)
        return (
            sum(item.nbytes for item in arrays)
            + sum(len(bitmap.serialize()) for bitmap in bitmaps)
            + sum(group.nbytes() for group in groups)
        )


def _gather(offsets: np.ndarray, values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR rows `rows` of (`offsets`, `values`), concatenated, and each one's length."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    total = int(lengths.sum())
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return values[np.arange(total, dtype=np.int64) + shift], lengths


def read_bookmark_rows(bookmark_ids: list[int] | None) -> tuple[BookmarkRows, TagRows]:
    """Listing data of these bookmarks (or of every bookmark), read in a few queries per chunk."""
    fields = ("id", "user_id", "work_id", "external_work_id", "private", "rec", "notes", "created_at", "series_id")
    if bookmark_ids is None:
        found = list(Bookmark.objects.order_by("id").values_list(*fields).iterator(chunk_size=20_000))
    else:
        found = [
            row
            for chunk in chunks(bookmark_ids, _SQL_CHUNK)
            for row in Bookmark.objects.filter(id__in=chunk).order_by("id").values_list(*fields)
        ]
    series_ids = sorted({row[8] for row in found if row[8]})
    series_parts: dict[int, list[int]] = {}
    for chunk in chunks(series_ids, _SQL_CHUNK):
        for series_id, work_id in SeriesWork.objects.filter(series_id__in=chunk).values_list("series_id", "work_id"):
            series_parts.setdefault(series_id, []).append(work_id)
    work_ids = sorted({row[2] for row in found if row[2]} | {w for parts in series_parts.values() for w in parts})
    external_ids = sorted({row[3] for row in found if row[3]})
    works = {
        work_id: (posted and not hidden, restricted, revised_at)
        for chunk in chunks(work_ids, _SQL_CHUNK)
        for work_id, posted, hidden, restricted, revised_at in Work.objects.filter(id__in=chunk).values_list(
            "id", "posted", "hidden", "restricted", "revised_at"
        )
    }
    listable = [work_id for work_id, (listed, _r, _t) in works.items() if listed]
    externals = {
        pk: created
        for chunk in chunks(external_ids, _SQL_CHUNK)
        for pk, created in ExternalWork.objects.filter(id__in=chunk).values_list("id", "created_at")
    }
    creators: dict[int, list[int]] = {}
    for chunk in chunks(listable, _SQL_CHUNK):
        for work_id, user_id in Creatorship.objects.filter(work_id__in=chunk).values_list("work_id", "pseud__user_id"):
            creators.setdefault(work_id, []).append(user_id)
    work_tags = _pairs(Work.tags.through, "work_id", listable)
    external_tags = _pairs(ExternalWork.tags.through, "externalwork_id", external_ids)
    own_ids = [row[0] for row in found]
    bookmark_tags = _pairs(Bookmark.tags.through, "bookmark_id", own_ids)
    every_tag = {
        tag for tags in (*work_tags.values(), *external_tags.values(), *bookmark_tags.values()) for tag in tags
    }
    mapping = filter_tag_ids(every_tag)

    def filtered(tags: Iterable[int]) -> set[int]:
        return {target for tag in tags for target in mapping.get(tag, {tag})}

    def work_filter_tags(work_id: int) -> set[int]:
        return filtered(work_tags.get(work_id, ()))

    series_works = {
        series_id: [
            SeriesWorkRow(works[w][1], tuple(sorted(set(creators.get(w, ())))), tuple(sorted(work_filter_tags(w))))
            for w in parts
            if works.get(w, (False,))[0]
        ]
        for series_id, parts in series_parts.items()
    }
    columns: dict[str, list] = {name: [] for name in ("state", "revised", "creators", "terms")}
    for bookmark_id, _user, work_id, external_id, _private, _rec, _notes, created, series_id in found:
        listed_parts = [w for w in series_parts.get(series_id, ()) if works.get(w, (False,))[0]]
        if work_id and works.get(work_id, (False,))[0]:
            _listed, restricted, revised = works[work_id]
            columns["state"].append(MEMBERS if restricted else OPEN)
            columns["revised"].append(time_number(revised))
            columns["creators"].append(sorted(set(creators.get(work_id, ()))))
            own = {work_term(tag) for tag in filtered(work_tags.get(work_id, ()))}
        elif external_id:
            columns["state"].append(OPEN)
            columns["revised"].append(time_number(externals.get(external_id, created)))
            columns["creators"].append([])
            own = {work_term(tag) for tag in filtered(external_tags.get(external_id, ()))}
        elif listed_parts:
            # What everyone who sees the bookmark may see: the works open to guests, if any (see above).
            open_parts = [w for w in listed_parts if not works[w][1]]
            shown = open_parts or listed_parts
            columns["state"].append(OPEN if open_parts else MEMBERS)
            columns["revised"].append(max(time_number(works[w][2]) for w in shown))
            columns["creators"].append([])
            own = {work_term(tag) for w in shown for tag in work_filter_tags(w)}
        else:
            columns["state"].append(UNAVAILABLE)
            columns["revised"].append(MISSING_TIME)
            columns["creators"].append([])
            own = set()
        own |= {bookmarker_term(tag) for tag in filtered(bookmark_tags.get(bookmark_id, ()))}
        columns["terms"].append(sorted(own))
    rows = BookmarkRows(
        bookmark_ids=np.asarray([row[0] for row in found], dtype=np.int64),
        user_ids=np.asarray([row[1] for row in found], dtype=np.int64),
        work_ids=np.asarray([row[2] or 0 for row in found], dtype=np.int64),
        private=np.asarray([row[4] for row in found], dtype=bool),
        rec=np.asarray([row[5] for row in found], dtype=bool),
        has_notes=np.asarray([bool(row[6]) for row in found], dtype=bool),
        state=np.asarray(columns["state"], dtype=np.int8),
        created_at=np.asarray([time_number(row[7]) for row in found], dtype=np.int64),
        work_revised_at=np.asarray(columns["revised"], dtype=np.int64),
        creator_offsets=offsets(columns["creators"]),
        creator_user_ids=np.asarray([u for users in columns["creators"] for u in users], dtype=np.int64),
        term_offsets=offsets(columns["terms"]),
        term_ids=np.asarray([t for terms in columns["terms"] for t in terms], dtype=np.int64),
        series_ids=np.asarray([row[8] or 0 for row in found], dtype=np.int64),
        series_works=series_works,
    )
    wanted = sorted({term // 2 for terms in columns["terms"] for term in terms})
    tag_rows = [
        row
        for chunk in chunks(wanted, _SQL_CHUNK)
        for row in Tag.objects.filter(id__in=chunk).values_list("id", "type", "name")
    ]
    tags = TagRows(
        ids=np.asarray([row[0] for row in tag_rows], dtype=np.int64),
        types=[row[1] for row in tag_rows],
        names=[row[2] for row in tag_rows],
    )
    return rows, tags


def _pairs(through, owner: str, owner_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for chunk in chunks(owner_ids, _SQL_CHUNK):
        for owner_id, tag_id in through.objects.filter(Q(**{f"{owner}__in": chunk})).values_list(owner, "tag_id"):
            found.setdefault(owner_id, []).append(tag_id)
    return found


# One index per process -------------------------------------------------------------------------------

SHARED: ProcessIndex[BookmarkIndex] = ProcessIndex(BookmarkIndex, prune=prune_bookmark_changes, name="bookmarks")


def get_bookmark_index(*, max_lag: float = 1.0) -> BookmarkIndex:
    """This process's bookmark index, with every change recorded up to `max_lag` seconds ago applied (see
    `ProcessIndex.get`)."""
    return SHARED.get(max_lag=max_lag)


def compact_bookmark_index() -> None:
    """Replace this process's bookmark index by a freshly built one, without tombstones, caught up to the logs."""
    SHARED.compact()


def reset_bookmark_index() -> None:
    """Forget this process's bookmark index; the next `get_bookmark_index()` builds a new one."""
    SHARED.reset()
