"""Benchmark Fanfold end to end at scale: the index built from a real database, listing pages over HTTP, freshness.

    .venv/bin/python bench/http_bench.py [--works 1000000] [--db postgres|sqlite] [--requests 200]
                                         [--freshness 10] [--keep-db] [--reuse-db] [--profile]

1. Loads `bench/generate.py`'s synthetic works (Zipf fandoms, ~16 filter tags per work, 15% restricted, 5%
   drafts or hidden) into a throwaway Fanfold database, migrated by Django: PostgreSQL database
   `fanfold_http_bench` on 127.0.0.1:5432 by default (COPY, foreign-key triggers off, secondary indexes made
   after the rows), or a SQLite file with `--db sqlite`. Then times `DiscoveryIndex.build()` in a fresh
   process and reads that process's RSS.
2. Starts gunicorn (one sync worker, DEBUG off, static files collected into a scratch directory) on a free
   loopback port, warms the index with one request, and times full guest responses of distinct `/works/` URLs
   in the query classes of BENCHMARKS.md: selective (a fandom, two more tags, two excluded tags, random sort),
   broad (the top fandom, rated Mature or lower), huge (rated Mature or lower) and everything, the last three
   over every sort, direction and a few pages. No HTTP cache sits in front.
3. Posts new works through `work_create`, and edits existing ones (new title and a new tag, with the
   `WorkChange` row in the same transaction), and polls a listing that shows each until it does: seconds
   from commit to the first response showing it.

Prints a table and writes bench/results/http.json. The server is stopped at exit, and the database dropped
unless `--keep-db`; `--reuse-db` skips loading when the database is already there (and keeps it). `--profile`
also runs the build and a few listing requests under cProfile (in process, through Django's test client) and
prints where the time goes.
"""

import argparse
import contextlib
import cProfile
import ctypes
import gc
import http.client
import io
import json
import os
import platform
import pstats
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from common import percentiles, write_report  # noqa: E402

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DEFAULT_DATABASE = "fanfold_http_bench"
DEFAULT_SQLITE_DIR = Path(tempfile.gettempdir()) / "fanfold_http_bench"
COPY_CHUNK = 200_000
BINARY_CHUNK = 2_000_000
DAY_US = 86_400 * 1_000_000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_RESULT_COUNT = re.compile(rb'id="result-count">(?:[\d,]+ \xe2\x80\x93 [\d,]+ of )?([\d,]+) Works')


def rss_mib(field: str = "VmRSS", pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


# Environment -------------------------------------------------------------------------------------------


def configure_environment(args) -> None:
    """Settings for this process, the build process and the server: production mode unless --debug."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanfold.settings"
    os.environ["DEBUG"] = "1" if args.debug else "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    # Plain HTTP on loopback: no redirect to https, cookies not marked secure.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "0"
    os.environ["STATIC_ROOT"] = str(args.scratch / "static")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{args.database}"
    else:
        os.environ["DATABASE_URL"] = ""
        os.environ["FANFOLD_VAR_DIR"] = str(args.sqlite_dir)


def pg_dsn(database: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={database}"


def sqlite_path(args) -> Path:
    return args.sqlite_dir / "fanfold.sqlite3"


def create_database(args) -> bool:
    """A new, empty database (dropping any old one); with --reuse-db an existing one is kept.
    Returns whether the works still have to be loaded."""
    if args.db == "sqlite":
        path = sqlite_path(args)
        if args.reuse_db and path.exists() and _has_works(lambda: sqlite3.connect(path)):
            return False
        shutil.rmtree(args.sqlite_dir, ignore_errors=True)
        args.sqlite_dir.mkdir(parents=True)
        return True
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if exists and args.reuse_db and _has_works(lambda: psycopg.connect(pg_dsn(args.database))):
            return False
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.database)))
    return True


def _has_works(connect) -> bool:
    """Whether the database was loaded (an earlier run may have stopped before it was)."""
    try:
        with contextlib.closing(connect()) as db:
            return db.execute("SELECT EXISTS (SELECT 1 FROM works_work)").fetchone()[0] in (True, 1)
    except Exception:
        return False


def drop_database(args) -> None:
    from django.db import connections

    connections.close_all()
    if args.db == "sqlite":
        shutil.rmtree(args.sqlite_dir, ignore_errors=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.database)))


# Rows for the database -------------------------------------------------------------------------------


class Micros:
    """A timestamp column: microseconds since 1970, UTC."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, dtype=np.int64)

    def __getitem__(self, part: slice) -> "Micros":
        return Micros(self.values[part])


class Days:
    """A date column: days since 1970-01-01."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, dtype=np.int64)

    def __getitem__(self, part: slice) -> "Days":
        return Days(self.values[part])


class Table:
    """Rows of one database table, column by column: numpy arrays, lists of text, Micros/Days, or one value for
    every row (None is NULL)."""

    def __init__(self, name: str, length: int, columns: dict) -> None:
        self.name = name
        self.length = length
        self.columns = columns

    def part(self, start: int, end: int) -> dict:
        return {
            name: values[start:end] if isinstance(values, np.ndarray | list | Micros | Days) else values
            for name, values in self.columns.items()
        }

    @property
    def integers_only(self) -> bool:
        return all(isinstance(v, np.ndarray) and v.dtype.kind in "iu" for v in self.columns.values())


def database_tables(synthetic, *, seed: int) -> list[Table]:
    """The generated works as rows of Fanfold's tables, listed works exactly as generated.

    The generator keeps only listed works; the others (drafts and hidden works, 5%) get the listing data of
    the next listed work, so the database holds every generated work id and the index must leave them out.
    """
    from generate import _subset_csr

    from fanfold.accounts.models import Pseud, User
    from fanfold.tags.models import FIXED_TAGS, TagType, name_key
    from fanfold.works.models import Creatorship, Work

    rows, tags = synthetic.rows, synthetic.tags
    n = synthetic.generated
    all_ids = np.arange(1, n + 1, dtype=np.int64)
    listed_ids = np.asarray(rows.work_ids, dtype=np.int64)
    source = np.empty(n, dtype=np.int64)  # which generated row each work's data comes from
    source[listed_ids - 1] = np.arange(len(listed_ids))
    unlisted = np.setdiff1d(all_ids, listed_ids)
    source[unlisted - 1] = np.searchsorted(listed_ids, unlisted).clip(0, len(listed_ids) - 1)
    rng = np.random.default_rng(seed + 1)
    posted = np.ones(n, dtype=bool)
    hidden = np.zeros(n, dtype=bool)
    draft = rng.random(len(unlisted)) < 0.8  # the rest were posted, then hidden by a maintainer
    posted[unlisted - 1] = ~draft
    hidden[unlisted - 1] = ~draft

    chapters = np.asarray(rows.chapter_count, dtype=np.int64)[source]
    complete = np.asarray(rows.complete, dtype=bool)[source]
    revised = np.asarray(rows.revised_at, dtype=np.int64)[source]
    published = np.asarray(rows.published_on, dtype=np.int64)[source]
    titles, languages = rows.titles, rows.language
    work_columns = {
        "id": all_ids,
        "title": [titles[i] for i in source.tolist()],
        "summary": "",
        "notes": "",
        "end_notes": "",
        "language": [languages[i] for i in source.tolist()],
        "expected_chapters": np.where(complete, chapters, chapters + 1),
        "complete": complete,
        "posted": posted,
        "restricted": np.asarray(rows.restricted, dtype=bool)[source],
        "hidden": hidden,
        "comment_permission": "registered",
        "moderate_comments": False,
        "published_on": Days(published),
        "revised_at": Micros(revised),
        "created_at": Micros(published * DAY_US),
        "updated_at": Micros(revised),
        **{
            name: np.asarray(getattr(rows, name), dtype=np.int64)[source]
            for name in ("word_count", "chapter_count", "kudos_count", "comment_count", "hit_count", "bookmark_count")
        },
    }

    tag_offsets, tag_ids = _subset_csr(rows.tag_offsets, rows.tag_ids, source)
    tagging_works = np.repeat(all_ids, np.diff(tag_offsets))
    tagging_columns = {
        "id": np.arange(1, len(tag_ids) + 1, dtype=np.int64),
        "work_id": tagging_works,
        "tag_id": np.asarray(tag_ids, dtype=np.int64),
    }

    creator_offsets, creator_users = _subset_csr(rows.creator_offsets, rows.creator_user_ids, source)
    credit_works = np.repeat(all_ids, np.diff(creator_offsets))
    creator_users = np.asarray(creator_users, dtype=np.int64)
    # One credit per (work, pseud), first one kept; positions count from 0 within each work.
    _unique, first = np.unique(credit_works * (1 << 32) + creator_users, return_index=True)
    keep = np.sort(first)
    credit_works, creator_users = credit_works[keep], creator_users[keep]
    position = np.arange(len(credit_works)) - np.searchsorted(credit_works, credit_works)
    credit_columns = {
        "id": np.arange(1, len(credit_works) + 1, dtype=np.int64),
        "position": position.astype(np.int16),
        "pseud_id": creator_users,  # one pseud per user, with the user's id
        "work_id": credit_works,
    }

    users = np.arange(1, int(creator_users.max()) + 1, dtype=np.int64)
    joined = Micros(np.full(len(users), 1_400_000_000 * 1_000_000, dtype=np.int64))
    names = [f"creator{user}" for user in users.tolist()]
    user_columns = {
        "id": users,
        "password": "!",  # an unusable password
        "last_login": None,
        "is_superuser": False,
        "username": names,
        "first_name": "",
        "last_name": "",
        "is_staff": False,
        "is_active": True,
        "date_joined": joined,
        "email": [f"{name}@bench.invalid" for name in names],
        "bio": "",
        "show_links_on_works": False,
    }
    pseud_columns = {
        "id": users,
        "user_id": users,
        "name": names,
        "description": "",
        "is_default": True,
        "created_at": joined,
    }

    fixed_order = {name: order for names_ in FIXED_TAGS.values() for order, name in enumerate(names_)}
    tag_types = list(tags.types)
    tag_columns = {
        "id": np.asarray(tags.ids, dtype=np.int64),
        "name": list(tags.names),
        "key": [name_key(name) for name in tags.names],
        "type": tag_types,
        # Additional tags are mostly left unwrangled, as on AO3; the rest are canonical.
        "canonical": np.asarray([tag_type != TagType.FREEFORM for tag_type in tag_types], dtype=bool),
        "merger_id": None,
        "unwrangleable": False,
        "sort_order": np.asarray([fixed_order.get(name, 0) for name in tags.names], dtype=np.int64),
        "created_at": Micros(np.full(len(tags.ids), 1_400_000_000 * 1_000_000, dtype=np.int64)),
    }

    from fanfold.tags.models import Tag

    return [
        Table(Tag._meta.db_table, len(tags.ids), tag_columns),
        Table(User._meta.db_table, len(users), user_columns),
        Table(Pseud._meta.db_table, len(users), pseud_columns),
        Table(Work._meta.db_table, n, work_columns),
        Table(Work.tags.through._meta.db_table, len(tag_ids), tagging_columns),
        Table(Creatorship._meta.db_table, len(credit_works), credit_columns),
    ]


# Loading: PostgreSQL ---------------------------------------------------------------------------------


def _copy_text(values, length: int) -> list[str]:
    if isinstance(values, Micros):
        return np.datetime_as_string(values.values.astype("datetime64[us]"), unit="us").tolist()
    if isinstance(values, Days):
        return np.datetime_as_string(values.values.astype("datetime64[D]"), unit="D").tolist()
    if isinstance(values, np.ndarray):
        if values.dtype == bool:
            return np.where(values, "t", "f").tolist()
        return values.astype(str).tolist()
    if isinstance(values, list):
        return [value.translate(_COPY_ESCAPES) for value in values]
    if values is None:
        return ["\\N"] * length
    if isinstance(values, bool):
        return ["t" if values else "f"] * length
    return [str(values).translate(_COPY_ESCAPES)] * length


def _copy_binary(table: Table):
    """The rows in PostgreSQL's binary COPY format (integer columns only, each at its array's width)."""
    arrays = list(table.columns.values())
    fields = [("count", ">i2")]
    for number, values in enumerate(arrays):
        fields += [(f"length{number}", ">i4"), (f"value{number}", f">i{values.dtype.itemsize}")]
    layout = np.dtype(fields)
    yield b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
    for start in range(0, table.length, BINARY_CHUNK):
        end = min(table.length, start + BINARY_CHUNK)
        block = np.empty(end - start, dtype=layout)
        block["count"] = len(arrays)
        for number, values in enumerate(arrays):
            block[f"length{number}"] = values.dtype.itemsize
            block[f"value{number}"] = values[start:end]
        yield block.tobytes()
    yield (-1).to_bytes(2, "big", signed=True)


@contextlib.contextmanager
def _pg_secondary_indexes_set_aside(db, table: str):
    """Drop the table's unique constraints and other non-primary indexes, and make them again afterwards
    (once, over all the rows, which is much faster than keeping them up to date row by row)."""
    from psycopg import sql

    constraints = db.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    ).fetchall()
    indexes = db.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
           WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)""",
        [table],
    ).fetchall()
    for name, _definition in constraints:
        db.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    for name, _definition in indexes:
        db.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    yield
    for _name, definition in indexes:
        db.execute(definition)
    for name, definition in constraints:
        db.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def load_postgres(tables: list[Table], database: str) -> dict[str, float]:
    import psycopg
    from psycopg import sql

    timings = {}
    with psycopg.connect(pg_dsn(database)) as db:
        # The rows are consistent by construction; skipping the foreign-key triggers saves one lookup per row.
        db.execute("SET session_replication_role = replica")
        db.execute("SET maintenance_work_mem = '1GB'")
        db.execute("SET TIME ZONE 'UTC'")
        # The fixed tags made by the migration come back with the generator's ids.
        db.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.Identifier(tables[0].name)))
        for table in tables:
            started = time.perf_counter()
            names = sql.SQL(", ").join(sql.Identifier(name) for name in table.columns)
            binary = table.integers_only
            statement = sql.SQL("COPY {} ({}) FROM STDIN {}").format(
                sql.Identifier(table.name), names, sql.SQL("(FORMAT BINARY)" if binary else "")
            )
            with _pg_secondary_indexes_set_aside(db, table.name):
                with db.cursor().copy(statement) as copy:
                    if binary:
                        for block in _copy_binary(table):
                            copy.write(block)
                    else:
                        for start in range(0, table.length, COPY_CHUNK):
                            end = min(table.length, start + COPY_CHUNK)
                            columns = [_copy_text(v, end - start) for v in table.part(start, end).values()]
                            copy.write("".join(line + "\n" for line in map("\t".join, zip(*columns, strict=True))))
            db.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))").format(
                    sql.Literal(table.name), sql.Identifier(table.name)
                )
            )
            timings[table.name] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        db.commit()
        timings["commit"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    with psycopg.connect(pg_dsn(database), autocommit=True) as db:
        for table in tables:
            db.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table.name)))
    timings["vacuum_analyze"] = round(time.perf_counter() - started, 2)
    return timings


# Loading: SQLite -------------------------------------------------------------------------------------


def _sqlite_values(values, length: int) -> list:
    # Django keeps SQLite datetimes as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, and booleans as 0/1.
    if isinstance(values, Micros):
        text = np.datetime_as_string(values.values.astype("datetime64[us]"), unit="us")
        return np.char.replace(text, "T", " ").tolist()
    if isinstance(values, Days):
        return np.datetime_as_string(values.values.astype("datetime64[D]"), unit="D").tolist()
    if isinstance(values, np.ndarray):
        return values.astype(np.int64).tolist()
    if isinstance(values, list):
        return values
    return [int(values) if isinstance(values, bool) else values] * length


def load_sqlite(tables: list[Table], path: Path) -> dict[str, float]:
    timings = {}
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        db.execute(f'DELETE FROM "{tables[0].name}"')  # the fixed tags come back with the generator's ids
        for table in tables:
            started = time.perf_counter()
            indexes = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                [table.name],
            ).fetchall()
            for name, _definition in indexes:
                db.execute(f'DROP INDEX "{name}"')
            names = ", ".join(f'"{name}"' for name in table.columns)
            marks = ", ".join("?" for _ in table.columns)
            statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
            for start in range(0, table.length, COPY_CHUNK):
                end = min(table.length, start + COPY_CHUNK)
                columns = [_sqlite_values(v, end - start) for v in table.part(start, end).values()]
                db.executemany(statement, zip(*columns, strict=True))
            for _name, definition in indexes:
                db.execute(definition)
            timings[table.name] = round(time.perf_counter() - started, 2)
        db.execute("COMMIT")
        started = time.perf_counter()
        db.execute("ANALYZE")
        timings["analyze"] = round(time.perf_counter() - started, 2)
    finally:
        db.close()
    return timings


# Listing URLs ----------------------------------------------------------------------------------------


def selective_filters(synthetic, rng: random.Random, count: int) -> list:
    """One fandom outside the top ten, two more tags of a public work in it, two tags that work lacks excluded,
    a random sort: a few dozen matches at a million works, and never none (the work itself matches)."""
    from generate import FREEFORM_BASE, TAG_END

    from fanfold.discovery.query import SORTS, WorkFilter

    rows = synthetic.rows
    offsets, tag_ids, restricted = rows.tag_offsets, rows.tag_ids, rows.restricted
    fandoms = set(synthetic.fandom_ids[10:200].tolist())
    fandom_high = int(synthetic.fandom_ids[-1])
    filters = []
    for _attempt in range(100 * count):
        if len(filters) == count:
            break
        doc = rng.randrange(len(rows))
        if restricted[doc]:
            continue
        tags = tag_ids[offsets[doc] : offsets[doc + 1]].tolist()
        own_fandoms = [t for t in tags if t in fandoms]
        others = [t for t in tags if t > fandom_high]
        if not own_fandoms or len(others) < 2:
            continue
        excluded = []
        while len(excluded) < 2:
            tag = rng.randrange(FREEFORM_BASE, TAG_END)
            if tag not in tags and tag not in excluded:
                excluded.append(tag)
        filters.append(
            WorkFilter(
                include_tags=(own_fandoms[0], *rng.sample(others, 2)),
                exclude_tags=tuple(excluded),
                sort=rng.choice(SORTS),
                direction=rng.choice(["desc", "asc"]),
            )
        )
    return filters


def listing_urls(synthetic, count: int, *, seed: int) -> dict[str, list[str]]:
    """Distinct /works/ URLs in four classes, about count / 4 each."""
    from fanfold.discovery.query import SORTS, WorkFilter

    per_class = max(1, count // 4)
    orders = [(sort, direction) for direction in ("desc", "asc") for sort in SORTS]

    def varied(base: WorkFilter, page_step: int) -> list[WorkFilter]:
        return [
            base.replace(sort=orders[i % len(orders)][0], direction=orders[i % len(orders)][1],
                         page=1 + (i // len(orders)) * page_step)
            for i in range(per_class)
        ]  # fmt: skip

    mature_or_lower = synthetic.mature_or_lower
    filters = {
        "selective": selective_filters(synthetic, random.Random(seed), per_class),
        "broad": varied(WorkFilter(include_tags=(synthetic.top_fandom,), ratings=mature_or_lower), 1),
        "huge": varied(WorkFilter(ratings=mature_or_lower), 1),
        "everything": varied(WorkFilter(), 100),
    }
    urls = {name: [f"/works/?{f.to_query()}".rstrip("?") for f in found] for name, found in filters.items()}
    seen: set[str] = set()
    for name, found in urls.items():
        # Two random selective filters could be the same; every URL must be fetched once, uncached.
        urls[name] = [url for url in found if not (url in seen or seen.add(url))]
    return urls


# Server ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving Fanfold on a loopback port, in its own process group so all of it can be stopped."""

    def __init__(self, *, workers: int, log_path: Path, threads: int = 1, preload: bool = False) -> None:
        self.workers = workers
        self.threads = threads
        self.preload = preload
        self.log_path = log_path
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self, ready_within: float = 60.0) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "fanfold.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers)]
        if self.threads > 1:
            command += ["--threads", str(self.threads)]
        if self.preload:  # as README's "Running in production": the index is built once, before the fork
            command.append("--preload")
        # A long timeout: the first request builds the index, which at a million works takes a while.
        command += ["--timeout", "1800", "--graceful-timeout", "5", "--log-level", "warning"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen on port {self.port} within {ready_within:.0f} s")

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def get(self, path: str, *, timeout: float = 60.0) -> tuple[int, bytes, float]:
        """Status, body and wall time of one full response (a new connection each time, as a guest)."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Accept": "text/html"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        return response.status, body, time.perf_counter() - started


def time_listings(server: Server, urls: dict[str, list[str]], *, seed: int, time_limit: float) -> dict:
    jobs = [(name, url) for name, found in urls.items() for url in found]
    random.Random(seed).shuffle(jobs)  # classes interleaved, so none gets a quieter stretch of the machine
    samples: dict[str, list[float]] = {name: [] for name in urls}
    matched: dict[str, list[int]] = {name: [] for name in urls}
    sizes: dict[str, list[int]] = {name: [] for name in urls}
    timed: list[tuple[float, str]] = []
    deadline = time.monotonic() + time_limit
    for name, url in jobs:
        if time.monotonic() > deadline:
            print(f"listing: time limit reached after {sum(map(len, samples.values()))} requests", flush=True)
            break
        status, body, seconds = server.get(url)
        if status != 200:
            raise RuntimeError(f"GET {url} answered {status}:\n{body[:2000].decode(errors='replace')}")
        found = _RESULT_COUNT.search(body)
        samples[name].append(seconds)
        timed.append((seconds, url))
        matched[name].append(int(found.group(1).replace(b",", b"")) if found else 0)
        sizes[name].append(len(body))
    report = {"overall": percentiles([s for found in samples.values() for s in found]), "classes": {}}
    report["slowest"] = [{"ms": round(seconds * 1000, 1), "url": url} for seconds, url in sorted(timed)[::-1][:5]]
    for name in urls:
        entry = percentiles(samples[name])
        if samples[name]:
            entry["matched_mean"] = int(statistics.mean(matched[name]))
            entry["kib_mean"] = round(statistics.mean(sizes[name]) / 1024, 1)
        entry["example"] = urls[name][0] if urls[name] else None
        report["classes"][name] = entry
    return report


# Freshness -------------------------------------------------------------------------------------------


def _poll_until(server: Server, url: str, needles: list[bytes], *, since: float, within: float) -> tuple[float, int]:
    """Seconds from `since` until a response to `url` holds every needle (inf if it never did), and polls made."""
    polls = 0
    while polls < 1000 and time.perf_counter() - since < within:
        status, body, _seconds = server.get(url)
        polls += 1
        if status == 200 and all(needle in body for needle in needles):
            return time.perf_counter() - since, polls
        time.sleep(0.01)
    return float("inf"), polls


def time_freshness(server: Server, edit_ids: list[int], *, trials: int, within: float) -> dict:
    """Post works and edit works while the server runs; how soon each shows in a guest's listing."""
    from django.db import transaction
    from django.utils import timezone

    from fanfold.accounts.models import Pseud
    from fanfold.discovery.services import record_work_change
    from fanfold.tags.models import TagType
    from fanfold.tags.services import tag_find_or_create
    from fanfold.works.models import Work
    from fanfold.works.services import ChapterFields, WorkFields, work_create

    pseud = Pseud.objects.order_by("id").first()
    created, edited, polls = [], [], {"new_work": [], "edit": []}
    for trial in range(trials):
        token = secrets.token_hex(4)
        fields = WorkFields(
            title=f"Freshness probe {token}",
            rating="General Audiences",
            warnings=["No Archive Warnings Apply"],
            fandoms=["Fandom 0"],
            freeforms=[f"Freshness {token}"],
        )
        work = work_create(pseuds=[pseud], fields=fields, chapter=ChapterFields(content=f"<p>{token}</p>"), post=True)
        committed = time.perf_counter()
        # The newest work heads the default listing (by date updated, newest first).
        seconds, count = _poll_until(
            server, "/works/", [f'id="work_{work.pk}"'.encode()], since=committed, within=within
        )
        created.append(seconds)
        polls["new_work"].append(count)
        time.sleep(0.2)

        if trial >= len(edit_ids):
            continue
        title = f"Edited probe {token}"
        with transaction.atomic():
            work = Work.objects.select_for_update().get(pk=edit_ids[trial])
            tag = tag_find_or_create(name=f"Edit {token}", type=TagType.FREEFORM)
            work.title = title
            work.revised_at = timezone.now()
            work.save(update_fields=["title", "revised_at", "updated_at"])
            work.tags.add(tag)
            record_work_change(work.pk)
        committed = time.perf_counter()
        needles = [f'id="work_{work.pk}"'.encode(), title.encode()]
        seconds, count = _poll_until(server, f"/works/?tag={tag.pk}", needles, since=committed, within=within)
        edited.append(seconds)
        polls["edit"].append(count)
        time.sleep(0.2)

    def summary(samples: list[float], counts: list[int]) -> dict:
        entry = percentiles([s for s in samples if s != float("inf")], scale=1.0, unit="s")
        entry["never_seen"] = sum(1 for s in samples if s == float("inf"))
        entry["polls_mean"] = round(statistics.mean(counts), 1) if counts else None
        return entry

    return {
        "target_s": 1.0,
        "new_work": summary(created, polls["new_work"]) | {"listing": "/works/ (date updated, newest first)"},
        "edit": summary(edited, polls["edit"]) | {"listing": "/works/?tag=<the tag the edit added>"},
    }


# Build, in a process of its own ----------------------------------------------------------------------


def release_freed_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _top_of_profile(profile: cProfile.Profile, lines: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    # Drop pstats' header lines and long paths, keep the tables.
    return re.sub(r"/\S*/(site-packages|main)/", "", out.getvalue())


_LISTING_PARTS = {
    "whole response": ("django/core/handlers/base.py", "get_response"),
    "change-log catch-up (get_index)": ("fanfold/discovery/index.py", "get_index"),
    "filter, sort, page and facet counts (DiscoveryIndex.search)": ("fanfold/discovery/index.py", "search"),
    "page of works, with tags and creators (_works_in_order)": ("fanfold/discovery/views.py", "_works_in_order"),
    "facet sidebar tags (_facet_groups)": ("fanfold/discovery/views.py", "_facet_groups"),
    "template rendering": ("django/template/response.py", "rendered_content"),
}


def _listing_breakdown(profile: cProfile.Profile, requests: int) -> dict[str, float]:
    """Mean milliseconds per request in each part of the listing view (cumulative, profiler overhead included)."""
    stats = pstats.Stats(profile).stats
    parts = {}
    for label, (path, function) in _LISTING_PARTS.items():
        seconds = sum(
            entry[3] for (file, _line, name), entry in stats.items() if file.endswith(path) and name == function
        )
        parts[label] = round(seconds / requests * 1000, 1)
    return parts


def measure_build(args) -> None:
    """Build the index the way a server process does on its first request; print figures as JSON.

    With --profile the index is then built again under cProfile (so the timed build carries no profiler
    overhead), and a few listing requests are profiled through Django's test client."""
    import django

    django.setup()
    from django.test import Client

    from fanfold.discovery.index import get_index, reset_index

    release_freed_memory()
    rss_before = rss_mib()
    started = time.perf_counter()
    index = get_index()  # on first use this is DiscoveryIndex.build()
    build_s = time.perf_counter() - started
    gc.collect()
    rss_after = rss_mib()
    release_freed_memory()
    report = {
        "build_s": round(build_s, 2),
        "listed": len(index),
        "index_mib": round(index.nbytes() / 2**20, 1),
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
        "rss_after_trim_mib": rss_mib(),
        "peak_rss_mib": rss_mib("VmHWM"),
    }
    if args.profile:
        del index
        reset_index()
        release_freed_memory()
        profile = cProfile.Profile()
        profile.enable()
        get_index()
        profile.disable()
        report["build_profile"] = _top_of_profile(profile, 25)
        urls = json.loads(Path(args.profile_urls).read_text())
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(urls[0][1])  # warm: tag name order, text sorts
        profile = cProfile.Profile()
        per_class: dict[str, list[float]] = {}
        for name, url in urls:
            started = time.perf_counter()
            profile.enable()
            response = client.get(url)
            profile.disable()
            per_class.setdefault(name, []).append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
        report["listing_in_process"] = {name: percentiles(samples) for name, samples in per_class.items()}
        report["listing_breakdown_ms"] = _listing_breakdown(profile, len(urls))
        report["listing_profile"] = _top_of_profile(profile, 30)
    print("BUILD-REPORT " + json.dumps(report), flush=True)


def run_build_process(args, profile_urls: list[tuple[str, str]] | None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure-build", "--db", args.db]
    if profile_urls:
        url_file = args.scratch / "profile_urls.json"
        url_file.write_text(json.dumps(profile_urls))
        command += ["--profile", "--profile-urls", str(url_file)]
    done = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"the build process failed ({done.returncode}):\n{done.stderr[-4000:]}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("BUILD-REPORT "))
    return json.loads(line.removeprefix("BUILD-REPORT "))


# Main ------------------------------------------------------------------------------------------------


def print_report(report: dict) -> None:
    data, build, server = report["data"], report["build"], report["server"]
    print(
        f"\n{report['database']}: {data['works']:,} works ({data['listed']:,} listed), {data['taggings']:,} taggings, "
        f"{data['tags']:,} tags, {data['users']:,} users"
    )
    if report.get("load"):
        print(f"load: {report['load']}")
    print(
        f"build from the database: {build['build_s']:.1f} s; process RSS {build['rss_before_mib']:.0f} MiB before, "
        f"{build['rss_after_mib']:.0f} MiB after ({build['rss_after_trim_mib']:.0f} MiB once freed memory is "
        f"returned), peak {build['peak_rss_mib']:.0f} MiB; index arrays and bitmaps {build['index_mib']:.0f} MiB"
    )
    print(
        f"server: gunicorn, {server['workers']} sync worker, DEBUG {'on' if server['debug'] else 'off'}; first "
        f"request (builds the index) {server['warmup_s']:.1f} s; worker RSS {server['worker_rss_mib']} MiB "
        f"(peak {server['worker_peak_rss_mib']} MiB)"
    )
    print(f"\n{'guest listing over HTTP':26} {'requests':>8} {'matched (mean)':>15} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8} {'KiB':>6}")  # fmt: skip
    listing = report["listing"]
    for name, entry in [*listing["classes"].items(), ("all", listing["overall"])]:
        if not entry.get("n"):
            continue
        matched = f"{entry['matched_mean']:,}" if "matched_mean" in entry else ""
        kib = f"{entry['kib_mean']:.0f}" if "kib_mean" in entry else ""
        print(
            f"{name:26} {entry['n']:>8} {matched:>15} {entry['p50_ms']:>8.1f} {entry['p95_ms']:>8.1f} "
            f"{entry['max_ms']:>8.1f} {kib:>6}"
        )
    print("slowest: " + ", ".join(f"{entry['url']} {entry['ms']:.0f} ms" for entry in listing["slowest"]))
    fresh = report["freshness"]
    print(f"\n{'freshness (target ≤ 1 s)':26} {'trials':>8} {'p50 s':>8} {'max s':>8} {'polls':>6} {'never':>6}")
    for name in ("new_work", "edit"):
        entry = fresh[name]
        if entry.get("n"):
            print(
                f"{name:26} {entry['n'] + entry['never_seen']:>8} {entry['p50_s']:>8.3f} {entry['max_s']:>8.3f} "
                f"{entry['polls_mean']:>6} {entry['never_seen']:>6}"
            )
        elif entry["never_seen"]:
            print(f"{name:26} {entry['never_seen']:>8} never showed")
    if build.get("listing_breakdown_ms"):
        print("\nwhere a listing request's time goes (cProfile, in process, mean ms per request):")
        for label, ms in build["listing_breakdown_ms"].items():
            print(f"  {label:58} {ms:>8.1f}")
    for key in ("build_profile", "listing_profile"):
        if report.get(key):
            print(f"\n{key.replace('_', ' ')} (cProfile):\n{report[key]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="PostgreSQL database to create and drop")
    parser.add_argument("--sqlite-dir", type=Path, default=DEFAULT_SQLITE_DIR, help="where the SQLite file goes")
    parser.add_argument("--requests", type=int, default=200, help="listing requests, over four classes")
    parser.add_argument("--freshness", type=int, default=10, help="works posted, and works edited")
    parser.add_argument("--freshness-within", type=float, default=15.0, help="seconds to wait for each to show")
    parser.add_argument("--listing-time-limit", type=float, default=1800.0, help="seconds for all listing requests")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true", help="leave the database in place at the end")
    parser.add_argument(
        "--reuse-db", action="store_true", help="use the database as it is if it exists (and keep it at the end)"
    )
    parser.add_argument("--debug", action="store_true", help="run the server with DEBUG=1")
    parser.add_argument("--profile", action="store_true", help="cProfile the build and a few listing requests")
    parser.add_argument("--output", type=Path, default=RESULTS / "http.json")
    parser.add_argument("--measure-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-urls", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_build:
        measure_build(args)
        return

    # SIGTERM unwinds like Ctrl-C, so the server is stopped and the database dropped either way.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    args.scratch = Path(tempfile.mkdtemp(prefix="fanfold-http-bench-"))
    configure_environment(args)
    server = None
    created = False
    try:
        created = create_database(args)
        import django

        django.setup()
        from django.core.management import call_command
        from generate import generate

        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        print(f"generating {args.works:,} works…", flush=True)
        started = time.perf_counter()
        synthetic = generate(args.works, seed=args.seed)
        generate_s = time.perf_counter() - started
        load = {"generate_s": round(generate_s, 2)}
        if created:
            print(f"loading into {args.db}…", flush=True)
            tables = database_tables(synthetic, seed=args.seed)
            started = time.perf_counter()
            if args.db == "postgres":
                load |= load_postgres(tables, args.database)
            else:
                load |= load_sqlite(tables, sqlite_path(args))
            load["total_s"] = round(time.perf_counter() - started, 2)
            print(f"loaded in {load['total_s']:.1f} s {load}", flush=True)
            del tables
        urls = listing_urls(synthetic, args.requests, seed=args.seed)
        restricted = np.asarray(synthetic.rows.restricted, dtype=bool)
        public_ids = np.asarray(synthetic.rows.work_ids)[~restricted]
        edit_ids = random.Random(args.seed).sample(public_ids.tolist(), min(args.freshness, len(public_ids)))
        data = {
            "works": synthetic.generated,
            "listed": len(synthetic.rows),
            "filter_tags_per_work": round(len(synthetic.rows.tag_ids) / max(1, len(synthetic.rows)), 2),
        }
        del synthetic, restricted, public_ids
        gc.collect()
        from fanfold.accounts.models import User
        from fanfold.tags.models import Tag
        from fanfold.works.models import Work

        data |= {
            "taggings": Work.tags.through.objects.count(),
            "tags": Tag.objects.count(),
            "users": User.objects.count(),
            "works_in_database": Work.objects.count(),
        }

        print("building the index from the database in a new process…", flush=True)
        profile_urls = [(name, url) for name, found in urls.items() for url in found[:5]] if args.profile else None
        build = run_build_process(args, profile_urls)
        print(f"built in {build['build_s']:.1f} s, RSS {build['rss_after_mib']:.0f} MiB", flush=True)

        server = Server(workers=1, log_path=args.scratch / "gunicorn.log")
        server.start()
        print(f"gunicorn on 127.0.0.1:{server.port}; first request…", flush=True)
        status, body, warmup_s = server.get("/works/", timeout=3600)
        if status != 200:
            raise RuntimeError(f"the first request answered {status}:\n{server.log_tail()}")
        print(f"first request {warmup_s:.1f} s; timing {sum(map(len, urls.values()))} listing requests…", flush=True)
        listing = time_listings(server, urls, seed=args.seed, time_limit=args.listing_time_limit)
        print("timing freshness…", flush=True)
        freshness = time_freshness(server, edit_ids, trials=args.freshness, within=args.freshness_within)
        workers = server.worker_pids()
        server_report = {
            "workers": 1,
            "worker_class": "sync",
            "debug": args.debug,
            "warmup_s": round(warmup_s, 2),
            "worker_rss_mib": rss_mib(pid=workers[0]) if workers else None,
            "worker_peak_rss_mib": rss_mib("VmHWM", pid=workers[0]) if workers else None,
        }
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__},
            "database": args.db,
            "data": data,
            "load": load if created else None,
            "build": {k: v for k, v in build.items() if not k.endswith("_profile")},
            "server": server_report,
            "listing": listing,
            "freshness": freshness,
        }
        print_report(report | {k: v for k, v in build.items() if k.endswith("_profile")})
        write_report(args.output, report)
    finally:
        # A second SIGTERM (a service manager repeating itself) must not cut the clean-up short; it is bounded.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            server.stop()
        if not (args.keep_db or args.reuse_db):
            try:
                drop_database(args)
            except Exception as error:  # the run's own error matters more
                print(f"could not drop the bench database: {error}", file=sys.stderr)
        shutil.rmtree(args.scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
