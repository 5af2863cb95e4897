"""The works of bookmarked series, as the bookmark index needs them to decide which series a viewer sees.

A series is listed to a viewer when one of its works is (`works.visibility.ViewerPolicy.series_listed_q`). For
a viewer with standing exclusions (mutes, excluded tags) that depends on each work's creators and tags, so the
bookmark index keeps, per bookmarked series, one row per posted, unhidden work of it: whether the work is open
to guests, its creators and its filter tags. The rows answer the same three questions the works' index answers
(`listed_docs`, `creator_docs`, `tag_docs`), so the policy's one definition of "listed" (`listed_docs`) renders
over them unchanged.
"""

import dataclasses
from collections.abc import Iterable

from pyroaring import BitMap


@dataclasses.dataclass(frozen=True)
class SeriesWorkRow:
    restricted: bool
    creator_user_ids: tuple[int, ...]
    filter_tag_ids: tuple[int, ...]


class SeriesWorks:
    """Rows of the works of bookmarked series; replaced a series at a time as its bookmarks are re-read."""

    def __init__(self) -> None:
        self._series_of: list[int] = []  # row -> its series
        self._rows_of: dict[int, BitMap] = {}  # series -> its live rows
        self._live = BitMap()
        self._public = BitMap()  # live rows of works open to guests
        self._by_creator: dict[int, BitMap] = {}
        self._by_tag: dict[int, BitMap] = {}

    def replace(self, series_id: int, rows: Iterable[SeriesWorkRow]) -> None:
        old = self._rows_of.pop(series_id, None)
        if old is not None:
            self._live.difference_update(old)
            self._public.difference_update(old)
        new = BitMap()
        for row in rows:
            number = len(self._series_of)
            self._series_of.append(series_id)
            new.add(number)
            if not row.restricted:
                self._public.add(number)
            for user_id in row.creator_user_ids:
                self._by_creator.setdefault(user_id, BitMap()).add(number)
            for tag_id in row.filter_tag_ids:
                self._by_tag.setdefault(tag_id, BitMap()).add(number)
        self._rows_of[series_id] = new
        self._live.update(new)

    # The questions `ViewerPolicy.listed_docs` asks of an index ------------------------------------------

    def listed_docs(self, *, restricted: bool) -> BitMap:
        return (self._live if restricted else self._public).copy()

    def creator_docs(self, user_ids) -> BitMap:
        found = (self._by_creator.get(int(user_id)) for user_id in user_ids)
        return BitMap.union(BitMap(), *(rows for rows in found if rows is not None)) & self._live

    def tag_docs(self, tag_ids) -> BitMap:
        found = (self._by_tag.get(int(tag_id)) for tag_id in tag_ids)
        return BitMap.union(BitMap(), *(rows for rows in found if rows is not None)) & self._live

    def series_of(self, rows: BitMap) -> set[int]:
        return {self._series_of[row] for row in rows}
