"""Load benchmark: many people using Fanfold at once through gunicorn, then a check that nothing they wrote was lost.

    .venv/bin/python bench/load.py [--works 100000] [--database postgres|sqlite] [--users 30] [--duration 180]
                                   [--think 0.5] [--find-max] [--reuse-db] [--keep-db] [--profile]

1. Loads works with chapters of generated prose, tags, creators and search texts into a database of its own
   (`bench/fulltext_bench.py`'s loader, short bodies: PostgreSQL database `fanfold_load_bench` on 127.0.0.1:5432,
   or a SQLite file under var/bench/load/), and makes the benchmark's accounts with sessions ready to use.
2. Starts gunicorn as README's "Running in production" does (`--preload -w 2 --threads 4`, the index built before
   the fork, DEBUG off) and runs locust users against it for `--duration` seconds, each waiting `--think` seconds
   between actions: guests reading (home, `/works/` with random filters and sorts, work pages, the search box),
   signed-in readers who also leave kudos and comments, and writers posting new works and editing their own.
3. Prints throughput and p50/p95/p99 per route class with error counts, then checks the database: every work,
   edit, kudos and comment the server acknowledged is there, and every work's kudos, comment and hit counters
   moved exactly as its kudos, published comments and hit rows did. Exits 1 when a write was lost or a counter is
   off.

`--find-max` instead steps the users up (30, 60, 90, ... by `--step-users` from `--start-users`, `--step-duration`
seconds each, until a step misses the target or reaches `--max-users`) and reports the highest load whose work-page
and listing p95 both stay within `--p95-target` ms; the same checks run at the end. `--profile` then loads work
pages and listings in this process and reports queries per page and where the time goes. Writes
bench/results/load.json (or `--output`). The database is dropped at the end unless `--keep-db` or `--reuse-db`
(which also reuses one kept from an earlier run with the same data).

The comment rate limit is lifted for the server (COMMENT_RATE_LIMIT), since a few readers post many comments here.
Writes still in flight when the run stops may be stored without their acknowledgement having been seen, so the
database may hold a few more rows than were acknowledged; none may hold fewer.
"""

import argparse
import collections
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import fulltext_bench  # noqa: E402
import http_bench  # noqa: E402
from common import percentiles, write_report  # noqa: E402

NAME = "load"
PASSWORD = "folded-paper-lantern-42"  # noqa: S105 (the bench accounts' password; they sign in by session)
ROUTE_CLASSES = ("home", "listing", "work page", "search", "work form", "post work", "edit work", "kudos", "comment")
TARGET_CLASSES = ("work page", "listing")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# Data ---------------------------------------------------------------------------------------------------------


def prepare_database(args) -> dict:
    """The works, loaded now or kept from an earlier run with the same data; returns what loading took."""
    config = fulltext_bench.Config(
        works=args.works,
        seed=args.seed,
        vocabulary=args.vocabulary,
        zipf=1.1,
        median_words=args.median_words,
        sigma=1.0,
        max_words=args.median_words * 20,
    )
    backend = "postgresql" if args.database == "postgres" else "sqlite"
    meta = fulltext_bench.meta_path(backend)
    reuse = False
    if args.reuse_db and meta.exists() and json.loads(meta.read_text()).get("config") == config.key:
        if backend == "sqlite":
            reuse = fulltext_bench.sqlite_files()[0].exists()
        else:
            reuse = fulltext_bench.postgres_database_exists()
    if not reuse:
        meta.unlink(missing_ok=True)
        if backend == "postgresql":
            fulltext_bench.create_postgres_database()
        else:
            for path in fulltext_bench.sqlite_files():
                path.unlink(missing_ok=True)

    import generate  # noqa: F401  (sets Django up)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if reuse:
        kept = json.loads(meta.read_text())
        print(f"reusing the {backend} database loaded earlier ({kept['load']['total_s']} s to load)", flush=True)
        if "frequent_words_s" not in kept["load"]:  # kept from before the bench ran it
            kept["load"]["frequent_words_s"] = _refresh_frequent_words()
            meta.write_text(json.dumps(kept) + "\n")
        return kept["load"] | {"reused": True}
    print(f"generating and loading {args.works:,} works into {backend}…", flush=True)
    started = time.perf_counter()
    plan = fulltext_bench.make_plan(config, connection.vendor)
    fulltext_bench._PLAN.clear()
    fulltext_bench._PLAN.update(plan)
    loaded = fulltext_bench.load(plan, batch=500, time_limit=args.load_limit)
    fulltext_bench._PLAN.clear()
    del plan
    loaded["generate_and_load_s"] = round(time.perf_counter() - started, 1)
    loaded["frequent_words_s"] = _refresh_frequent_words()
    loaded["config"] = config.key
    print(f"loaded in {loaded['generate_and_load_s']} s", flush=True)
    meta.write_text(json.dumps({"config": config.key, "load": loaded}) + "\n")
    return loaded


def bench_accounts(prefix: str, count: int) -> list[dict]:
    """`count` accounts named prefix0, prefix1, ... (made once), each with a fresh signed-in session.

    Sessions are made here rather than through the login form: signing in is not what this measures, and 30
    sign-ins from one address at once would meet the login throttle."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.utils.crypto import get_random_string

    from fanfold.accounts.models import Pseud, User
    from fanfold.accounts.services import user_create

    names = [f"{prefix}{number}" for number in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    missing = [name for name in names if name not in existing]
    for name in missing:
        user_create(username=name, email=f"{name}@bench.invalid", password=None)
    if missing:
        # One hash for all: hashing is slow by design and these accounts never use the login form.
        User.objects.filter(username__in=missing).update(password=make_password(PASSWORD))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "django.contrib.auth.backends.ModelBackend"  # the backend that signs readers in
    pseuds = dict(Pseud.objects.filter(user__username__in=names, is_default=True).values_list("user_id", "id"))
    accounts = []
    for user in User.objects.filter(username__in=names).order_by("id"):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        accounts.append(
            {
                "user_id": user.pk,
                "pseud_id": pseuds[user.pk],
                "session": session.session_key,
                "csrf": get_random_string(32),  # posted back as the form token, as an unmasked secret
            }
        )
    return accounts


def _refresh_frequent_words() -> float:
    """What README's "Running in production" has an archive do after a large import: keep the words many works
    hold as bitmaps, so searching for them does not read a row per text. Returns the seconds it took."""
    from django.core.management import call_command

    print("refreshing the frequent words (manage.py refresh_frequent_words)…", flush=True)
    started = time.perf_counter()
    call_command("refresh_frequent_words", verbosity=0)
    took = round(time.perf_counter() - started, 1)
    print(f"frequent words refreshed in {took} s", flush=True)
    return took


def keep_history(on: bool) -> None:
    """Whether the signed-in readers' visits are recorded in their history (the preference; on by default), so
    the same data can be measured with and without recording."""
    from fanfold.accounts.models import Preference, User

    readers = User.objects.filter(username__startswith="loadreader")
    for user in readers.filter(preference__isnull=True):
        Preference.objects.get_or_create(user=user)
    Preference.objects.filter(user__in=readers).update(history_enabled=on)


def pools(args) -> dict:
    """What the users pick from: work ids, listing and search URLs, tag names for new works."""
    from fanfold.discovery.query import DIRECTIONS, SORTS, WorkFilter
    from fanfold.tags.models import Tag, TagType
    from fanfold.works.models import Work

    rng = random.Random(args.seed)
    works = list(Work.objects.filter(posted=True, hidden=False).values_list("id", "restricted"))
    public = [work_id for work_id, restricted in works if not restricted]
    tags = {
        kind: dict(Tag.objects.filter(type=kind).values_list("name", "id"))
        for kind in (TagType.RATING, TagType.WARNING, TagType.CATEGORY)
    }
    fandom_names = [f"Fandom {n}" for n in range(50)]
    fandoms = dict(Tag.objects.filter(type=TagType.FANDOM, name__in=fandom_names).values_list("name", "id"))
    fandom_ids = [fandoms[f"Fandom {n}"] for n in range(50) if f"Fandom {n}" in fandoms]
    freeforms = dict(
        Tag.objects.filter(type=TagType.FREEFORM, name__in=[f"Additional tag {n}" for n in range(300)]).values_list(
            "name", "id"
        )
    )
    freeform_ids = list(freeforms.values())
    rating_ids = list(tags[TagType.RATING].values())

    def popular(ids: list[int]) -> int:
        # The generator numbers tags by popularity; readers pick the popular ones more often.
        return ids[min(len(ids) - 1, int(len(ids) * rng.random() ** 3))]

    listing_urls = []
    for _ in range(args.listing_urls):
        choice: dict = {"sort": rng.choice(SORTS), "direction": rng.choice(DIRECTIONS)}
        include: list[int] = []
        if rng.random() < 0.6 and fandom_ids:
            include.append(popular(fandom_ids))
        if rng.random() < 0.2 and freeform_ids:
            include.append(popular(freeform_ids))
        if include:
            choice["include_tags"] = tuple(include)
        if rng.random() < 0.3:
            choice["ratings"] = tuple(rng.sample(rating_ids, rng.randint(1, 3)))
        if rng.random() < 0.2 and freeform_ids:
            choice["exclude_tags"] = (popular(freeform_ids),)
        if rng.random() < 0.1:
            choice["complete"] = True
        if rng.random() < 0.1:
            choice["words_from"] = rng.choice((1000, 5000))
        if rng.random() < 0.2:
            choice["page"] = rng.randint(2, 5)
        listing_urls.append(f"/works/?{WorkFilter(**choice).to_query()}".rstrip("?"))

    words = fulltext_bench.vocabulary(args.vocabulary, args.seed)
    common = len(fulltext_bench.COMMON)
    search_urls = []
    for _ in range(args.listing_urls // 2):
        roll = rng.random()
        if roll < 0.3:
            query = rng.choice(words[:common])  # a very common word
        elif roll < 0.7:
            query = words[common + int(2000 * rng.random() ** 2)]  # a made-up word, mostly frequent ones
        elif roll < 0.85:
            query = f"{words[common + rng.randrange(500)]} {words[common + rng.randrange(5000)]}"
        else:
            query = f'"{rng.choice(words[:common])} {rng.choice(words[:common])}"'
        search = WorkFilter(query=query, sort="best_match")
        if rng.random() < 0.2 and fandom_ids:
            search = search.replace(include_tags=(popular(fandom_ids),))
        search_urls.append(f"/works/?{search.to_query()}")
    return {
        "listed_work_ids": [work_id for work_id, _restricted in works],
        "public_work_ids": public,
        "listing_urls": listing_urls,
        "search_urls": search_urls,
        "fandoms": list(fandoms)[:20],
        "freeforms": list(freeforms)[:100],
        "ratings": ["General Audiences", "Teen And Up Audiences", "Not Rated", "Mature"],
        "warnings": ["No Archive Warnings Apply", "Creator Chose Not To Use Archive Warnings"],
        "categories": list(tags[TagType.CATEGORY]),
    }


# Checking what was written -----------------------------------------------------------------------------------


def counter_snapshot() -> dict[int, tuple[int, int, int, int, int, int]]:
    """Per work: its kudos, comment and hit counters, and its kudos, published comment and hit rows."""
    from django.db.models import Count

    from fanfold.interactions.models import Comment, CommentStatus, Hit, Kudos
    from fanfold.works.models import Work

    def per_work(queryset) -> dict[int, int]:
        return dict(queryset.values("work_id").annotate(n=Count("id")).values_list("work_id", "n").order_by())

    kudos = per_work(Kudos.objects.all())
    comments = per_work(Comment.objects.filter(status=CommentStatus.PUBLISHED, is_deleted=False))
    hits = per_work(Hit.objects.all())
    return {
        work_id: (kudos_count, comment_count, hit_count, kudos.get(work_id, 0), comments.get(work_id, 0),
                  hits.get(work_id, 0))
        for work_id, kudos_count, comment_count, hit_count in Work.objects.values_list(
            "id", "kudos_count", "comment_count", "hit_count"
        ).iterator(chunk_size=10_000)
    }  # fmt: skip


def check_writes(before: dict, acknowledged: dict, edits_sent: list) -> dict:
    """Every acknowledged write is in the database, and every counter moved exactly as its rows did.

    The generated works carry counters without rows (their kudos were never given here), so kudos and hit
    counters, which only ever move by increments, are checked by how far they moved: counter now − counter before
    == rows now − rows before. The comment counter is a recount of the work's published comments on every new
    comment, so on a work that got comments it must equal its rows. Works posted during the run start from
    nothing."""
    from fanfold.interactions.models import Comment, Kudos
    from fanfold.works.models import Work

    lost: dict[str, list] = {"works": [], "edits": [], "kudos": [], "comments": []}
    posted = {work_id: title for work_id, title, _user in acknowledged["works"]}
    # A work's writer edits it one request at a time, so its stored title is the last acknowledged one (the
    # posted title when no edit was acknowledged), or one sent after it whose answer the run did not wait for.
    acked_titles = {(work_id, title) for work_id, title in acknowledged["edits"]}
    possible: dict[int, list[str]] = {work_id: [title] for work_id, title in posted.items()}
    for work_id, title in edits_sent:
        if (work_id, title) in acked_titles:
            possible[work_id] = [title]
        else:
            possible.setdefault(work_id, []).append(title)
    titles = dict(Work.objects.filter(pk__in=possible).values_list("id", "title"))
    for work_id in posted:
        if work_id not in titles:
            lost["works"].append(work_id)
    for work_id, allowed in possible.items():
        if work_id in titles and titles[work_id] not in allowed:
            name = "edits" if any(edited == work_id for edited, _title in acked_titles) else "works"
            lost[name].append({"work": work_id, "stored": titles[work_id], "expected_one_of": allowed})
    given = {tuple(pair) for pair in acknowledged["kudos"]}
    work_ids = {work_id for work_id, _user in given}
    stored = set(Kudos.objects.filter(work_id__in=work_ids, user__isnull=False).values_list("work_id", "user_id"))
    lost["kudos"] = sorted(given - stored)
    comments = {comment_id: (work_id, token) for comment_id, work_id, token in acknowledged["comments"]}
    found = dict(Comment.objects.filter(pk__in=comments).values_list("id", "work_id"))
    contents = dict(Comment.objects.filter(pk__in=comments).values_list("id", "content"))
    for comment_id, (work_id, token) in comments.items():
        if found.get(comment_id) != work_id or token not in contents.get(comment_id, ""):
            lost["comments"].append(comment_id)

    after = counter_snapshot()
    mismatched: dict[str, list] = {"kudos_count": [], "comment_count": [], "hit_count": []}
    for work_id, now in after.items():
        then = before.get(work_id, (0, 0, 0, 0, 0, 0))
        for position, name in enumerate(mismatched):
            expected = then[position] + (now[position + 3] - then[position + 3])
            if name == "comment_count" and now[position + 3] != then[position + 3]:
                expected = now[position + 3]  # a new comment recounts the work's comments from its rows
            if now[position] != expected:
                mismatched[name].append({"work": work_id, "counter": now[position], "expected": expected})
    moved = {
        name: sum(after[w][position + 3] - before.get(w, (0,) * 6)[position + 3] for w in after)
        for position, name in enumerate(("kudos", "comments", "hits"))
    }
    return {
        "acknowledged": {name: len(found) for name, found in acknowledged.items()},
        "lost": {name: len(found) for name, found in lost.items()},
        "lost_examples": {name: found[:5] for name, found in lost.items() if found},
        "counters_mismatched": {name: len(found) for name, found in mismatched.items()},
        "counter_examples": {name: found[:5] for name, found in mismatched.items() if found},
        "rows_added": moved,
        "works_checked": len(after),
    }


# Running -------------------------------------------------------------------------------------------------------


def run_users(args, server, pool: dict, accounts: dict, users: int, duration: float) -> dict:
    """One locust run in a process of its own; its samples, failures and acknowledged writes."""
    from django.conf import settings

    config = {
        "host": f"http://127.0.0.1:{server.port}",
        "users": users,
        "duration_s": duration,
        "spawn_s": args.spawn,
        "think_s": args.think,
        "fresh_share": 0.2,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        **accounts,
        **pool,
    }
    config_path = args.scratch / "users.json"
    results_path = args.scratch / "results.json"
    config_path.write_text(json.dumps(config))
    results_path.unlink(missing_ok=True)
    uptime_before = load_average()
    subprocess.run(
        [sys.executable, str(BENCH / "load_users.py"), str(config_path), str(results_path)],
        cwd=ROOT,
        check=True,
        timeout=duration + 300,
    )
    results = json.loads(results_path.read_text())
    results["load_average_before"] = uptime_before
    results["load_average_after"] = load_average()
    return results


def summarise(results: dict) -> dict:
    samples, failures = results["samples_ms"], results["failures"]
    elapsed = results["elapsed_s"]
    classes = {}
    for name in [*ROUTE_CLASSES, *sorted(set(samples) - set(ROUTE_CLASSES))]:
        found = samples.get(name, [])
        if not found:
            continue
        entry = percentiles([value / 1000 for value in found])
        entry["rps"] = round(len(found) / elapsed, 1)
        entry["errors"] = sum(failures.get(name, {}).values())
        classes[name] = entry
    everything = [value / 1000 for found in samples.values() for value in found]
    total = percentiles(everything)
    total["rps"] = round(len(everything) / elapsed, 1)
    total["errors"] = sum(sum(found.values()) for found in failures.values())
    return {
        "users": results["users"],
        "user_classes": results.get("user_classes"),
        "elapsed_s": elapsed,
        "load_average_before": results["load_average_before"],
        "load_average_after": results["load_average_after"],
        "classes": classes,
        "all": total,
        "failures": failures,
        "refused": results["refused"],
        "slow_by_10s": slow_windows(results.get("slow", [])),
    }


def slow_windows(slow: list) -> dict[str, int]:
    """How many responses took over half a second, by 10-second window of the run: spread out, the server is
    short of capacity; bunched, something stalled it."""
    counts = collections.Counter(int(at // 10) * 10 for at, _name, _ms in slow)
    return {f"{start}-{start + 10} s": counts[start] for start in sorted(counts)}


def print_summary(summary: dict) -> None:
    kinds = ", ".join(f"{count} {name}" for name, count in (summary["user_classes"] or {}).items())
    print(
        f"\n{summary['users']} users ({kinds}) for {summary['elapsed_s']:.0f} s; load average (1, 5, 15 min) "
        f"{summary['load_average_before']} before, {summary['load_average_after']} after"
    )
    print(f"{'route class':12} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'errors':>6}")  # fmt: skip
    for name, entry in [*summary["classes"].items(), ("all", summary["all"])]:
        print(
            f"{name:12} {entry['n']:>8} {entry['rps']:>7.1f} {entry['p50_ms']:>8.1f} {entry['p95_ms']:>8.1f} "
            f"{entry['p99_ms']:>8.1f} {entry['max_ms']:>8.1f} {entry['errors']:>6}"
        )
    if summary.get("slow_by_10s"):
        windows = ", ".join(f"{window}: {count}" for window, count in summary["slow_by_10s"].items())
        print(f"responses over 500 ms, by 10 s of the run: {windows}")
    for name, reasons in summary["failures"].items():
        print(f"  errors in {name}: {reasons}")
    if summary["refused"]:
        print(f"  refused as they should be: {summary['refused']}")


def meets_target(summary: dict, target_ms: float) -> bool:
    return all(summary["classes"].get(name, {}).get("p95_ms", float("inf")) <= target_ms for name in TARGET_CLASSES)


def merge(acknowledged: dict, more: dict) -> None:
    for name, found in more.items():
        acknowledged.setdefault(name, []).extend(found)


def warm_up(server, pool: dict) -> None:
    """A few requests of each kind, so each worker has its templates and connections before timing starts."""
    rng = random.Random(1)
    paths = ["/"] * 4 + rng.sample(pool["listing_urls"], 8) + rng.sample(pool["search_urls"], 8)
    paths += [f"/works/{work_id}/?view_adult=true" for work_id in rng.sample(pool["public_work_ids"], 8)]
    for path in paths:
        status, _body, _seconds = server.get(path, timeout=600)
        if status != 200:
            raise RuntimeError(f"warming up: GET {path} answered {status}:\n{server.log_tail()}")


# Profiling -------------------------------------------------------------------------------------------------------


def profile_pages(pool: dict, accounts: dict, *, pages: int) -> dict:
    """Work pages and listings loaded in this process through Django's test client, as a guest and signed in:
    queries per page, time in SQL, and (with pyinstrument installed) where the rest goes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fanfold.discovery.index import get_index

    get_index()
    rng = random.Random(3)
    work_ids = rng.sample(pool["public_work_ids"], pages)
    listings = rng.sample(pool["listing_urls"], pages)
    member = accounts["readers"][0]
    kinds = {
        "guest work page": (None, [f"/works/{work_id}/?view_adult=true" for work_id in work_ids]),
        "signed-in work page": (member, [f"/works/{work_id}/?view_adult=true" for work_id in work_ids]),
        "guest listing": (None, listings),
        "signed-in listing": (member, listings),
        "guest home": (None, ["/"] * max(5, pages // 4)),
    }
    from django.conf import settings

    try:
        import pyinstrument
    except ImportError:
        pyinstrument = None
    report = {}
    for label, (account, paths) in kinds.items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=f"profile {label}")
        if account:
            client.cookies[settings.SESSION_COOKIE_NAME] = account["session"]
        client.get(paths[0])  # warm
        totals, sql, counts, repeated = [], [], [], collections.Counter()
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                totals.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"profile: GET {path} answered {response.status_code}")
            counts.append(len(captured.captured_queries))
            sql.append(sum(float(query["time"]) for query in captured.captured_queries))
            for query in captured.captured_queries:
                repeated[_query_shape(query["sql"])] += 1
        entry = {
            "requests": len(paths),
            "queries_per_page_mean": round(sum(counts) / len(counts), 1),
            "queries_per_page_max": max(counts),
            "ms_per_page": percentiles(totals),
            "sql_ms_per_page_mean": round(sum(sql) / len(sql) * 1000, 1),
            "most_frequent_queries": [
                {"per_page": round(n / len(paths), 1), "sql": shape} for shape, n in repeated.most_common(25)
            ],
        }
        if pyinstrument is not None:
            profiler = pyinstrument.Profiler(interval=0.0005)
            profiler.start()
            for path in paths:
                client.get(path)
            profiler.stop()
            entry["pyinstrument"] = _pyinstrument_top(profiler, len(paths))
        report[label] = entry
    report["guest listing, from a page cache (experiment)"] = _cached_guest_pages(listings)
    report["index catch-up"] = _catch_up_cost(pool["public_work_ids"])
    return report


def _catch_up_cost(work_ids: list[int]) -> dict:
    """What a process's index pays to apply the change log when 1, 10 or 100 works changed since it last looked
    (as one hit each does): the first listing request after a second pays it, holding the index's lock."""
    from django.db import transaction

    from fanfold.discovery.index import get_index
    from fanfold.discovery.services import record_work_changes

    rng = random.Random(5)
    get_index(max_lag=0.0)
    report = {}
    for changed in (1, 10, 100):
        timings = []
        for _attempt in range(5):
            with transaction.atomic():
                record_work_changes(rng.sample(work_ids, changed))
            started = time.perf_counter()
            get_index(max_lag=0.0)
            timings.append(time.perf_counter() - started)
        report[f"{changed} works changed"] = percentiles(timings)
    return report


def _cached_guest_pages(paths: list[str]) -> dict:
    """What a guest's listing would cost if whole pages were cached: the same listings served by Django's cache
    middleware (in-process memory cache), each requested once to fill it and then timed. An experiment run only in
    this process, to measure the recommendation; the server does not cache."""
    from django.test import Client, override_settings

    from fanfold.settings import MIDDLEWARE

    middleware = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "load-bench"}}
    with override_settings(MIDDLEWARE=middleware, CACHES=caches, CACHE_MIDDLEWARE_SECONDS=60):
        client = Client(HTTP_HOST="127.0.0.1")
        for path in paths:
            client.get(path)
        timings, hits = [], 0
        for path in paths:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            hits += response.status_code == 200 and "Expires" in response.headers
    return {"requests": len(paths), "ms_per_page": percentiles(timings), "served_with_cache_headers": hits}


def _query_shape(statement: str) -> str:
    """A query with its literal values blanked, so the same query for different rows counts as one."""
    import re

    shape = re.sub(r"'[^']*'", "?", statement)
    shape = re.sub(r"\b\d+\b", "?", shape)
    shape = re.sub(r"\((?:\?, )+\?\)", "(…)", shape)
    return shape[:220]


# Where a request's own time (each function's time less its callees') goes, by what the code is.
_AREAS = (
    ("database driver and SQL", ("django/db/backends", "psycopg", "sqlite3")),
    ("ORM: building queries, making model objects", ("django/db/models",)),
    ("templates", ("django/template", "templatetags", "django/utils/html", "django/utils/safestring")),
    ("discovery index", ("fanfold/discovery/index", "pyroaring", "numpy")),
    ("sessions, auth, middleware", ("django/contrib/sessions", "django/contrib/auth", "middleware")),
)


def _pyinstrument_top(profiler, requests: int, limit: int = 15) -> dict:
    """Milliseconds per request: own time by area, and the Fanfold functions holding the most time (with what they
    call; each counted once however deep it recurses; the middleware that wraps every request left out)."""
    root = profiler.last_session.root_frame()
    areas: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()

    def walk(frame, seen: frozenset, parent_path: str = "") -> None:
        # pyinstrument keeps a function's own time in a synthetic "[self]" child without a file of its own.
        path = frame.file_path or parent_path
        own = frame.time - sum(child.time for child in frame.children)
        area = next((name for name, parts in _AREAS if any(part in path for part in parts)), None)
        if area is None:
            area = "other Fanfold code" if "fanfold/" in path else "other (Python, Django's request handling)"
        areas[area] += own
        key = f"{frame.function} ({_short(path)}:{frame.line_no})"
        if "fanfold/" in path and "middleware" not in path and key not in seen:
            inclusive[key] += frame.time
            seen = seen | {key}
        for child in frame.children:
            walk(child, seen, path)

    if root is not None:
        walk(root, frozenset())
    per_request = 1000 / requests
    return {
        "own_time_by_area_ms": {name: round(seconds * per_request, 2) for name, seconds in areas.most_common()},
        "fanfold_functions_ms": [
            {"ms": round(seconds * per_request, 2), "function": key} for key, seconds in inclusive.most_common(limit)
        ],
    }


def _short(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# Main ----------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000, help="works generated (about 95%% are listed)")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.5, help="seconds each user waits between actions")
    parser.add_argument("--spawn", type=float, default=5.0, help="seconds over which the users arrive")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--find-max", action="store_true", help="step users up to the highest load within target")
    parser.add_argument("--step-users", type=int, default=30, help="users added at each step")
    parser.add_argument("--start-users", type=int, help="users at the first step (default: --step-users)")
    parser.add_argument("--step-duration", type=float, default=60.0)
    parser.add_argument("--max-users", type=int, default=300)
    parser.add_argument("--p95-target", type=float, default=150.0, help="ms, for work pages and listings")
    parser.add_argument("--median-words", type=int, default=600, help="median words in a generated work")
    parser.add_argument("--vocabulary", type=int, default=20_000, help="made-up words besides the common ones")
    parser.add_argument("--listing-urls", type=int, default=2_000, help="distinct listing URLs to pick from")
    parser.add_argument("--load-limit", type=float, default=3_600, help="give up loading after this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place at the end")
    parser.add_argument("--reuse-db", action="store_true", help="reuse a kept database with the same data, and keep it")
    parser.add_argument("--no-history", action="store_true", help="signed-in readers' history off, to compare")
    parser.add_argument("--profile", action="store_true", help="queries and time per work page and listing")
    parser.add_argument("--profile-pages", type=int, default=40)
    parser.add_argument("--output", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args()

    # SIGTERM unwinds like Ctrl-C, so the server is stopped and the database dropped either way.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    args.scratch = Path(tempfile.mkdtemp(prefix="fanfold-load-bench-"))
    places = argparse.Namespace(name=NAME, db=args.database)
    fulltext_bench.configure(places)
    settings_for = argparse.Namespace(
        debug=False,
        scratch=args.scratch,
        db=args.database,
        database=fulltext_bench.PG_DATABASE,
        sqlite_dir=fulltext_bench.SQLITE_DIR,
    )
    http_bench.configure_environment(settings_for)  # production settings for this process and the server
    os.environ["FANFOLD_BUILD_INDEX_AT_START"] = "1"
    os.environ["COMMENT_RATE_LIMIT"] = str(10**9)
    fulltext_bench.SQLITE_DIR.mkdir(parents=True, exist_ok=True)

    server = None
    status = 0
    try:
        report: dict = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "database": args.database,
            "works": args.works,
            "think_s": args.think,
            "server": f"gunicorn fanfold.wsgi --preload -w {args.workers} --threads {args.threads}, DEBUG off",
        }
        report["load"] = prepare_database(args)
        from django.db import connections

        pool = pools(args)
        most = args.max_users if args.find_max else args.users
        accounts = {"writers": bench_accounts("loadwriter", most), "readers": bench_accounts("loadreader", most)}
        keep_history(not args.no_history)
        report["readers_keep_history"] = not args.no_history
        report["listed_works"] = len(pool["listed_work_ids"])
        before = counter_snapshot()
        connections.close_all()

        server = http_bench.Server(
            workers=args.workers, threads=args.threads, preload=True, log_path=args.scratch / "gunicorn.log"
        )
        started = time.perf_counter()
        server.start(ready_within=600)
        report["server_start_s"] = round(time.perf_counter() - started, 1)
        print(f"gunicorn on 127.0.0.1:{server.port} (started in {report['server_start_s']} s); warming up…", flush=True)
        warm_up(server, pool)

        acknowledged: dict[str, list] = {}
        edits_sent: list[list] = []
        if args.find_max:
            steps = []
            best = None
            for users in range(args.start_users or args.step_users, args.max_users + 1, args.step_users):
                print(f"\nstep: {users} users for {args.step_duration:.0f} s…", flush=True)
                results = run_users(args, server, pool, accounts, users, args.step_duration)
                merge(acknowledged, results["acknowledged"])
                edits_sent += results["edits_sent"]
                summary = summarise(results)
                print_summary(summary)
                summary["within_target"] = meets_target(summary, args.p95_target)
                steps.append(summary)
                if not summary["within_target"]:
                    break
                best = summary
            report["find_max"] = {
                "p95_target_ms": args.p95_target,
                "steps": steps,
                "highest_within_target": None
                if best is None
                else {"users": best["users"], "rps": best["all"]["rps"]}
                | {name: best["classes"][name]["p95_ms"] for name in TARGET_CLASSES if name in best["classes"]},
            }
            if best is None:
                print(f"\nno step kept work-page and listing p95 within {args.p95_target:.0f} ms")
            else:
                print(
                    f"\nhighest load within {args.p95_target:.0f} ms p95 (work page, listing): {best['users']} users, "
                    f"{best['all']['rps']} req/s"
                )
        else:
            print(f"{args.users} users for {args.duration:.0f} s, {args.think} s think time…", flush=True)
            results = run_users(args, server, pool, accounts, args.users, args.duration)
            merge(acknowledged, results["acknowledged"])
            edits_sent += results["edits_sent"]
            report["run"] = summarise(results)
            print_summary(report["run"])
        server.stop()
        server = None

        check = check_writes(before, acknowledged, edits_sent)
        report["check"] = check
        print(
            f"\nacknowledged: {check['acknowledged']}; rows added: {check['rows_added']}\n"
            f"lost: {check['lost']}; counters off: {check['counters_mismatched']} (of {check['works_checked']:,} works)"
        )
        for name, examples in {**check["lost_examples"], **check["counter_examples"]}.items():
            print(f"  {name}: {examples}")
        if any(check["lost"].values()) or any(check["counters_mismatched"].values()):
            status = 1
            print("FAILED: acknowledged writes lost or counters off")
        else:
            print("every acknowledged write is there and every counter is exact")

        if args.profile:
            print("\nprofiling work pages and listings in process…", flush=True)
            report["profile"] = profile_pages(pool, accounts, pages=args.profile_pages)
            for label, entry in report["profile"].items():
                if "ms_per_page" in entry and "queries_per_page_mean" not in entry:
                    print(f"{label}: {entry['ms_per_page']['p50_ms']:.1f} ms p50")
                    continue
                if "ms_per_page" not in entry:
                    print(f"{label}: " + ", ".join(f"{k} {v['p50_ms']:.1f} ms p50" for k, v in entry.items()))
                    continue
                queries, most = entry["queries_per_page_mean"], entry["queries_per_page_max"]
                print(
                    f"{label:20} {queries:>5} queries/page (max {most}), {entry['ms_per_page']['p50_ms']:.1f} ms p50,"
                    f" SQL {entry['sql_ms_per_page_mean']} ms/page"
                )
        write_report(args.output, report)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            server.stop()
        if not (args.keep_db or args.reuse_db):
            _drop(args)
        shutil.rmtree(args.scratch, ignore_errors=True)
    sys.exit(status)


def _drop(args) -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # Django may not be set up yet
        pass
    try:
        fulltext_bench.meta_path("postgresql" if args.database == "postgres" else "sqlite").unlink(missing_ok=True)
        if args.database == "postgres":
            fulltext_bench.drop_postgres_database()
        else:
            for path in fulltext_bench.sqlite_files():
                path.unlink(missing_ok=True)
    except Exception as error:  # the run's own error matters more
        print(f"could not drop the bench database: {error}", file=sys.stderr)


if __name__ == "__main__":
    main()
