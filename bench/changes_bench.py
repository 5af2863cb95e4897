"""What keeping the index current costs: counter changes in place, whole re-reads, compaction, and the
database's change-log triggers on every write.

    DEBUG=1 .venv/bin/python bench/changes_bench.py [--works 1000000] [--database sqlite|postgres] [--writes 2000]

Part one works on synthetic arrays (no database): it times `apply_counts` (a kudos or hit batch written in
place), a whole re-read of changed works (tombstone and append), and a full rebuild (what compaction costs,
less reading the database), and shows how memory grows with each. Part two times single-row writes to the
works table with the change-log triggers and without them, on a scratch database.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import percentiles  # noqa: E402

SCRATCH_PG = "fanfold_changes_bench"


def summary(samples: list[float]) -> str:
    found = percentiles(samples)
    return f"p50 {found['p50_ms']:.2f} ms, p95 {found['p95_ms']:.2f} ms"


def subset_rows(rows, picks: np.ndarray):
    """The WorkRows of the works at positions `picks` (as a re-read of those works would return)."""
    from generate import _subset_csr

    from fanfold.discovery.index import WorkRows

    tag_offsets, tag_ids = _subset_csr(rows.tag_offsets, rows.tag_ids, picks)
    creator_offsets, creator_ids = _subset_csr(rows.creator_offsets, rows.creator_user_ids, picks)
    plain = {
        name: np.asarray(getattr(rows, name))[picks]
        for name in (
            "work_ids",
            "restricted",
            "complete",
            "word_count",
            "chapter_count",
            "hit_count",
            "kudos_count",
            "comment_count",
            "bookmark_count",
            "revised_at",
            "published_on",
        )
    }
    listed = picks.tolist()
    return WorkRows(
        **plain,
        language=[rows.language[i] for i in listed],
        titles=[rows.titles[i] for i in listed],
        creator_names=[rows.creator_names[i] for i in listed],
        creator_offsets=creator_offsets,
        creator_user_ids=creator_ids,
        tag_offsets=tag_offsets,
        tag_ids=tag_ids,
    )


def index_part(works: int, repeat: int) -> None:
    from generate import generate

    from fanfold.discovery.index import DiscoveryIndex

    synthetic = generate(works)
    rows = synthetic.rows
    started = time.perf_counter()
    index = DiscoveryIndex.from_arrays(rows, synthetic.tags)
    print(
        f"index of {len(rows):,} listed works built in {time.perf_counter() - started:.1f} s "
        f"(a compaction costs this plus reading the works), {index.nbytes() / 2**20:.0f} MiB"
    )
    rng = random.Random(5)
    ids = rows.work_ids
    for batch in (1, 10, 100, 1000):
        samples = []
        for _ in range(repeat if batch < 1000 else max(5, repeat // 10)):
            picks = [int(ids[rng.randrange(len(ids))]) for _ in range(batch)]
            found = [
                (work_id, rng.randrange(10**5), rng.randrange(10**6), rng.randrange(10**3), 0) for work_id in picks
            ]
            started = time.perf_counter()
            index.apply_counts(found)
            samples.append(time.perf_counter() - started)
        print(f"counters of {batch:>4} works in place: {summary(samples)}; docs still {index.doc_count:,}")
    before = index.nbytes()
    for batch in (1, 10, 100):
        samples = []
        for _ in range(max(5, repeat // 4)):
            picks = np.asarray(sorted(rng.sample(range(len(ids)), batch)), dtype=np.int64)
            changed = subset_rows(rows, picks)
            started = time.perf_counter()
            with index._lock:
                old = index._doc_of[changed.work_ids]
                index._tombstone(old[old >= 0].astype(np.int64))
                docs = index._add(changed, synthetic.tags)
                index._insert_sorted(docs)
            samples.append(time.perf_counter() - started)
        print(f"whole re-read of {batch:>3} works (tombstone + append): {summary(samples)}")
    grown = index.nbytes() - before
    print(
        f"after {index.tombstones:,} tombstones: +{grown / 2**20:.1f} MiB "
        f"({grown / max(1, index.tombstones):.0f} bytes per replaced work); wants compacting: "
        f"{index.wants_compacting()}"
    )


def prepare_database(database: str) -> None:
    """Point Django at a scratch database (before `django.setup()`)."""
    if database == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_PG}")
            admin.execute(f"CREATE DATABASE {SCRATCH_PG}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{SCRATCH_PG}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["FANFOLD_VAR_DIR"] = tempfile.mkdtemp(prefix="fanfold-changes-")


def database_part(database: str, writes: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F

    from fanfold.discovery.changelog import drop_triggers, install_triggers
    from fanfold.discovery.models import WorkChange
    from fanfold.works.models import Work

    try:
        call_command("migrate", verbosity=0)
        Work.objects.bulk_create([Work(title=f"Work {n}", posted=True) for n in range(1000)])
        ids = list(Work.objects.values_list("pk", flat=True))
        rng = random.Random(3)

        def timed(label: str) -> dict:
            results = {}
            for kind, write in (
                ("kudos +1", lambda pk: Work.objects.filter(pk=pk).update(kudos_count=F("kudos_count") + 1)),
                ("title edit", lambda pk: Work.objects.filter(pk=pk).update(title=f"Edited {rng.random()}")),
            ):
                samples = []
                for _ in range(writes):
                    pk = rng.choice(ids)
                    started = time.perf_counter()
                    write(pk)
                    samples.append(time.perf_counter() - started)
                results[kind] = statistics.mean(samples)
                print(f"{connection.vendor} {label:>16} {kind:>10}: {summary(samples)}")
            return results

        notes_before = WorkChange.objects.count()
        with_triggers = timed("with triggers")
        notes = WorkChange.objects.count() - notes_before
        with connection.schema_editor() as editor:
            drop_triggers(editor, Work)
        without = timed("without triggers")
        with connection.schema_editor() as editor:
            install_triggers(editor, Work)
        for kind in with_triggers:
            extra = (with_triggers[kind] - without[kind]) * 1000
            print(f"{connection.vendor} trigger cost per {kind}: {extra:+.3f} ms (mean)")
        print(f"{connection.vendor}: {notes:,} notes for {2 * writes:,} writes")
    finally:
        connection.close()
        if database == "postgres":
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_PG}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--database", choices=["sqlite", "postgres", "none"], default="sqlite")
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
    if args.database != "none":
        prepare_database(args.database)
    import django

    django.setup()
    if args.works:
        index_part(args.works, args.repeat)
    if args.database != "none":
        database_part(args.database, args.writes)


if __name__ == "__main__":
    main()
