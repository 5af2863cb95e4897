"""Time single page requests in one process, one at a time, against the load benchmark's SQLite database.

    .venv/bin/python bench/page_times.py [--requests 60] [--profile work]

Run `bench/load.py --database sqlite --keep-db` once first (it loads `var/bench/load/`). Requests go through
Django's test client as a guest, DEBUG off; the visits they count are written to that database. Prints p50/p90
per page; `--profile PAGE` prints pyinstrument's tree for that page.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", choices=("home", "listing", "work", "search"))
    args = parser.parse_args()
    database = ROOT / "var" / "bench" / "load"
    if not (database / "fanfold.sqlite3").exists():
        sys.exit("no database: run bench/load.py --database sqlite --keep-db first")
    static = Path(tempfile.mkdtemp(prefix="fanfold-page-times-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fanfold.settings",
        DEBUG="0",
        SECRET_KEY="page-times-" + "x" * 40,
        DATABASE_URL="",
        FANFOLD_VAR_DIR=str(database),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(static),
        LOG_LEVEL="ERROR",
        VISIT_WRITE_BEHIND_SECONDS="1",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from fanfold.discovery.index import get_index
    from fanfold.works.models import Work

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    get_index()
    ids = list(Work.objects.filter(posted=True, hidden=False, restricted=False).values_list("id", flat=True))
    rng = random.Random(1)
    sorts = ["kudos_count", "hit_count", "revised_at", "word_count"]
    words = ["the", "light", "house", "night", "sea", "storm"]
    pages = {
        "home": lambda: "/",
        "listing": lambda: f"/works/?sort={rng.choice(sorts)}&page={rng.randint(1, 5)}",
        "work": lambda: f"/works/{rng.choice(ids)}/?view_adult=true",
        "search": lambda: f"/works/?q={rng.choice(words)}",
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
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(path())
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
        times.sort()
        print(f"{name:8} p50 {times[len(times) // 2]:.1f} ms, p90 {times[int(len(times) * 0.9)]:.1f} ms")


if __name__ == "__main__":
    main()
