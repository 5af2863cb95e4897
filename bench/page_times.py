"""Time single page requests in one process, one at a time, against the load benchmark's database.

    .venv/bin/python bench/page_times.py [--database sqlite|postgres] [--requests 60] [--profile work]

Run `bench/load.py --database sqlite --keep-db` (or `--database postgres --reuse-db`) once first: it loads
`var/bench/load/` or the PostgreSQL database `fanfold_load_bench`. Listings and searches are drawn from the load
benchmark's own pools of URLs (its random filters, sorts and search words), so these figures are the per-request
cost behind its routes. Requests go through Django's test client as a guest, DEBUG off; the visits they count
are written to that database. Prints p50/p90 and queries per page; `--profile PAGE` prints pyinstrument's tree
for that page, `--queries PAGE`
the time of each of its queries.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import fulltext_bench  # noqa: E402
import http_bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", choices=("home", "listing", "work", "search"))
    parser.add_argument("--queries", choices=("home", "listing", "work", "search"), help="time each query of PAGE")
    parser.add_argument("--seed", type=int, default=7, help="the load benchmark's seed, for its URL pools")
    args = parser.parse_args()
    fulltext_bench.configure(argparse.Namespace(name="load", db=args.database))
    if args.database == "sqlite" and not fulltext_bench.sqlite_files()[0].exists():
        sys.exit("no database: run bench/load.py --database sqlite --keep-db first")
    if args.database == "postgres" and not fulltext_bench.postgres_database_exists():
        sys.exit("no database: run bench/load.py --database postgres --reuse-db first")
    http_bench.configure_environment(
        argparse.Namespace(
            debug=False,
            scratch=Path(tempfile.mkdtemp(prefix="fanfold-page-times-")),
            db=args.database,
            database=fulltext_bench.PG_DATABASE,
            sqlite_dir=fulltext_bench.SQLITE_DIR,
        )
    )
    os.environ.update(ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR", VISIT_WRITE_BEHIND_SECONDS="1")
    import django

    django.setup()
    import load
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fanfold.discovery.index import get_index

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    get_index()
    pool = load.pools(argparse.Namespace(seed=args.seed, listing_urls=2_000, vocabulary=20_000))
    ids = pool["public_work_ids"]
    rng = random.Random(1)
    pages = {
        "home": lambda: "/",
        "listing": lambda: rng.choice(pool["listing_urls"]),
        "work": lambda: f"/works/{rng.choice(ids)}/?view_adult=true",
        "search": lambda: rng.choice(pool["search_urls"]),
    }
    client = Client()
    for name, path in pages.items():
        for _ in range(10):
            client.get(path())
        profiler = None
        if args.profile == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        times, queries = [], 0
        query_times: dict[int, list[tuple[float, str]]] = {}
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path())
                times.append((time.perf_counter() - started) * 1000)
            queries += len(captured)
            if args.queries == name:
                for number, query in enumerate(captured.captured_queries):
                    query_times.setdefault(number, []).append((float(query["time"]) * 1000, query["sql"]))
            assert response.status_code == 200, (name, response.status_code)
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
        for number, timed in sorted(query_times.items()):
            spent = sorted(ms for ms, _sql in timed)
            median, sql = spent[len(spent) // 2], timed[0][1][:300]
            print(f"  query {number + 1}: p50 {median:.2f} ms, max {spent[-1]:.2f} ms: {sql}")
        times.sort()
        print(
            f"{name:8} p50 {times[len(times) // 2]:.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms, "
            f"{queries / args.requests:.1f} queries"
        )


if __name__ == "__main__":
    main()
