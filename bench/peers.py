"""What the peers share: the slice of `WorkFilter` they translate, and facet counts split by tag type.

A peer answers the same question as `DiscoveryIndex.search`: one page of work ids in the chosen order, the exact
total, and (when asked) the exact number of matching works under every filter tag, grouped by the tag's type.
Guests never see restricted works.
"""

import dataclasses

import numpy as np

from fanfold.discovery.query import WorkFilter

# Sorts ending in a tie on the work id, as the index does.
SORT_COLUMNS = {
    "revised_at": "revised_at",
    "published_on": "published_on",
    "title": "title",
    "creator": "creator",
    "word_count": "word_count",
    "hit_count": "hit_count",
    "kudos_count": "kudos_count",
    "comment_count": "comment_count",
    "bookmark_count": "bookmark_count",
}


@dataclasses.dataclass
class PeerResult:
    work_ids: list[int]
    total: int
    facets: dict[str, tuple[np.ndarray, np.ndarray]]  # tag type -> (tag ids, counts)


def check_supported(work_filter: WorkFilter) -> None:
    """The peers translate tags, ratings, sort and page; fail loudly on anything else."""
    default = WorkFilter()
    for field in dataclasses.fields(WorkFilter):
        if field.name in ("include_tags", "exclude_tags", "ratings", "sort", "direction", "page"):
            continue
        if getattr(work_filter, field.name) != getattr(default, field.name):
            raise NotImplementedError(f"peers do not translate {field.name}")


class TagTypes:
    """Tag id -> type, to split one flat list of (tag, count) into the seven types."""

    def __init__(self, tags) -> None:
        self.names = sorted(set(tags.types))
        code = {name: i for i, name in enumerate(self.names)}
        self.type_of = np.full(int(tags.ids.max()) + 1, -1, dtype=np.int16)
        self.type_of[tags.ids] = [code[t] for t in tags.types]

    def split(self, tag_ids: np.ndarray, counts: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        types = self.type_of[tag_ids]
        order = np.argsort(types, kind="stable")
        types, tag_ids, counts = types[order], tag_ids[order], counts[order]
        bounds = np.searchsorted(types, np.arange(len(self.names) + 1))
        return {
            name: (tag_ids[bounds[i] : bounds[i + 1]], counts[bounds[i] : bounds[i + 1]])
            for i, name in enumerate(self.names)
            if bounds[i + 1] > bounds[i]
        }
