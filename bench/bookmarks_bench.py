"""Benchmark the bookmark index on synthetic bookmarks of synthetic works: build time, memory, query latency.

    DEBUG=1 .venv/bin/python bench/bookmarks_bench.py [--works 1000000] [--bookmarks-per-work 3] [--repeat 200]

Bookmarks go to works in proportion to their kudos (popular works have many); bookmarkers follow a steep power
law (a few readers keep thousands); 10% are private, 20% recs, 35% have notes; each carries up to three of the
bookmarker's own tags from the additional tags' Zipf pool; 1% are of works since deleted or hidden. Queries
alternate between a guest, a signed-in reader, and a reader with five muted users and two excluded tags. Prints
p50/p95 per class and writes bench/results/bookmarks.json.
"""

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentiles, write_report  # noqa: E402
from generate import FREEFORM_BASE, FREEFORMS, _pick, _subset_csr, _zipf, generate  # noqa: E402
from run import release_freed_memory, rss_mib  # noqa: E402

from fanfold.bookmarks.index import MEMBERS, OPEN, UNAVAILABLE, BookmarkIndex, BookmarkRows  # noqa: E402
from fanfold.bookmarks.query import BOOKMARK_SORTS, BookmarkFilter  # noqa: E402
from fanfold.works.visibility import GUEST, ViewerPolicy  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DAY_US = 86_400 * 1_000_000


def make_bookmarks(synthetic, count: int, seed: int) -> tuple[BookmarkRows, dict]:
    rng = np.random.default_rng(seed)
    works = synthetic.rows
    n_works = len(works)
    weights = works.bookmark_count.astype(np.float64) + 1.0
    work_of = _pick(rng, weights / weights.sum(), count)
    readers = max(10, n_works // 3)
    user_ids = (readers * rng.random(count) ** 3).astype(np.int64) + 1
    unavailable = rng.random(count) < 0.01
    state = np.where(works.restricted[work_of], MEMBERS, OPEN).astype(np.int8)
    state[unavailable] = UNAVAILABLE

    work_term_offsets, work_tags = _subset_csr(works.tag_offsets, works.tag_ids, work_of)
    lengths = np.diff(work_term_offsets)
    lengths[unavailable] = 0  # an unavailable work's tags are not indexed
    keep = np.repeat(~unavailable, np.diff(work_term_offsets))
    work_pairs = (np.repeat(np.arange(count), lengths), 2 * work_tags[keep])
    own_count = _pick(rng, np.array([0.45, 0.25, 0.18, 0.12]), count)
    own_owner = np.repeat(np.arange(count), own_count)
    own_tags = FREEFORM_BASE + _pick(rng, _zipf(FREEFORMS, 0.9), len(own_owner))
    owners = np.concatenate((work_pairs[0], own_owner))
    terms = np.concatenate((work_pairs[1], 2 * own_tags + 1))
    keys = np.unique(owners.astype(np.int64) * (1 << 32) + terms)
    owners, terms = keys >> 32, keys & 0xFFFFFFFF
    term_offsets = np.concatenate(([0], np.cumsum(np.bincount(owners, minlength=count)))).astype(np.int64)

    creator_offsets, creators = _subset_csr(works.creator_offsets, works.creator_user_ids, work_of)
    creator_lengths = np.diff(creator_offsets)
    creator_keep = np.repeat(~unavailable, creator_lengths)
    creator_lengths[unavailable] = 0
    revised = works.revised_at[work_of]
    rows = BookmarkRows(
        bookmark_ids=np.arange(1, count + 1, dtype=np.int64),
        user_ids=user_ids,
        work_ids=np.where(unavailable, 0, works.work_ids[work_of]),
        private=rng.random(count) < 0.10,
        rec=rng.random(count) < 0.20,
        has_notes=rng.random(count) < 0.35,
        state=state,
        created_at=revised + rng.integers(0, 2 * 365 * DAY_US, count),
        work_revised_at=revised,
        creator_offsets=np.concatenate(([0], np.cumsum(creator_lengths))).astype(np.int64),
        creator_user_ids=creators[creator_keep],
        term_offsets=term_offsets,
        term_ids=terms.astype(np.int64),
    )
    popular_work = int(np.bincount(work_of).argmax())
    facts = {
        "popular_work_id": int(works.work_ids[popular_work]),
        "busy_user_id": int(np.bincount(user_ids).argmax()),
        "top_own_tag": int(FREEFORM_BASE),
        "latest_day": int(rows.created_at.max() // DAY_US),
        "work_ids": works.work_ids,
        "users": readers,
    }
    return rows, facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--bookmarks-per-work", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=200, help="queries per class")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    release_freed_memory()
    rss_start = rss_mib()
    print(f"generating {args.works:,} works…", flush=True)
    synthetic = generate(args.works, seed=args.seed)
    print(f"generating {int(args.works * args.bookmarks_per_work):,} bookmarks…", flush=True)
    started = time.perf_counter()
    rows, facts = make_bookmarks(synthetic, int(args.works * args.bookmarks_per_work), args.seed)
    generate_s = time.perf_counter() - started
    tags = synthetic.tags
    top_fandom, mature_or_lower = synthetic.top_fandom, synthetic.mature_or_lower
    fandoms = [int(t) for t in synthetic.fandom_ids[10:200]]
    del synthetic
    release_freed_memory()

    started = time.perf_counter()
    index = BookmarkIndex.from_arrays(rows, tags)
    build_s = time.perf_counter() - started
    postings = len(rows.term_ids)
    bookmark_count = len(rows)
    del rows
    release_freed_memory()
    rss_index = rss_mib()
    print(
        f"built index of {bookmark_count:,} bookmarks ({postings / bookmark_count:.1f} terms each) in {build_s:.1f} s"
    )

    readers = facts["users"]
    picky = ViewerPolicy(
        user_id=readers + 1,
        muted_user_ids=frozenset(range(2, 7)),
        excluded_tag_ids=frozenset({FREEFORM_BASE + 1, FREEFORM_BASE + 2}),
    )
    policies = [GUEST, ViewerPolicy(user_id=readers + 2), picky]
    day = facts["latest_day"]
    import datetime as dt

    last_year = dt.date(1970, 1, 1) + dt.timedelta(days=day - 365)
    some_works = facts["work_ids"][np.random.default_rng(args.seed).integers(0, len(facts["work_ids"]), args.repeat)]
    classes = {
        "everything": [BookmarkFilter()] * args.repeat,
        "everything, by work's update": [BookmarkFilter(sort="work_revised_at")] * args.repeat,
        "rated Mature or lower, asc": [BookmarkFilter(ratings=mature_or_lower, direction="asc")] * args.repeat,
        "top fandom": [BookmarkFilter(include_tags=(top_fandom,))] * args.repeat,
        "top fandom, recs with notes": [BookmarkFilter(include_tags=(top_fandom,), rec_only=True, with_notes=True)]
        * args.repeat,
        "a fandom (ranks 10-200)": [
            BookmarkFilter(include_tags=(rng.choice(fandoms),), sort=rng.choice(BOOKMARK_SORTS))
            for _ in range(args.repeat)
        ],
        "bookmarker's tag (the most used)": [BookmarkFilter(bookmark_tags=(facts["top_own_tag"],))] * args.repeat,
        "bookmarked in the last year": [BookmarkFilter(bookmarked_from=last_year)] * args.repeat,
        "a busy reader's bookmarks": [BookmarkFilter(user_ids=(facts["busy_user_id"],))] * args.repeat,
        "a random work's bookmarks": [BookmarkFilter(work_id=int(w)) for w in some_works],
        "the most bookmarked work's": [BookmarkFilter(work_id=facts["popular_work_id"])] * args.repeat,
        "everything, page 50": [BookmarkFilter(page=50)] * args.repeat,
    }
    report = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(), "numpy": np.__version__},
        "works_generated": args.works,
        "bookmarks": bookmark_count,
        "terms_per_bookmark": round(postings / bookmark_count, 2),
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 2),
        "index_bytes_mib": round(index.nbytes() / 2**20, 1),
        # RSS now, less RSS before anything was generated (the works' arrays kept for picking queries included).
        "rss_held_by_index_mib": round(rss_index - rss_start, 1),
        "peak_rss_mib": round(rss_mib("VmHWM"), 1),
        "queries": {},
    }
    index.search(BookmarkFilter(), policy=GUEST)  # warm up
    print(
        f"\n{'class':34} {'matched (mean)':>14} {'page+total p50/p95 ms':>22} {'+all facets p50/p95 ms':>23} "
        f"{'+top 50 facets p50/p95':>23}"
    )
    for name, filters in classes.items():
        entry = {}
        for measure, facets, limit in (
            ("page_and_total", False, None),
            ("with_all_facets", True, None),
            ("with_top_50_facets", True, 50),
        ):
            samples, totals = [], []
            for number, bookmark_filter in enumerate(filters):
                policy = policies[number % len(policies)]
                started = time.perf_counter()
                result = index.search(bookmark_filter, policy=policy, facets=facets, facet_limit=limit)
                samples.append(time.perf_counter() - started)
                totals.append(result.total)
            entry[measure] = percentiles(samples)
            entry["matched_mean"] = int(statistics.mean(totals))
        report["queries"][name] = entry
        page, every, top = entry["page_and_total"], entry["with_all_facets"], entry["with_top_50_facets"]
        print(
            f"{name:34} {entry['matched_mean']:>14,} {page['p50_ms']:>10.2f} / {page['p95_ms']:<9.2f}"
            f" {every['p50_ms']:>10.2f} / {every['p95_ms']:<9.2f} {top['p50_ms']:>10.2f} / {top['p95_ms']:<9.2f}",
            flush=True,
        )
    gc.collect()
    print(
        f"\nbuild {report['build_s']} s; index arrays and bitmaps {report['index_bytes_mib']} MiB; RSS held by the "
        f"index {report['rss_held_by_index_mib']} MiB (peak {report['peak_rss_mib']} MiB while generating and building)"
    )
    write_report(RESULTS / "bookmarks.json", report)


if __name__ == "__main__":
    main()
