"""Benchmark the discovery index on synthetic works: build time, memory, and query latency per query class.

    DEBUG=1 .venv/bin/python bench/run.py [--works 1000000] [--repeat 200] [--peers postgres,tantivy]
                                           [--peer-repeat 20]

Prints p50/p95 per class and writes bench/results/latest.json. Then builds each peer (PostgreSQL, Tantivy) from the
same generated works, checks it agrees with the index on the first query of each class, and times it on the
same selective, broad and huge queries; `--peers none` skips them.
"""

import argparse
import ctypes
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
from generate import generate  # noqa: E402

from fanfold.discovery.index import DiscoveryIndex, TextLimit  # noqa: E402
from fanfold.discovery.query import BEST_MATCH, SORTS, WorkFilter  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
# What a full-text search hands the index in the "text + filters" class: this share of all works, at random.
TEXT_SHARE = 0.02
# Best-match scores are sums of field weights (fulltext.FIELD_WEIGHTS), so many works tie, as in real searches.
TEXT_SCORES = (2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0)
TEXT_LIMITS = 10


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def release_freed_memory() -> None:
    """Hand freed heap pages back to the system so RSS shows what is still held."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass


def selective_filters(synthetic, rng: random.Random, count: int) -> list[WorkFilter]:
    """One fandom (outside the top ten), two tags its works carry, two additional tags excluded."""
    rows = synthetic.rows
    offsets, tag_ids = rows.tag_offsets, rows.tag_ids
    fandoms = set(synthetic.fandom_ids[10:200].tolist())
    fandom_low, fandom_high = int(synthetic.fandom_ids[0]), int(synthetic.fandom_ids[-1])
    filters = []
    while len(filters) < count:
        doc = rng.randrange(len(rows))
        tags = tag_ids[offsets[doc] : offsets[doc + 1]].tolist()
        own_fandoms = [t for t in tags if t in fandoms]
        others = [t for t in tags if t > fandom_high]
        if not own_fandoms or len(others) < 2:
            continue
        included = rng.sample(others, 2)
        # Excluded tags never overlap the included ones (which would match nothing at all).
        excluded = [t for t in rng.sample(others, len(others)) if t not in included][:2]
        filters.append(
            WorkFilter(
                include_tags=(own_fandoms[0], *included),
                exclude_tags=tuple(excluded) or (fandom_low,),
                sort=rng.choice(SORTS),
                direction=rng.choice(["desc", "asc"]),
            )
        )
    return filters


def text_limits(generated: int, seed: int) -> list[TextLimit]:
    """What full-text searches matched: each a random `TEXT_SHARE` of every work made (drafts and hidden works
    included, as their search texts are stored too), with scores."""
    rng = np.random.default_rng(seed)
    limits = []
    for _ in range(TEXT_LIMITS):
        work_ids = np.sort(
            rng.choice(np.arange(1, generated + 1), size=max(1, int(generated * TEXT_SHARE)), replace=False)
        )
        scores = np.asarray(TEXT_SCORES)[rng.integers(0, len(TEXT_SCORES), len(work_ids))]
        limits.append(TextLimit(work_ids=work_ids, score_ids=work_ids, scores=scores))
    return limits


def text_filters(fandoms: list[int], ratings: tuple[int, ...], sort: str, count: int, rng: random.Random):
    """A fandom (one of the `fandoms`) and a rating filter, to go with a text search's `TextLimit`."""
    query = "x" if sort == BEST_MATCH else ""  # best match needs a search typed; the index reads only `text`
    return [
        WorkFilter(include_tags=(rng.choice(fandoms),), ratings=ratings, query=query, sort=sort) for _ in range(count)
    ]


def time_queries(
    index, filters, *, facets: bool, facet_limit=None, rng: random.Random, texts: list[TextLimit] | None = None
) -> tuple[dict, list[int]]:
    samples, totals = [], []
    for number, work_filter in enumerate(filters):
        signed_in = rng.random() < 0.5
        text = texts[number % len(texts)] if texts else None
        started = time.perf_counter()
        result = index.search(work_filter, signed_in=signed_in, facets=facets, facet_limit=facet_limit, text=text)
        samples.append(time.perf_counter() - started)
        totals.append(result.total)
    return percentiles(samples), totals


def make_peer(name: str):
    if name == "postgres":
        from peer_postgres import PostgresPeer

        return PostgresPeer() if PostgresPeer.available() else None
    if name == "tantivy":
        try:
            from peer_tantivy import TantivyPeer
        except ImportError:
            return None
        return TantivyPeer()
    raise SystemExit(f"unknown peer {name!r}")


def facet_totals(facets, *, peer: bool) -> dict[str, tuple[int, int]]:
    """Per tag type: how many tags were counted and the sum of their counts."""
    if peer:
        return {kind: (len(ids), int(counts.sum())) for kind, (ids, counts) in facets.items()}
    return {kind: (len(c.tag_ids), int(np.asarray(c.counts).sum())) for kind, c in facets.items() if len(c.tag_ids)}


def run_peers(names: list[str], args, index, classes: dict[str, list]) -> dict:
    """Build each peer from a fresh copy of the same generated works and time the same queries."""
    print(f"\nregenerating the same {args.works:,} works for the peers…", flush=True)
    synthetic = generate(args.works, seed=args.seed)
    results = {}
    for name in names:
        peer = make_peer(name)
        if peer is None:
            print(f"{name}: not available, skipped")
            results[name] = {"available": False}
            continue
        print(f"{name}: building…", flush=True)
        try:
            build = peer.build(synthetic)
            build = build if isinstance(build, dict) else {"total_s": build}
            build = {key: round(value, 2) for key, value in build.items()}
            print(f"{name}: built in {build['total_s']} s {build}", flush=True)
            entry = {"available": True, "build": build, "queries": {}}
            for class_name, filters in classes.items():
                filters = filters[: args.peer_repeat]
                signed = [i % 2 == 0 for i in range(len(filters))]
                # Same answer as the index on the first query, or the timing means nothing.
                mine = index.search(filters[0], signed_in=signed[0], facets=True)
                theirs = peer.search(filters[0], signed_in=signed[0], facets=True)
                if mine.total != theirs.total or facet_totals(mine.facets, peer=False) != facet_totals(
                    theirs.facets, peer=True
                ):
                    raise AssertionError(f"{name} disagrees with the index on {class_name}: {filters[0]}")
                timings = {}
                for facets in (False, True):
                    samples = []
                    for work_filter, signed_in in zip(filters, signed, strict=True):
                        started = time.perf_counter()
                        peer.search(work_filter, signed_in=signed_in, facets=facets)
                        samples.append(time.perf_counter() - started)
                    timings["with_all_facets" if facets else "page_and_total"] = percentiles(samples)
                entry["queries"][class_name] = timings
                print(
                    f"{name}: {class_name:9} page+total {timings['page_and_total']['p50_ms']:.2f} / "
                    f"{timings['page_and_total']['p95_ms']:.2f} ms, +facets {timings['with_all_facets']['p50_ms']:.2f}"
                    f" / {timings['with_all_facets']['p95_ms']:.2f} ms",
                    flush=True,
                )
            if hasattr(peer, "opclass"):
                entry["gin_opclass"] = peer.opclass
            results[name] = entry
        finally:
            peer.close()
    return results


def print_comparison(report: dict) -> None:
    peers = {name: entry for name, entry in report["peers"].items() if entry.get("available")}
    if not peers:
        return
    print("\np50 / p95 ms; ratio = peer p50 / Fanfold p50 (how many times faster Fanfold is)")
    header = f"{'class':10} {'measure':16} {'fanfold':>17}"
    for name in peers:
        header += f" {name:>19} {'ratio':>7}"
    print(header)
    for class_name in ("selective", "broad", "huge"):
        for measure, label in (("page_and_total", "page+total"), ("with_all_facets", "+all facets")):
            mine = report["queries"][class_name][measure]
            line = f"{class_name:10} {label:16} {mine['p50_ms']:>8.2f} / {mine['p95_ms']:<6.2f}"
            for entry in peers.values():
                theirs = entry["queries"][class_name][measure]
                ratio = theirs["p50_ms"] / mine["p50_ms"] if mine["p50_ms"] else float("nan")
                theirs_p95 = theirs["p95_ms"]
                line += f" {theirs['p50_ms']:>9.2f} / {theirs_p95:<7.2f} {ratio:>6.1f}×"
                entry["queries"][class_name].setdefault("fanfold_speedup_p50", {})[measure] = round(ratio, 1)
            print(line)
    for name, entry in peers.items():
        print(f"{name} build/load: {entry['build']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="queries per class")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peers", default="postgres,tantivy", help="comma-separated peers, or none")
    parser.add_argument("--peer-repeat", type=int, default=20, help="queries per class for each peer")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    release_freed_memory()
    rss_start = rss_mib()
    print(f"generating {args.works:,} works…", flush=True)
    started = time.perf_counter()
    synthetic = generate(args.works, seed=args.seed)
    generate_s = time.perf_counter() - started
    gc.collect()
    rss_before = rss_mib()

    started = time.perf_counter()
    index = DiscoveryIndex.from_arrays(synthetic.rows, synthetic.tags)
    build_s = time.perf_counter() - started
    gc.collect()
    rss_after = rss_mib()
    listed = len(index)
    postings = len(synthetic.rows.tag_ids)
    selective = selective_filters(synthetic, rng, args.repeat)
    top_fandom, mature_or_lower, generated = synthetic.top_fandom, synthetic.mature_or_lower, synthetic.generated
    top_fandoms = [int(t) for t in synthetic.fandom_ids[:10]]
    tag_count = len(synthetic.tags.ids)
    # What the index holds once its inputs are gone: RSS now, less RSS before anything was generated.
    del synthetic
    release_freed_memory()
    rss_index = rss_mib()
    print(f"built index of {listed:,} listed works ({postings / listed:.1f} filter tags each) in {build_s:.1f} s")

    report = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(), "numpy": np.__version__},
        "works_generated": generated,
        "works_listed": listed,
        "filter_tags_per_work": round(postings / listed, 2),
        "tags": tag_count,
        "generate_s": round(generate_s, 2),
        "build_s": round(build_s, 2),
        "index_bytes_mib": round(index.nbytes() / 2**20, 1),
        "rss_growth_during_build_mib": round(rss_after - rss_before, 1),
        "rss_held_by_index_mib": round(rss_index - rss_start, 1),
        "rss_mib": round(rss_index, 1),
        "peak_rss_mib": round(rss_mib("VmHWM"), 1),
        "queries": {},
    }

    huge = [WorkFilter(ratings=mature_or_lower)] * args.repeat
    broad = [WorkFilter(include_tags=(top_fandom,), ratings=mature_or_lower)] * args.repeat
    classes = {"selective": selective, "broad": broad, "huge": huge}
    for sort in SORTS:
        for direction in ("desc", "asc"):
            classes[f"huge by {sort} {direction}"] = [
                WorkFilter(ratings=mature_or_lower, sort=sort, direction=direction)
            ] * max(20, args.repeat // 4)
    classes["huge, page 50"] = [WorkFilter(ratings=mature_or_lower, page=50)] * max(20, args.repeat // 4)
    classes["everything"] = [WorkFilter()] * max(20, args.repeat // 4)
    # Built after the memory figures are taken, so they stay the index's alone; their own random source, so
    # the classes above see the same guests and readers as before.
    limits = text_limits(generated, args.seed)
    text_rng = random.Random(args.seed + 1)
    texts = {}
    for label, sort in (("best match", BEST_MATCH), ("by kudos", "kudos_count")):
        name = f"text {TEXT_SHARE:.0%} + filters, {label}"
        classes[name] = text_filters(top_fandoms, mature_or_lower, sort, args.repeat, text_rng)
        texts[name] = limits

    # Warm up lazily computed parts (text sort ranks, tag name ranks) so they are not charged to one query.
    for work_filter in (huge[0], WorkFilter(sort="title"), WorkFilter(sort="creator", direction="asc")):
        index.search(work_filter, signed_in=True)

    print(f"\n{'class':34} {'matched (mean)':>14} {'page+total p50/p95 ms':>22} {'+all facets p50/p95 ms':>23}")
    for name, filters in classes.items():
        text = texts.get(name)
        page, totals = time_queries(index, filters, facets=False, rng=rng, texts=text)
        entry = {"matched_mean": int(statistics.mean(totals)), "page_and_total": page}
        if text:
            entry["text_limit"] = {"share_of_works": TEXT_SHARE, "work_ids": len(text[0].work_ids)}
        line = f"{name:34} {entry['matched_mean']:>14,} {page['p50_ms']:>10.2f} / {page['p95_ms']:<9.2f}"
        if not name.startswith("huge by") and not name.startswith("huge, page"):
            with_facets, _ = time_queries(index, filters, facets=True, rng=rng, texts=text)
            top_facets, _ = time_queries(index, filters, facets=True, facet_limit=10, rng=rng, texts=text)
            entry["with_all_facets"] = with_facets
            entry["with_top_10_facets"] = top_facets
            line += f" {with_facets['p50_ms']:>10.2f} / {with_facets['p95_ms']:<9.2f}"
        report["queries"][name] = entry
        print(line, flush=True)

    print(
        f"\nbuild {report['build_s']} s; index arrays and bitmaps {report['index_bytes_mib']} MiB; "
        f"RSS held by the index {report['rss_held_by_index_mib']} MiB (process {report['rss_mib']} MiB, "
        f"peak {report['peak_rss_mib']} MiB while generating and building)"
    )
    peers = [] if args.peers in ("", "none") else args.peers.split(",")
    if peers:
        report["peers"] = run_peers(peers, args, index, {k: classes[k] for k in ("selective", "broad", "huge")})
        print_comparison(report)
    write_report(RESULTS / "latest.json", report)


if __name__ == "__main__":
    main()
