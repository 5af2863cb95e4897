"""The in-process discovery index: which listed works match a filter, in what order, with exact facet counts.

Works are numbered densely ("docs") in the order they enter the index. A filter is a few set operations on
roaring bitmaps of docs; a sort is a precomputed permutation of docs; facet counts come from a forward index
(per doc its filter tag numbers, as CSR arrays) counted with `np.bincount`, except for the few tags on many
works, which are counted from their bitmaps. Only posted, unhidden works are ever in the index. A changed
work is tombstoned and appended again as a new doc; a change to its counters only (kudos, hits, comments,
bookmarks) is written in place. Once tombstones pile up, `get_index` builds a compact index in the background
and swaps it in. Which works a viewer may see is the viewer's policy (`works.visibility`), not the index's.
"""

import bisect
import dataclasses
import datetime as dt
import itertools
import threading
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db import connection
from pyroaring import BitMap

from fanfold.discovery.arrays import bitmap_of, chunks, docs_of, first_in_order, grouped, offsets
from fanfold.discovery.changelog import COUNTER_COLUMNS, COUNTS, ChangeReader, prune_changes
from fanfold.discovery.process_index import ProcessIndex
from fanfold.discovery.query import BEST_MATCH, SORTS, WorkFilter
from fanfold.tags.models import Tag, TagType
from fanfold.tags.services import filter_tag_ids
from fanfold.works.models import Creatorship, Work
from fanfold.works.visibility import LISTABLE

if TYPE_CHECKING:
    from fanfold.works.visibility import ViewerPolicy

FACET_TYPES: tuple[str, ...] = tuple(TagType.values)
_TYPE_NUMBER = {tag_type: number for number, tag_type in enumerate(FACET_TYPES)}
_FANDOM = _TYPE_NUMBER[TagType.FANDOM]

COUNT_COLUMNS = ("word_count", "chapter_count", "hit_count", "kudos_count", "comment_count", "bookmark_count")
# Per-doc columns kept for sorting and range filters, with their types (counts fit the database's int32).
_COLUMN_TYPES = {
    "revised_at": np.int64,
    "published_on": np.int32,
    "word_count": np.int32,
    "chapter_count": np.uint16,  # more than 65,535 chapters count as 65,535
    "hit_count": np.int32,
    "kudos_count": np.int32,
    "comment_count": np.int32,
    "bookmark_count": np.int32,
}
# Tags on more than this share of works (at most HEAVY_TAGS of them) are counted for facets straight from
# their bitmaps; the forward index holds only the others, which halves what a facet count has to read.
HEAVY_SHARE = 1 / 200
HEAVY_TAGS = 1024

# Works without a date sort as the oldest.
MISSING_TIME = -(2**62)
MISSING_DAY = -(2**31)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_DAY = dt.date(1970, 1, 1)
_MICROSECOND = dt.timedelta(microseconds=1)

CATCH_UP_BATCH = 5_000
_SQL_CHUNK = 500
# A compact index is built in the background once this many docs are tombstoned, and at least this share.
COMPACT_MIN_TOMBSTONES = 10_000
COMPACT_SHARE = 0.25


def time_number(value: dt.datetime | None) -> int:
    """Microseconds since 1970 (UTC), the form timestamps are kept and compared in."""
    return MISSING_TIME if value is None else (value - _EPOCH) // _MICROSECOND


def day_number(value: dt.date | None) -> int:
    return MISSING_DAY if value is None else (value - _EPOCH_DAY).days


def creator_sort_text(names: Iterable[str]) -> str:
    """What the creator sort compares: the work's pseud names in credit order."""
    return ", ".join(names)


@dataclasses.dataclass
class WorkRows:
    """Listing data of a batch of works, one entry per work in each column.

    `tag_offsets`/`tag_ids` and `creator_offsets`/`creator_user_ids` are CSR arrays: the filter tags of
    work i are `tag_ids[tag_offsets[i]:tag_offsets[i + 1]]`, each once.
    """

    work_ids: np.ndarray  # int64
    restricted: np.ndarray  # bool
    complete: np.ndarray  # bool
    language: list[str]
    word_count: np.ndarray
    chapter_count: np.ndarray
    hit_count: np.ndarray
    kudos_count: np.ndarray
    comment_count: np.ndarray
    bookmark_count: np.ndarray
    revised_at: np.ndarray  # int64, see time_number
    published_on: np.ndarray  # int64, see day_number
    titles: list[str]
    creator_names: list[str]  # see creator_sort_text
    creator_offsets: np.ndarray  # int64, len + 1
    creator_user_ids: np.ndarray  # int64
    tag_offsets: np.ndarray  # int64, len + 1
    tag_ids: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.work_ids)


@dataclasses.dataclass
class TagRows:
    """Tags the index may count: id, type (a TagType value) and name."""

    ids: np.ndarray  # int64
    types: list[str]
    names: list[str]


class FacetCounts(Sequence):
    """(tag id, count) pairs of one tag type, most used first, then by name; equal to the same list.

    Kept as two arrays and made into tuples only when read: a broad listing counts works under more than a
    hundred thousand tags, and a page shows a few of them.
    """

    __slots__ = ("counts", "tag_ids")
    __hash__ = None

    def __init__(self, tag_ids: np.ndarray, counts: np.ndarray) -> None:
        self.tag_ids = tag_ids
        self.counts = counts

    def __len__(self) -> int:
        return len(self.tag_ids)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return list(zip(self.tag_ids[item].tolist(), self.counts[item].tolist(), strict=True))
        return int(self.tag_ids[item]), int(self.counts[item])

    def __iter__(self):
        return zip(self.tag_ids.tolist(), self.counts.tolist(), strict=True)

    def count_of(self, tag_id: int) -> int:
        """The count of one tag, wherever it ranks (0 when no matching work has it)."""
        where = np.flatnonzero(self.tag_ids == tag_id)
        return int(self.counts[where[0]]) if len(where) else 0

    def __eq__(self, other) -> bool:
        if isinstance(other, FacetCounts | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join(f"({tag}, {count})" for tag, count in self[:5])
        return f"FacetCounts([{shown}{', …' if len(self) > 5 else ''}], {len(self)} tags)"


@dataclasses.dataclass
class TextLimit:
    """What a full-text search matched, by work id: only these works, or (`negated`) every work but these.

    `scores[i]` is the best-match score of work `score_ids[i]`; works not there score 0. `in_text`: the works
    that matched a searched word in their chapters' text (what snippets are made from). The id arrays are
    ascending.
    """

    work_ids: np.ndarray
    negated: bool = False
    score_ids: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scores: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    in_text: np.ndarray | None = None


@dataclasses.dataclass
class SearchResult:
    work_ids: list[int]  # the page, in order
    total: int  # exact number of matching works
    facets: dict[str, FacetCounts]  # tag type -> (tag id, count) pairs, most used first
    page: int = 1
    page_size: int = 20
    # Per work of the page, what identifies the version of it the index holds: (index epoch, doc). A work
    # re-read whole (edited, retagged, a tag or pseud of it renamed) gets a new doc; counters do not.
    versions: list[tuple[int, int]] = dataclasses.field(default_factory=list)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


class _Texts:
    """Casefolded strings, one per doc, packed as UTF-8 (whose byte order is the code point order)."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._offsets = np.zeros(1, dtype=np.int32)  # a blob past 2 GiB would need int64

    def extend(self, texts: list[str]) -> list[str]:
        folded = [text.casefold() for text in texts]
        encoded = [text.encode() for text in folded]
        self._blob += b"".join(encoded)
        lengths = np.fromiter((len(item) for item in encoded), dtype=np.int64, count=len(encoded))
        ends = int(self._offsets[-1]) + np.cumsum(lengths)
        self._offsets = np.concatenate((self._offsets, ends.astype(np.int32)))
        return folded

    def __getitem__(self, doc: int) -> bytes:
        return bytes(self._blob[self._offsets[doc] : self._offsets[doc + 1]])

    @property
    def nbytes(self) -> int:
        return len(self._blob) + self._offsets.nbytes


class DiscoveryIndex:
    """Listed works (posted, not hidden) ready to filter, sort, count and page through.

    Safe to share between threads: searches and updates take turns.
    """

    _epochs = itertools.count(1)

    def __init__(self) -> None:
        self.epoch = next(self._epochs)
        self._lock = threading.RLock()
        self._work_ids = np.zeros(0, dtype=np.int64)
        self._doc_of = np.full(1, -1, dtype=np.int32)  # work id -> its newest doc
        self._columns: dict[str, np.ndarray] = {name: np.zeros(0, dtype) for name, dtype in _COLUMN_TYPES.items()}
        self._texts = {"title": _Texts(), "creator": _Texts()}
        self._live = BitMap()  # every doc not tombstoned
        self._public = BitMap()  # live and not restricted: what guests may see
        self._complete = BitMap()
        self._single_chapter = BitMap()
        self._crossover = BitMap()
        self._languages: dict[str, BitMap] = {}
        # Docs by creator (user id), as CSR arrays for the docs of a new index, as bitmaps for docs added
        # since: most creators have a handful of works, too few to be worth a bitmap each. Tombstoned docs
        # stay in both, which is harmless: they are only ever taken away from a matched set.
        self._creator_users = np.zeros(0, dtype=np.int64)
        self._creator_offsets = np.zeros(1, dtype=np.int64)
        self._creator_docs = np.zeros(0, dtype=np.int32)
        self._later_creators: dict[int, BitMap] = {}
        # Tags are numbered densely too; "tag number" below is that number, not the database id.
        self._tag_ids = np.zeros(0, dtype=np.int64)
        self._tag_types = np.zeros(0, dtype=np.int8)
        self._tag_names: list[str] = []
        self._tag_number = np.full(1, -1, dtype=np.int64)  # database id -> tag number
        # Docs by tag: a bitmap for each heavy tag; for the others, CSR arrays by tag number for the docs of
        # a new index and bitmaps for docs added since (a bitmap costs some 600 bytes even when nearly empty,
        # and most tags are on few works). Tombstoned docs stay in all of these, which is harmless: every
        # use intersects with, or takes away from, a set of live docs.
        self._heavy_docs: dict[int, BitMap] = {}
        self._packed_tag_offsets = np.zeros(1, dtype=np.int64)
        self._packed_tag_docs = np.zeros(0, dtype=np.int32)
        self._later_tag_docs: dict[int, BitMap] = {}
        self._heavy = np.zeros(0, dtype=bool)  # by tag number
        self._heavy_numbers: list[int] = []
        self._tag_by_name: np.ndarray | None = None
        self._tag_order_pending: set[int] = set()  # tag numbers new or renamed since `_tag_by_name` was made
        # Forward index: light filter tag numbers of doc d are _fwd_tags[_fwd_offsets[d]:_fwd_offsets[d + 1]].
        self._fwd_offsets = np.zeros(1, dtype=np.int32)
        self._fwd_tags = np.zeros(0, dtype=np.int32)
        # Light tags' facet counts over every live doc, and over public ones; searches that match most works
        # count the few they do not match and subtract.
        self._base_counts = {True: np.zeros(0, dtype=np.int64), False: np.zeros(0, dtype=np.int64)}
        # Per sort: docs by (key asc, work id desc), which is the "asc" order, and by (key asc, work id asc),
        # whose reverse is the "desc" order. Ties always fall to the newer work id.
        self._orders: dict[tuple[str, bool], np.ndarray] = {}
        self._changes = ChangeReader()

    # Building ----------------------------------------------------------------------------------------

    @classmethod
    def build(cls) -> "DiscoveryIndex":
        """An index of every listed work, read from the database in a few bulk queries."""
        index = cls()
        # Take the change log's position first: changes made while the works are read are applied again.
        index._changes.start()
        rows, tags = read_work_rows(None)
        index._add(rows, tags, first=True)
        index._sort_all(rows)
        return index

    @classmethod
    def from_arrays(cls, rows: WorkRows, tags: TagRows) -> "DiscoveryIndex":
        """An index of `rows` (all listed), the same structure `build()` makes; for benchmarks and tools."""
        index = cls()
        index._add(rows, tags, first=True)
        index._sort_all(rows)
        return index

    @property
    def doc_count(self) -> int:
        return len(self._work_ids)

    def __len__(self) -> int:
        return len(self._live)

    @property
    def tombstones(self) -> int:
        """Docs of works that changed or left since the index was built: memory a compact index frees."""
        return len(self._work_ids) - len(self._live)

    def wants_compacting(self) -> bool:
        return self.tombstones >= max(COMPACT_MIN_TOMBSTONES, COMPACT_SHARE * len(self._work_ids))

    def _add(self, rows: WorkRows, tags: TagRows, *, first: bool = False) -> np.ndarray:
        """Append `rows` as new docs; return their doc numbers. The `first` rows of a new index also decide
        its heavy tags and are packed tighter."""
        start = len(self._work_ids)
        count = len(rows)
        docs = np.arange(start, start + count, dtype=np.int64)
        self._add_tags(tags)
        new_ids = np.asarray(rows.work_ids, dtype=np.int64)
        self._work_ids = np.concatenate((self._work_ids, new_ids))
        if len(new_ids) and new_ids.max() >= len(self._doc_of):
            grown = np.full(int(new_ids.max()) * 5 // 4 + 1, -1, dtype=np.int32)
            grown[: len(self._doc_of)] = self._doc_of
            self._doc_of = grown
        self._doc_of[new_ids] = docs
        for name in self._columns:
            kind = _COLUMN_TYPES[name]
            values = np.asarray(getattr(rows, name), dtype=np.int64)
            values = np.clip(values, np.iinfo(kind).min, np.iinfo(kind).max).astype(kind)
            self._columns[name] = np.concatenate((self._columns[name], values))
        self._texts["title"].extend(rows.titles)
        self._texts["creator"].extend(rows.creator_names)

        restricted = np.asarray(rows.restricted, dtype=bool)
        self._live.add_range(start, start + count)
        self._public.update(bitmap_of(docs[~restricted]))
        self._complete.update(bitmap_of(docs[np.asarray(rows.complete, dtype=bool)]))
        self._single_chapter.update(bitmap_of(docs[np.asarray(rows.chapter_count) == 1]))
        languages = np.asarray(rows.language, dtype=object)
        for code, where in grouped(languages.astype(str), np.arange(count)):
            self._languages.setdefault(code, BitMap()).update(bitmap_of(docs[where]))

        creator_lengths = np.diff(np.asarray(rows.creator_offsets, dtype=np.int64))
        creator_docs = np.repeat(docs, creator_lengths)
        creator_users = np.asarray(rows.creator_user_ids, dtype=np.int64)
        if first:
            order = np.argsort(creator_users, kind="stable")
            self._creator_users, per_user = np.unique(creator_users[order], return_counts=True)
            self._creator_offsets = np.concatenate(([0], np.cumsum(per_user))).astype(np.int64)
            self._creator_docs = creator_docs[order].astype(np.int32)
        else:
            for user_id, user_docs in grouped(creator_users, creator_docs):
                self._later_creators.setdefault(user_id, BitMap()).update(bitmap_of(user_docs))

        tag_ids = np.asarray(rows.tag_ids, dtype=np.int64)
        if len(tag_ids) and tag_ids.max() >= len(self._tag_number):
            raise ValueError("a work has a filter tag missing from the tag rows")
        tag_numbers = self._tag_number[tag_ids]
        if (tag_numbers < 0).any():
            raise ValueError("a work has a filter tag missing from the tag rows")
        tag_lengths = np.diff(np.asarray(rows.tag_offsets, dtype=np.int64))
        posting_docs = np.repeat(docs, tag_lengths)
        fandoms = (
            np.bincount(posting_docs[self._tag_types[tag_numbers] == _FANDOM] - start, minlength=count)
            if count
            else np.zeros(0, dtype=np.int64)
        )
        self._crossover.update(bitmap_of(docs[fandoms >= 2]))

        tag_total = len(self._tag_ids)
        if first:
            frequency = np.bincount(tag_numbers, minlength=tag_total)
            candidates = np.flatnonzero(frequency >= max(64, count * HEAVY_SHARE))
            heavy = candidates[np.argsort(-frequency[candidates], kind="stable")[:HEAVY_TAGS]]
            self._heavy[heavy] = True
            self._heavy_numbers = sorted(heavy.tolist())
        light = ~self._heavy[tag_numbers]
        for number, tag_docs in grouped(tag_numbers[~light], posting_docs[~light]):
            if number in self._heavy_docs:
                self._heavy_docs[number].update(bitmap_of(tag_docs))
            else:
                self._heavy_docs[number] = bitmap_of(tag_docs)
        if first:
            light_numbers = tag_numbers[light]
            by_tag = np.argsort(light_numbers, kind="stable")
            per_tag = np.bincount(light_numbers, minlength=tag_total)
            self._packed_tag_offsets = np.concatenate(([0], np.cumsum(per_tag))).astype(np.int64)
            self._packed_tag_docs = posting_docs[light][by_tag].astype(np.int32)
        else:
            for number, tag_docs in grouped(tag_numbers[light], posting_docs[light]):
                self._later_tag_docs.setdefault(number, BitMap()).update(bitmap_of(tag_docs))
        light_lengths = np.bincount(posting_docs[light] - start, minlength=count) if count else tag_lengths
        self._fwd_tags = np.concatenate((self._fwd_tags, tag_numbers[light].astype(np.int32)))
        ends = int(self._fwd_offsets[-1]) + np.cumsum(light_lengths)
        self._fwd_offsets = np.concatenate((self._fwd_offsets, ends.astype(np.int32)))
        self._base_counts[True] += np.bincount(tag_numbers, minlength=tag_total)
        public_postings = ~np.repeat(restricted, tag_lengths)
        self._base_counts[False] += np.bincount(tag_numbers[public_postings], minlength=tag_total)
        if first:
            for bitmap in (self._live, self._public, self._complete, self._single_chapter, self._crossover):
                bitmap.run_optimize()
            for bitmap in (*self._languages.values(), *self._heavy_docs.values()):
                bitmap.run_optimize()
                bitmap.shrink_to_fit()
        return docs

    def _add_tags(self, tags: TagRows) -> None:
        ids = np.asarray(tags.ids, dtype=np.int64)
        if not len(ids):
            return
        if ids.max() >= len(self._tag_number):
            grown = np.full(int(ids.max()) * 2 + 1, -1, dtype=np.int64)
            grown[: len(self._tag_number)] = self._tag_number
            self._tag_number = grown
        types = np.fromiter((_TYPE_NUMBER[t] for t in tags.types), dtype=np.int8, count=len(ids))
        numbers = self._tag_number[ids]
        known = numbers >= 0
        # Known tags may have been renamed (or retyped) since.
        for number, tag_type, name in zip(
            numbers[known].tolist(), types[known].tolist(), np.asarray(tags.names, dtype=object)[known], strict=True
        ):
            if self._tag_names[number] != name or self._tag_types[number] != tag_type:
                self._tag_types[number] = tag_type
                self._tag_names[number] = name
                self._tag_order_pending.add(number)
        new = ~known
        new_ids = ids[new]
        first = len(self._tag_ids)
        self._tag_number[new_ids] = np.arange(first, first + len(new_ids))
        self._tag_ids = np.concatenate((self._tag_ids, new_ids))
        self._tag_types = np.concatenate((self._tag_types, types[new]))
        self._tag_names += [name for name, is_new in zip(tags.names, new.tolist(), strict=True) if is_new]
        self._heavy = np.concatenate((self._heavy, np.zeros(len(new_ids), dtype=bool)))
        for viewer in self._base_counts:
            self._base_counts[viewer] = np.concatenate(
                (self._base_counts[viewer], np.zeros(len(new_ids), dtype=np.int64))
            )
        self._tag_order_pending.update(range(first, first + len(new_ids)))

    def _sort_keys(self, sort: str, rows: WorkRows | None = None) -> np.ndarray:
        if sort in self._columns:
            return self._columns[sort]
        # Text sorts: rank each doc's casefolded text among all of them (only when sorting from scratch).
        texts = rows.titles if sort == "title" else rows.creator_names
        folded = [text.casefold() for text in texts]
        rank = {text: number for number, text in enumerate(sorted(set(folded)))}
        return np.fromiter((rank[text] for text in folded), dtype=np.int64, count=len(folded))

    def _sort_all(self, rows: WorkRows) -> None:
        """Sort every doc from scratch (a new index, where every doc came from `rows`)."""
        for sort in SORTS:
            keys = self._sort_keys(sort, rows)
            self._orders[sort, False] = np.lexsort((-self._work_ids, keys)).astype(np.int32)
            self._orders[sort, True] = np.lexsort((self._work_ids, keys)).astype(np.int32)

    def _sort_key(self, sort: str, by_id_asc: bool):
        """The key function under which `self._orders[sort, by_id_asc]` is ascending."""
        work_ids = self._work_ids
        sign = 1 if by_id_asc else -1
        if sort in self._columns:
            column = self._columns[sort]
            return lambda doc: (int(column[doc]), sign * int(work_ids[doc]))
        texts = self._texts[sort]
        return lambda doc: (texts[int(doc)], sign * int(work_ids[doc]))

    def _insert_sorted(self, docs: np.ndarray, only: Iterable[tuple[str, bool]] | None = None) -> None:
        """Put docs (freshly appended, or taken out to move) in their places in every sort order, or in
        the `only` ones."""
        for sort, by_id_asc in list(only if only is not None else self._orders):
            order = self._orders[sort, by_id_asc]
            key = self._sort_key(sort, by_id_asc)
            new = sorted(docs.tolist(), key=key)
            places = [bisect.bisect_left(order, key(doc), key=key) for doc in new]
            self._orders[sort, by_id_asc] = np.insert(order, places, np.asarray(new, dtype=np.int32))

    def _tombstone(self, docs: np.ndarray) -> None:
        if not len(docs):
            return
        gone = bitmap_of(docs)
        self._live.difference_update(gone)
        public = gone & self._public
        self._public.difference_update(gone)
        # The forward index holds light tags only; heavy tags are counted from their bitmaps, never from
        # the base counts, so theirs may go stale.
        for doc in docs.tolist():
            numbers = self._fwd_tags[self._fwd_offsets[doc] : self._fwd_offsets[doc + 1]]
            self._base_counts[True][numbers] -= 1
            if doc in public:
                self._base_counts[False][numbers] -= 1

    # Keeping current ---------------------------------------------------------------------------------

    def refresh_works(self, work_ids: Iterable[int]) -> None:
        """Re-read these works; those no longer listed (drafts, hidden, deleted) leave the index."""
        ids = sorted({int(work_id) for work_id in work_ids})
        if not ids:
            return
        rows, tags = read_work_rows(ids)
        with self._lock:
            old = np.flatnonzero(np.isin(self._work_ids, np.asarray(ids, dtype=np.int64)))
            old = old[[doc in self._live for doc in old.tolist()]] if len(old) else old
            self._tombstone(old)
            if len(rows):
                docs = self._add(rows, tags)
                self._insert_sorted(docs)

    def refresh_counts(self, work_ids: Iterable[int]) -> None:
        """Re-read only the counters of these works and write them in place, moving each work to its new
        place in the counter sorts: a kudos or a hit leaves no tombstone behind."""
        ids = sorted({int(work_id) for work_id in work_ids})
        if not ids:
            return
        found = [
            row
            for chunk in chunks(ids, _SQL_CHUNK)
            for row in Work.objects.filter(LISTABLE, id__in=chunk).values_list("id", *COUNTER_COLUMNS)
        ]
        self.apply_counts(found)

    def apply_counts(self, found: Sequence[tuple[int, ...]]) -> None:
        """Write (work id, *COUNTER_COLUMNS) rows in place (see `refresh_counts`). Each doc whose count
        changed is taken out of that counter's two sort orders where its old value put it, and put back
        where its new one does: a few binary searches and array moves, not a re-sort."""
        latest = {int(row[0]): row[1:] for row in found}  # once per work: a doc is moved once
        with self._lock:
            docs, values = [], []
            for work_id, counts in latest.items():
                doc = int(self._doc_of[work_id]) if 0 <= work_id < len(self._doc_of) else -1
                if doc >= 0 and doc in self._live:
                    docs.append(doc)
                    values.append(counts)
            if not docs:
                return
            changed = np.asarray(docs, dtype=np.int64)
            table = np.asarray(values, dtype=np.int64)
            for number, column in enumerate(COUNTER_COLUMNS):
                kind = _COLUMN_TYPES[column]
                new = np.clip(table[:, number], np.iinfo(kind).min, np.iinfo(kind).max).astype(kind)
                moved = changed[self._columns[column][changed] != new]
                if not len(moved):
                    continue
                keys = [key for key in self._orders if key[0] == column]
                for key in keys:
                    self._take_out(key, moved)
                self._columns[column][changed] = new
                for key in keys:
                    self._insert_sorted(moved, only=[key])

    def _take_out(self, key: tuple[str, bool], docs: np.ndarray) -> None:
        """Remove `docs` from one sort order, found by their current keys."""
        order = self._orders[key]
        by = self._sort_key(*key)
        places = []
        for doc in docs.tolist():
            wanted = by(doc)
            place = bisect.bisect_left(order, wanted, key=by)
            # A replaced doc of the same work may share the key: step over it.
            while place < len(order) and int(order[place]) != doc and by(int(order[place])) == wanted:
                place += 1
            if place == len(order) or int(order[place]) != doc:
                raise AssertionError(f"sort order {key} lost track of doc {doc}")
            places.append(place)
        self._orders[key] = np.delete(order, places)

    def catch_up(self) -> int:
        """Apply the change log's new notes; return how many works were re-read (whole or counters only)."""
        changes = self._changes.read()
        whole = {change.work_id for change in changes if change.kind != COUNTS}
        counts_only = {change.work_id for change in changes if change.kind == COUNTS} - whole
        for batch in chunks(sorted(whole), CATCH_UP_BATCH):
            self.refresh_works(batch)
        for batch in chunks(sorted(counts_only), CATCH_UP_BATCH):
            self.refresh_counts(batch)
        return len(whole) + len(counts_only)

    # Searching ---------------------------------------------------------------------------------------

    # What a viewer's policy is made of (see `works.visibility.ViewerPolicy.listed_docs`) ----------------

    def listed_docs(self, *, restricted: bool) -> BitMap:
        """Every listed work, or (`restricted` false) those open to guests."""
        return (self._live if restricted else self._public).copy()

    def creator_docs(self, user_ids) -> BitMap:
        return BitMap.union(BitMap(), *(self._creator_bitmap(int(user_id)) for user_id in user_ids))

    def tag_docs(self, tag_ids) -> BitMap:
        """Works found under any of these filter tags."""
        return self._any_of(tuple(int(tag_id) for tag_id in tag_ids))

    def tag_labels(self, tag_ids) -> dict[int, tuple[str, str]]:
        """Tag id -> (name, type) for the tags among `tag_ids` the index holds."""
        labels = {}
        with self._lock:
            for tag_id in tag_ids:
                tag_id = int(tag_id)
                number = self._tag_number[tag_id] if 0 <= tag_id < len(self._tag_number) else -1
                if number >= 0:
                    labels[tag_id] = (self._tag_names[number], FACET_TYPES[self._tag_types[number]])
        return labels

    def search(
        self,
        work_filter: WorkFilter,
        *,
        signed_in: bool | None = None,
        policy: "ViewerPolicy | None" = None,
        page_size: int = 20,
        facets: bool = True,
        facet_limit: int | None = None,
        ranges: Sequence[tuple[str, int, int]] = (),
        text: TextLimit | None = None,
    ) -> SearchResult:
        """One page of the works matching `work_filter`, their exact total and (unless `facets` is false)
        the exact count of matching works under each filter tag, by tag type.

        Only the works the viewer's `policy` lists are matched and counted (guests never see restricted
        works; muted creators and excluded tags are left out); `signed_in` alone is the policy of a viewer
        with no standing exclusions. `facet_limit` keeps only
        the most used tags of each type. `ranges` are further (column, lowest, highest) limits, inclusive;
        `text` is what a full-text search matched, which the results are limited to, and which gives the
        scores for sorting by best match.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        if work_filter.sort == BEST_MATCH and text is None:
            raise ValueError("sorting by best match needs a text search")
        if policy is not None:
            signed_in = policy.signed_in
        elif signed_in is None:
            raise ValueError("search needs the viewer's policy")
        with self._lock:
            base = self._live if signed_in else self._public
            universe = policy.listed_docs(self) if policy is not None else base
            matched = self._match(work_filter, universe)
            for column, low, high in ranges:
                if matched:
                    matched = self._within(matched, column, low, high)
            if text is not None:
                docs = self._docs_of_work_ids(text.work_ids)
                matched = matched - docs if text.negated else matched & docs
            start = (work_filter.page - 1) * page_size
            descending = work_filter.direction == "desc"
            if work_filter.sort == BEST_MATCH:
                docs = self._ranked_page(matched, text, descending, start, page_size)
            else:
                docs = self._page(matched, work_filter.sort, descending, start, page_size)
            counts = self._facets(matched, base, signed_in, facet_limit) if facets else {}
            return SearchResult(
                work_ids=self._work_ids[docs].tolist(),
                total=len(matched),
                facets=counts,
                page=work_filter.page,
                page_size=page_size,
                versions=[(self.epoch, int(doc)) for doc in docs],
            )

    def _docs_of_work_ids(self, work_ids: np.ndarray) -> BitMap:
        ids = np.asarray(work_ids, dtype=np.int64)
        ids = ids[(ids >= 0) & (ids < len(self._doc_of))]
        docs = self._doc_of[ids]
        return bitmap_of(docs[docs >= 0])

    def _ranked_page(self, matched: BitMap, text: TextLimit, descending: bool, start: int, size: int) -> np.ndarray:
        """Best match: by score, then (as every other sort) the most recently updated, then the newest work."""
        docs = docs_of(matched)
        work_ids = self._work_ids[docs]
        found = np.zeros(len(docs))
        if len(text.score_ids):
            place = np.minimum(np.searchsorted(text.score_ids, work_ids), len(text.score_ids) - 1)
            hit = text.score_ids[place] == work_ids
            found[hit] = text.scores[place[hit]]
        sign = -1 if descending else 1
        revised = self._columns["revised_at"][docs]
        order = np.lexsort((-work_ids, -revised, sign * found))
        return docs[order[start : start + size]]

    def _tag_bitmap(self, tag_id: int) -> BitMap | None:
        if not 0 <= tag_id < len(self._tag_number):
            return None
        number = self._tag_number[tag_id]
        if number < 0:
            return None
        heavy = self._heavy_docs.get(number)
        if heavy is not None:
            return heavy
        docs = BitMap()
        if number + 1 < len(self._packed_tag_offsets):
            start, end = self._packed_tag_offsets[number], self._packed_tag_offsets[number + 1]
            docs = bitmap_of(self._packed_tag_docs[start:end])
        later = self._later_tag_docs.get(number)
        return docs | later if later is not None else docs

    def _creator_bitmap(self, user_id: int) -> BitMap:
        docs = BitMap()
        place = int(np.searchsorted(self._creator_users, user_id))
        if place < len(self._creator_users) and self._creator_users[place] == user_id:
            docs = bitmap_of(self._creator_docs[self._creator_offsets[place] : self._creator_offsets[place + 1]])
        return docs | self._later_creators.get(user_id, BitMap())

    def _any_of(self, tag_ids: tuple[int, ...]) -> BitMap:
        return BitMap.union(BitMap(), *(bitmap for t in tag_ids if (bitmap := self._tag_bitmap(t)) is not None))

    def _match(self, work_filter: WorkFilter, universe: BitMap) -> BitMap:
        required: list[BitMap] = []
        for tag_id in work_filter.include_tags:
            bitmap = self._tag_bitmap(tag_id)
            if bitmap is None:
                return BitMap()
            required.append(bitmap)
        for tag_ids in (work_filter.ratings, work_filter.warnings, work_filter.categories):
            if tag_ids:
                required.append(self._any_of(tag_ids))
        required += [self._creator_bitmap(user_id) for user_id in work_filter.creator_user_ids]
        if work_filter.complete is True:
            required.append(self._complete)
        if work_filter.single_chapter:
            required.append(self._single_chapter)
        if work_filter.language is not None:
            required.append(self._languages.get(work_filter.language, BitMap()))
        if work_filter.crossover == "only":
            required.append(self._crossover)
        # Smallest first, so every later intersection works on an already small set.
        required.sort(key=len)
        matched = required[0] & universe if required else universe.copy()
        for bitmap in required[1:]:
            if not matched:
                break
            matched &= bitmap

        excluded = [self._any_of(work_filter.exclude_tags)]
        if work_filter.complete is False:
            excluded.append(self._complete)
        if work_filter.crossover == "exclude":
            excluded.append(self._crossover)
        for bitmap in excluded:
            matched.difference_update(bitmap)

        if work_filter.words_from is not None or work_filter.words_to is not None:
            low = work_filter.words_from if work_filter.words_from is not None else MISSING_TIME
            high = work_filter.words_to if work_filter.words_to is not None else -MISSING_TIME
            matched = self._within(matched, "word_count", low, high)
        if work_filter.updated_from is not None or work_filter.updated_to is not None:
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            low = high = None
            if work_filter.updated_from is not None:
                low = time_number(dt.datetime.combine(work_filter.updated_from, dt.time.min, tzinfo=zone))
            if work_filter.updated_to is not None:
                next_day = work_filter.updated_to + dt.timedelta(days=1)
                high = time_number(dt.datetime.combine(next_day, dt.time.min, tzinfo=zone)) - 1
            # Works without a revision date have no "updated" date to be within a range.
            matched = self._within(
                matched, "revised_at", MISSING_TIME + 1 if low is None else low, -MISSING_TIME if high is None else high
            )
        return matched

    def _within(self, matched: BitMap, column: str, low: int, high: int) -> BitMap:
        """The docs of `matched` whose `column` value lies in [low, high]."""
        values = self._columns[column]

        def within(docs: np.ndarray) -> BitMap:
            found = values[docs].astype(np.int64)
            return bitmap_of(docs[(found >= low) & (found <= high)])

        order = self._orders.get((column, False))
        if len(matched) < 4096 or order is None:
            return within(docs_of(matched))
        start = bisect.bisect_left(order, low, key=lambda doc: int(values[doc]))
        end = bisect.bisect_right(order, high, key=lambda doc: int(values[doc]))
        if end - start < len(matched):
            return matched & bitmap_of(np.sort(order[start:end]))
        return within(docs_of(matched))

    def _page(self, matched: BitMap, sort: str, descending: bool, start: int, size: int) -> np.ndarray:
        matched_count = len(matched)
        end = start + size
        if start >= matched_count:
            return np.zeros(0, dtype=np.int64)
        doc_count = max(len(self._work_ids), 1)
        # Walking the sort order costs about end * docs / matched membership tests; sorting the matched
        # docs costs about `matched` array steps (numbers) or Python comparisons (text), which are dearer.
        # Walk only when the matched set is dense enough.
        weight = 5 if sort in self._columns else 0.2
        if matched_count * matched_count > weight * end * doc_count:
            order = self._orders[sort, descending]
            if descending:
                order = order[::-1]
            found = first_in_order(order, matched, end, doc_count)
            return np.asarray(found[start:end], dtype=np.int64)
        docs = docs_of(matched)
        return docs[self._sorted_positions(docs, sort, descending)[start:end]]

    def _sorted_positions(self, docs: np.ndarray, sort: str, descending: bool) -> np.ndarray:
        """Positions in `docs` that put them in the listing's order."""
        if sort in self._columns:
            keys = self._columns[sort][docs].astype(np.int64)
            negated_ids = -self._work_ids[docs]
            return np.lexsort((negated_ids, -keys if descending else keys))
        texts = self._texts[sort]
        sign = 1 if descending else -1
        work_ids = self._work_ids[docs].tolist()
        keys = [(texts[doc], sign * work_id) for doc, work_id in zip(docs.tolist(), work_ids, strict=True)]
        return np.asarray(sorted(range(len(keys)), key=keys.__getitem__, reverse=descending), dtype=np.int64)

    # Facets ------------------------------------------------------------------------------------------

    def _count_tags(self, docs: BitMap) -> np.ndarray:
        numbers = docs_of(docs)
        starts = self._fwd_offsets[numbers]
        lengths = self._fwd_offsets[numbers + 1] - starts
        total = int(lengths.sum())
        # Positions of every posting of every doc: its slice start, shifted to where its run begins.
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        postings = self._fwd_tags[np.arange(total, dtype=np.int64) + shift]
        return np.bincount(postings, minlength=len(self._tag_ids))

    def _facets(self, matched: BitMap, universe: BitMap, signed_in: bool, limit: int | None) -> dict[str, FacetCounts]:
        if 2 * len(matched) > len(universe):
            counts = self._base_counts[signed_in] - self._count_tags(universe - matched)
        else:
            counts = self._count_tags(matched)
        if self._heavy_numbers:
            counts[self._heavy_numbers] = [
                self._heavy_docs[number].intersection_cardinality(matched) for number in self._heavy_numbers
            ]
        by_name = self._tag_order()
        counts = counts[by_name]
        present = np.flatnonzero(counts)
        numbers, found = by_name[present], counts[present]
        types = self._tag_types[numbers].astype(np.int64)
        most = int(found.max()) + 1 if len(found) else 1
        # A stable sort by (type, count descending) keeps tags of equal count in name order.
        ranked = np.argsort(types * most + (most - found), kind="stable")
        numbers, types, found = numbers[ranked], types[ranked], found[ranked]
        bounds = np.searchsorted(types, np.arange(len(FACET_TYPES) + 1))
        facets = {}
        for type_number, tag_type in enumerate(FACET_TYPES):
            start, end = int(bounds[type_number]), int(bounds[type_number + 1])
            if limit is not None:
                end = min(end, start + limit)
            facets[tag_type] = FacetCounts(self._tag_ids[numbers[start:end]], found[start:end])
        return facets

    def _tag_order(self) -> np.ndarray:
        """Tag numbers by type, then casefolded name, then id: the order facets list equal counts in. Made once
        (a sort of every tag's name: a tenth of a second at 100,000 tags); a tag added or renamed later is
        put in its place."""
        ids, names, types = self._tag_ids, self._tag_names, self._tag_types

        def key(number) -> tuple[int, str, int]:
            number = int(number)
            return int(types[number]), names[number].casefold(), int(ids[number])

        if self._tag_by_name is None:
            self._tag_by_name = np.asarray(sorted(range(len(ids)), key=key), dtype=np.int64)
        elif self._tag_order_pending:
            placing = np.asarray(sorted(self._tag_order_pending, key=key), dtype=np.int64)
            order = self._tag_by_name[~np.isin(self._tag_by_name, placing)]  # renamed ones leave their old place
            places = [bisect.bisect_left(order, key(number), key=key) for number in placing.tolist()]
            self._tag_by_name = np.insert(order, places, placing)
        self._tag_order_pending.clear()
        return self._tag_by_name

    # Measuring ---------------------------------------------------------------------------------------

    def nbytes(self) -> int:
        """Roughly the memory the index holds (arrays and bitmaps, not Python object overhead)."""
        arrays = [
            self._work_ids,
            self._doc_of,
            self._fwd_offsets,
            self._fwd_tags,
            self._tag_ids,
            self._tag_types,
            self._tag_number,
        ]
        arrays += [*self._columns.values(), *self._orders.values()]
        arrays += [*self._base_counts.values(), self._heavy]
        arrays += [self._creator_users, self._creator_offsets, self._creator_docs]
        arrays += [self._packed_tag_offsets, self._packed_tag_docs]
        total = sum(item.nbytes for item in arrays) + sum(texts.nbytes for texts in self._texts.values())
        bitmaps = [self._live, self._public, self._complete, self._single_chapter, self._crossover]
        bitmaps += [*self._languages.values(), *self._later_creators.values()]
        bitmaps += [*self._heavy_docs.values(), *self._later_tag_docs.values()]
        return total + sum(len(bitmap.serialize()) for bitmap in bitmaps)


def read_work_rows(work_ids: list[int] | None) -> tuple[WorkRows, TagRows]:
    """Listing data of these works (or of every work), as far as they are listed, in a few bulk queries."""
    listed = Work.objects.filter(LISTABLE)
    batches = [listed] if work_ids is None else [listed.filter(id__in=chunk) for chunk in chunks(work_ids, _SQL_CHUNK)]
    fields = ("id", "title", "restricted", "complete", "language", *COUNT_COLUMNS, "revised_at", "published_on")
    works = [row for batch in batches for row in batch.order_by("id").values_list(*fields)]
    ids = np.fromiter((row[0] for row in works), dtype=np.int64, count=len(works))
    creators: dict[int, list[tuple[int, str]]] = {row[0]: [] for row in works}
    for batch in batches:
        credits = (
            Creatorship.objects.filter(work__in=batch.values("id"))
            .order_by("work_id", "position", "id")
            .values_list("work_id", "pseud__user_id", "pseud__name")
        )
        for work_id, user_id, name in credits.iterator(chunk_size=20_000):
            if work_id in creators:
                creators[work_id].append((user_id, name))
    pair_works, pair_tags = _taggings(work_ids)
    tag_offsets, tag_ids = _filter_tags_by_work(ids, pair_works, pair_tags)

    creator_lists = [creators[work_id] for work_id in ids.tolist()]
    column = {name: number for number, name in enumerate(fields)}

    def numbers(name: str) -> np.ndarray:
        return np.fromiter((row[column[name]] for row in works), dtype=np.int64, count=len(works))

    rows = WorkRows(
        work_ids=ids,
        restricted=np.asarray([row[column["restricted"]] for row in works], dtype=bool),
        complete=np.asarray([row[column["complete"]] for row in works], dtype=bool),
        language=[row[column["language"]] for row in works],
        **{name: numbers(name) for name in COUNT_COLUMNS},
        revised_at=np.asarray([time_number(row[column["revised_at"]]) for row in works], dtype=np.int64),
        published_on=np.asarray([day_number(row[column["published_on"]]) for row in works], dtype=np.int64),
        titles=[row[column["title"]] for row in works],
        creator_names=[creator_sort_text(name for _user, name in credits) for credits in creator_lists],
        creator_offsets=offsets(creator_lists),
        creator_user_ids=np.asarray([user for credits in creator_lists for user, _name in credits], dtype=np.int64),
        tag_offsets=tag_offsets,
        tag_ids=tag_ids,
    )
    tag_fields = ("id", "type", "name")
    if work_ids is None:
        tag_rows = list(Tag.objects.values_list(*tag_fields))
    else:
        wanted = np.unique(tag_ids).tolist()
        tag_rows = [
            row
            for chunk in chunks(wanted, _SQL_CHUNK)
            for row in Tag.objects.filter(id__in=chunk).values_list(*tag_fields)
        ]
    tags = TagRows(
        ids=np.asarray([row[0] for row in tag_rows], dtype=np.int64),
        types=[row[1] for row in tag_rows],
        names=[row[2] for row in tag_rows],
    )
    return rows, tags


def _taggings(work_ids: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """(work id, tag id) of the taggings of these works, or of every work: the works' own tags."""
    through = Work.tags.through
    if work_ids is not None:
        pairs = [
            pair
            for chunk in chunks(work_ids, _SQL_CHUNK)
            for pair in through.objects.filter(work_id__in=chunk).values_list("work_id", "tag_id")
        ]
        found = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return found[:, 0].copy(), found[:, 1].copy()
    table = through._meta.db_table
    work_column = through._meta.get_field("work").column
    tag_column = through._meta.get_field("tag").column
    if connection.vendor == "postgresql":
        return _postgresql_int_pairs(table, work_column, tag_column)
    quote = connection.ops.quote_name
    works, tags = [], []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(work_column)}, {quote(tag_column)} FROM {quote(table)}")  # noqa: S608
        while batch := cursor.fetchmany(200_000):
            found = np.asarray(batch, dtype=np.int64)
            works.append(found[:, 0].copy())
            tags.append(found[:, 1].copy())
    empty = np.zeros(0, dtype=np.int64)
    return (np.concatenate(works), np.concatenate(tags)) if works else (empty, empty.copy())


def _postgresql_int_pairs(table: str, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
    """Two bigint columns of a whole table, as arrays: PostgreSQL packs them into a few hundred binary
    strings (8-byte big-endian integers), so a million works' taggings arrive with no Python object per row."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT string_agg(int8send({quote(first)}::bigint) || int8send({quote(second)}::bigint), ''::bytea) "  # noqa: S608
        f"FROM {quote(table)} GROUP BY {quote(first)} / 4096"
    )
    pairs = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(64):
            pairs += [np.frombuffer(bytes(packed), dtype=">i8").astype(np.int64) for (packed,) in batch]
    found = np.concatenate(pairs).reshape(-1, 2) if pairs else np.zeros((0, 2), dtype=np.int64)
    return found[:, 0].copy(), found[:, 1].copy()


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique's hashing is slower than a plain sort for millions of integers.
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _filter_tags_by_work(
    work_ids: np.ndarray, pair_works: np.ndarray, pair_tags: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays of each work's filter tags (in `work_ids` order, which is ascending), each once, ascending:
    the tags it is found under and counted for. A synonym filters as its canonical tag, and a canonical tag
    adds its meta tags (see `filter_tag_ids`)."""
    keep = np.isin(pair_works, work_ids)
    pair_works, pair_tags = pair_works[keep], pair_tags[keep]
    own = _sorted_unique(pair_tags)
    mapping = filter_tag_ids(own.tolist())
    targets = [sorted(mapping.get(tag, {tag})) for tag in own.tolist()]
    lengths = np.fromiter((len(found) for found in targets), dtype=np.int64, count=len(targets))
    flat = np.fromiter((tag for found in targets for tag in found), dtype=np.int64, count=int(lengths.sum()))
    if len(own) and (lengths == 1).all() and (flat == own).all():
        filter_works, filter_tags = pair_works, pair_tags  # nothing wrangled: every tag filters as itself
    else:
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        place = np.searchsorted(own, pair_tags)
        per_pair = lengths[place]
        filter_works = np.repeat(pair_works, per_pair)
        step = np.arange(int(per_pair.sum()), dtype=np.int64) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
        filter_tags = flat[np.repeat(starts[place], per_pair) + step]
    span = int(filter_tags.max()) + 1 if len(filter_tags) else 1
    keys = _sorted_unique(filter_works * span + filter_tags)
    found_works, found_tags = keys // span, keys % span
    counts = np.searchsorted(found_works, work_ids, side="right") - np.searchsorted(found_works, work_ids)
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64), found_tags.astype(np.int64)


# One index per process -------------------------------------------------------------------------------

SHARED: ProcessIndex[DiscoveryIndex] = ProcessIndex(DiscoveryIndex, prune=prune_changes, name="discovery")


def get_index(*, max_lag: float = 1.0) -> DiscoveryIndex:
    """This process's index, with every change recorded up to `max_lag` seconds ago applied (see
    `ProcessIndex.get`)."""
    return SHARED.get(max_lag=max_lag)


def compact_index() -> None:
    """Replace this process's index by a freshly built one, without tombstones, caught up to the log."""
    SHARED.compact()


def reset_index() -> None:
    """Forget this process's index; the next `get_index()` builds a new one."""
    SHARED.reset()
