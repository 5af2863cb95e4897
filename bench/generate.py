"""Synthetic works with an AO3-like shape, made as arrays (no database) for benchmarking the discovery index.

Shape: fandom popularity follows Zipf (s=1.1 over 3,000 fandoms, so the top fandom holds about a fifth of the
works); characters and relationships come mostly from the work's own fandoms; additional tags from a shared
Zipf pool; about 16 filter tags per work; lognormal word counts; 15% restricted; 5% drafts or hidden, which
never reach the index.
"""

import dataclasses
import os
import sys
from pathlib import Path

import django
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
django.setup()

from fanfold.discovery.index import TagRows, WorkRows  # noqa: E402
from fanfold.tags.models import CATEGORIES, RATINGS, WARNINGS  # noqa: E402

FANDOMS = 3_000
CHARACTERS_PER_FANDOM = 20
RELATIONSHIPS_PER_FANDOM = 15
FREEFORMS = 20_000
LANGUAGES = ["en"] * 17 + ["es", "fr", "de", "ru", "zh", "ja", "pt"]

# Tag ids, in blocks: fixed tags first, then fandoms, characters, relationships, additional tags.
RATING_IDS = np.arange(1, 1 + len(RATINGS))  # Not Rated, General, Teen, Mature, Explicit
WARNING_IDS = np.arange(10, 10 + len(WARNINGS))
CATEGORY_IDS = np.arange(20, 20 + len(CATEGORIES))
FANDOM_BASE = 100
CHARACTER_BASE = FANDOM_BASE + FANDOMS
RELATIONSHIP_BASE = CHARACTER_BASE + FANDOMS * CHARACTERS_PER_FANDOM
FREEFORM_BASE = RELATIONSHIP_BASE + FANDOMS * RELATIONSHIPS_PER_FANDOM
TAG_END = FREEFORM_BASE + FREEFORMS

WORDS = (
    "the of and a to in is you that it he was for on are as with his they at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their if will up "
    "other about out many then them these so some her would make like him into time has look two more write "
    "go see number no way could people my than first water been call who oil its now find long down day did "
    "get come made may part storm light dark winter summer home road letters stars sea fire ghost crown"
).split()


@dataclasses.dataclass
class Synthetic:
    rows: WorkRows  # listed works only
    tags: TagRows
    generated: int  # works made, drafts and hidden ones included
    top_fandom: int
    mature_or_lower: tuple[int, ...]  # rating ids up to Mature, Not Rated included
    fandom_ids: np.ndarray  # by popularity, most popular first


def _zipf(count: int, s: float) -> np.ndarray:
    weights = np.arange(1, count + 1, dtype=np.float64) ** -s
    return weights / weights.sum()


def _pick(rng, probabilities: np.ndarray, size) -> np.ndarray:
    return np.searchsorted(np.cumsum(probabilities), rng.random(size), side="right").clip(0, len(probabilities) - 1)


def _csr(work_of: np.ndarray, values: np.ndarray, works: int) -> tuple[np.ndarray, np.ndarray]:
    """Deduplicated, sorted (work, value) pairs as CSR offsets and values."""
    pairs = np.unique(work_of.astype(np.int64) * (1 << 32) + values.astype(np.int64))
    work_of, values = pairs >> 32, pairs & 0xFFFFFFFF
    offsets = np.concatenate(([0], np.cumsum(np.bincount(work_of, minlength=works)))).astype(np.int64)
    return offsets, values


def _titles(rng, count: int) -> list[str]:
    vocabulary = np.array(WORDS, dtype=object)
    lengths = rng.integers(1, 5, count)
    picks = vocabulary[rng.integers(0, len(WORDS), (count, 4))]
    capitalised = [
        " ".join(word.capitalize() for word in row[:length]) for row, length in zip(picks, lengths, strict=True)
    ]
    return capitalised


def generate(works: int, *, seed: int = 7) -> Synthetic:
    rng = np.random.default_rng(seed)
    n = works
    work_ids = np.arange(1, n + 1, dtype=np.int64)
    listed = rng.random(n) >= 0.05

    pair_work: list[np.ndarray] = []
    pair_tag: list[np.ndarray] = []

    def add(mask_or_all, tags) -> None:
        pair_work.append(work_ids[mask_or_all] - 1 if mask_or_all is not None else work_ids - 1)
        pair_tag.append(tags)

    rating_p = np.array([0.05, 0.25, 0.30, 0.15, 0.25])
    add(None, RATING_IDS[_pick(rng, rating_p, n)])
    warning_p = np.array([0.30, 0.45, 0.10, 0.06, 0.05, 0.04])
    add(None, WARNING_IDS[_pick(rng, warning_p, n)])
    second = rng.random(n) < 0.3
    add(second, WARNING_IDS[_pick(rng, warning_p, int(second.sum()))])
    category_p = np.array([0.25, 0.20, 0.35, 0.10, 0.05, 0.05])
    for chance in (0.85, 0.2):
        some = rng.random(n) < chance
        add(some, CATEGORY_IDS[_pick(rng, category_p, int(some.sum()))])

    fandom_p = _zipf(FANDOMS, 1.1)
    primary = _pick(rng, fandom_p, n)
    add(None, FANDOM_BASE + primary)
    fandom_count = 1 + (rng.random(n) < 0.15) + (rng.random(n) < 0.03)
    secondary = np.where(fandom_count >= 2, _pick(rng, fandom_p, n), primary)
    add(fandom_count >= 2, FANDOM_BASE + secondary[fandom_count >= 2])
    third = fandom_count >= 3
    add(third, FANDOM_BASE + _pick(rng, fandom_p, int(third.sum())))

    # Characters and relationships: nine in ten from the primary fandom, the rest from the second one.
    local_characters = _zipf(CHARACTERS_PER_FANDOM, 1.0)
    local_relationships = _zipf(RELATIONSHIPS_PER_FANDOM, 1.0)
    for slot in range(7):
        some = rng.random(n) < (1.0, 1.0, 0.9, 0.7, 0.5, 0.3, 0.2)[slot]
        fandom = np.where(rng.random(n) < 0.9, primary, secondary)[some]
        add(some, CHARACTER_BASE + fandom * CHARACTERS_PER_FANDOM + _pick(rng, local_characters, len(fandom)))
    for slot in range(3):
        some = rng.random(n) < (0.8, 0.5, 0.25)[slot]
        fandom = np.where(rng.random(n) < 0.9, primary, secondary)[some]
        add(some, RELATIONSHIP_BASE + fandom * RELATIONSHIPS_PER_FANDOM + _pick(rng, local_relationships, len(fandom)))
    freeform_p = _zipf(FREEFORMS, 0.9)
    for slot in range(9):
        some = rng.random(n) < (1.0, 1.0, 0.95, 0.9, 0.8, 0.7, 0.55, 0.4, 0.3)[slot]
        add(some, FREEFORM_BASE + _pick(rng, freeform_p, int(some.sum())))

    tag_offsets, tag_ids = _csr(np.concatenate(pair_work), np.concatenate(pair_tag), n)

    users = max(10, n // 5)
    first_creator = (users * rng.random(n) ** 2.5).astype(np.int64) + 1  # a few prolific creators
    two = rng.random(n) < 0.05
    creator_work = np.concatenate((np.arange(n), np.flatnonzero(two)))
    creator_user = np.concatenate((first_creator, rng.integers(1, users + 1, int(two.sum()))))
    # Credit order: first creator first (kept by a stable sort on the work alone).
    order = np.argsort(creator_work, kind="stable")
    creator_work, creator_user = creator_work[order], creator_user[order]
    creator_offsets = np.concatenate(([0], np.cumsum(np.bincount(creator_work, minlength=n)))).astype(np.int64)
    names = [f"creator{user}" for user in creator_user.tolist()]
    creator_names = [
        ", ".join(names[a:b]) for a, b in zip(creator_offsets[:-1].tolist(), creator_offsets[1:].tolist(), strict=True)
    ]

    chapters = np.where(rng.random(n) < 0.6, 1, 1 + rng.geometric(0.15, n))
    words = np.clip(rng.lognormal(8.0, 1.3, n) * np.sqrt(chapters), 10, 2_000_000).astype(np.int64)
    hits = np.clip(rng.lognormal(6.5, 1.6, n), 0, 5e7).astype(np.int64)
    kudos = (hits * rng.beta(2, 20, n)).astype(np.int64)
    comments = (kudos * rng.beta(1, 6, n)).astype(np.int64)
    bookmarks = (kudos * rng.beta(1, 8, n)).astype(np.int64)
    ten_years = 10 * 365 * 86_400 * 1_000_000
    start = 1_400_000_000 * 1_000_000
    published_us = start + rng.integers(0, ten_years, n)
    revised_us = published_us + (rng.random(n) < 0.4) * rng.integers(0, ten_years // 10, n)
    published_day = published_us // (86_400 * 1_000_000)

    keep = np.flatnonzero(listed)
    kept_tag_offsets, kept_tag_ids = _subset_csr(tag_offsets, tag_ids, keep)
    kept_creator_offsets, kept_creator_users = _subset_csr(creator_offsets, creator_user, keep)
    titles = _titles(rng, n)
    language = np.array(LANGUAGES, dtype=object)[rng.integers(0, len(LANGUAGES), n)]
    keep_list = keep.tolist()
    rows = WorkRows(
        work_ids=work_ids[keep],
        restricted=(rng.random(n) < 0.15)[keep],
        complete=((chapters == 1) | (rng.random(n) < 0.5))[keep],
        language=language[keep].tolist(),
        word_count=words[keep],
        chapter_count=chapters[keep],
        hit_count=hits[keep],
        kudos_count=kudos[keep],
        comment_count=comments[keep],
        bookmark_count=bookmarks[keep],
        revised_at=revised_us[keep],
        published_on=published_day[keep],
        titles=[titles[i] for i in keep_list],
        creator_names=[creator_names[i] for i in keep_list],
        creator_offsets=kept_creator_offsets,
        creator_user_ids=kept_creator_users,
        tag_offsets=kept_tag_offsets,
        tag_ids=kept_tag_ids,
    )
    tags = _tag_rows()
    return Synthetic(
        rows=rows,
        tags=tags,
        generated=n,
        top_fandom=FANDOM_BASE,
        mature_or_lower=tuple(int(t) for t in RATING_IDS[:4]),
        fandom_ids=FANDOM_BASE + np.arange(FANDOMS),
    )


def _subset_csr(offsets: np.ndarray, values: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts, ends = offsets[keep], offsets[keep + 1]
    lengths = ends - starts
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    picked = values[np.arange(int(lengths.sum())) + shift]
    return np.concatenate(([0], np.cumsum(lengths))).astype(np.int64), picked


def _tag_rows() -> TagRows:
    ids, types, names = [], [], []

    def block(tag_ids, tag_type, labels) -> None:
        ids.extend(int(t) for t in tag_ids)
        types.extend([tag_type] * len(tag_ids))
        names.extend(labels)

    block(RATING_IDS, "rating", RATINGS)
    block(WARNING_IDS, "warning", WARNINGS)
    block(CATEGORY_IDS, "category", CATEGORIES)
    block(range(FANDOM_BASE, CHARACTER_BASE), "fandom", [f"Fandom {i}" for i in range(FANDOMS)])
    block(
        range(CHARACTER_BASE, RELATIONSHIP_BASE),
        "character",
        [
            f"Character {i % CHARACTERS_PER_FANDOM} of {i // CHARACTERS_PER_FANDOM}"
            for i in range(FANDOMS * CHARACTERS_PER_FANDOM)
        ],
    )
    block(
        range(RELATIONSHIP_BASE, FREEFORM_BASE),
        "relationship",
        [
            f"A{i % RELATIONSHIPS_PER_FANDOM}/B of {i // RELATIONSHIPS_PER_FANDOM}"
            for i in range(FANDOMS * RELATIONSHIPS_PER_FANDOM)
        ],
    )
    block(range(FREEFORM_BASE, TAG_END), "freeform", [f"Additional tag {i}" for i in range(FREEFORMS)])
    return TagRows(ids=np.asarray(ids, dtype=np.int64), types=types, names=names)
