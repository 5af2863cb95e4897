"""What recording a reader's history costs a work page: signed-in work pages timed with and without it.

    .venv/bin/python bench/history_bench.py [--database sqlite|postgres] [--works 300] [--readers 20]
                                            [--requests 300] [--keep-db]

Seeds a scratch database (a SQLite file in a temporary directory, or PostgreSQL database `fanfold_history_bench`
on 127.0.0.1:5432) with `--works` one-chapter works of about 1,500 words and `--readers` readers, through the
archive's services, then loads signed-in work pages through Django's test client in this process (DEBUG off,
static files collected), each request in one of three modes drawn at random, so the machine's noise falls on
each alike:

- **no history**: the page without the history code at all (its call replaced by a stub);
- **history off**: the reader turned history off in their preferences (one read, for the Mark for Later button);
- **history on**: every visit is recorded (one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement).

Readers and works are drawn at random, so visits are a mix of first visits (an insert) and return visits (an
update). Then times the recording call alone. Prints p50/p95/p99 per mode, queries per page, the p95 change
against "no history" and the call's own cost; writes
bench/results/history.json. The database is dropped at the end unless `--keep-db`.
"""

import argparse
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import percentiles, write_report  # noqa: E402

PG_DATABASE = "fanfold_history_bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
MODES = ("no history", "history off", "history on")
PROSE = (
    "The lamplighter walked the long road by the harbour, counting the lamps that still had oil in them, "
    "and the gulls followed at a distance as though they expected bread. "
)


def configure(args, scratch: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanfold.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "0"
    os.environ["STATIC_ROOT"] = str(scratch / "static")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.database == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        os.environ["DATABASE_URL"] = ""
        os.environ["FANFOLD_VAR_DIR"] = str(scratch / "var")


def seed(args) -> tuple[list[int], list]:
    from django.contrib.auth.hashers import make_password

    from fanfold.accounts.models import Preference, Pseud, User
    from fanfold.works.services import ChapterFields, WorkFields, work_create

    password = make_password(None)  # nobody signs in with a password here: the client is logged in directly
    writers = []
    for n in range(5):
        user = User.objects.create(username=f"benchwriter{n}", email=f"benchwriter{n}@example.org", password=password)
        writers.append(Pseud.objects.create(user=user, name=user.username, is_default=True))
    text = "\n\n".join(PROSE * 4 for _ in range(20))
    work_ids = []
    for n in range(args.works):
        fields = WorkFields(
            title=f"Bench Work {n}",
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=[f"Bench Fandom {n % 7}"],
            freeforms=[f"Bench Tag {n % 13}", "Fluff"],
        )
        work = work_create(
            pseuds=[writers[n % len(writers)]], fields=fields, chapter=ChapterFields(content=text), post=True
        )
        work_ids.append(work.pk)
    readers = []
    for n in range(args.readers):
        user = User.objects.create(username=f"benchreader{n}", email=f"benchreader{n}@example.org", password=password)
        Pseud.objects.create(user=user, name=user.username, is_default=True)
        Preference.objects.create(user=user, view_adult=True)
        readers.append(user)
    return work_ids, readers


def run(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import fanfold.works.views as work_views
    from fanfold.accounts.models import Preference
    from fanfold.readings.models import Reading

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    work_ids, readers = seed(args)
    print(f"seeded {len(work_ids)} works and {len(readers)} readers in {time.perf_counter() - started:.1f} s")

    # Half the readers keep a history, half turned it off; "no history" reuses the first half with the call stubbed.
    half = len(readers) // 2
    Preference.objects.filter(user__in=readers[half:]).update(history_enabled=False)
    clients = []
    for reader in readers:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(reader)
        clients.append(client)
    groups = {"no history": clients[:half], "history on": clients[:half], "history off": clients[half:]}
    recording = work_views.reading_record

    def stub(**kwargs) -> bool:
        return False

    rng = random.Random(7)
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    for client in clients:  # warm templates, the index, the sessions and the connection
        client.get(f"/works/{work_ids[0]}/")
    # Each request draws its mode, so the machine's noise falls on every mode alike.
    for _ in range(args.requests * len(MODES)):
        mode = rng.choice(MODES)
        work_views.reading_record = stub if mode == "no history" else recording
        path = f"/works/{rng.choice(work_ids)}/"
        client = rng.choice(groups[mode])
        begun = time.perf_counter()
        response = client.get(path)
        samples[mode].append(time.perf_counter() - begun)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    queries: dict[str, int] = {}
    for mode in MODES:
        work_views.reading_record = stub if mode == "no history" else recording
        groups[mode][0].get(f"/works/{work_ids[1]}/")  # the day's hit is counted: only the reading differs
        with CaptureQueriesContext(connection) as captured:
            groups[mode][0].get(f"/works/{work_ids[1]}/")
        queries[mode] = len(captured.captured_queries)
    work_views.reading_record = recording

    # The statement alone, away from the page's noise: what one visit's recording costs.
    from fanfold.works.models import Work

    works = list(Work.objects.filter(pk__in=work_ids[:50]).prefetch_related("creators"))
    call_ms = {}
    for label, group_readers in (("history on", readers[:half]), ("history off", readers[half:])):
        preferences = {p.user_id: p for p in Preference.objects.filter(user__in=group_readers)}
        timings = []
        for _ in range(args.requests):
            reader, work = rng.choice(group_readers), rng.choice(works)
            begun = time.perf_counter()
            recording(work=work, user=reader, preference=preferences[reader.pk])
            timings.append(time.perf_counter() - begun)
        call_ms[label] = percentiles(timings)

    report = {mode: {**percentiles(samples[mode]), "queries_per_page": queries[mode]} for mode in MODES}
    base = report["no history"]["p95_ms"]
    for mode in MODES:
        report[mode]["p95_change_vs_no_history_pct"] = round((report[mode]["p95_ms"] / base - 1) * 100, 1)
    report["reading_record_call"] = call_ms
    report["readings_rows"] = Reading.objects.count()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--works", type=int, default=300)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300, help="per mode (on average)")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="fanfold-history-bench-"))
    configure(args, scratch)
    import django

    django.setup()
    try:
        results = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            if args.database == "postgres":
                import psycopg

                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n{'mode':<14}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'queries':>9}{'p95 vs none':>13}")
    for mode in MODES:
        row = results[mode]
        print(
            f"{mode:<14}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['queries_per_page']:>9}{row['p95_change_vs_no_history_pct']:>12.1f}%"
        )
    for label, timing in results["reading_record_call"].items():
        print(f"reading_record alone, {label}: p50 {timing['p50_ms']:.3f} ms, p95 {timing['p95_ms']:.3f} ms")
    report = {
        "database": args.database,
        "works": args.works,
        "readers": args.readers,
        "requests_per_mode": args.requests,
        "machine": {"python": platform.python_version(), "load_average": os.getloadavg()},
        "results": results,
    }
    write_report(RESULTS / f"history-{args.database}.json", report)


if __name__ == "__main__":
    main()
