"""Benchmark full-text search on a real database: works with generated prose, searched through `works_listing`.

    DEBUG=1 .venv/bin/python bench/fulltext_bench.py [--works 100000] [--db sqlite|postgres] [--queries 50]
                                                     [--keep] [--reuse] [--name fulltext] [--experiment work_mem]
                                                     [--no-frequent-words]

Generates works (chapters of Zipf-distributed prose, titles, summaries, notes, tags, creators), loads them into a
fresh database (SQLite under var/bench/fulltext/ by default; `--db postgres` into the throwaway database
`fanfold_fulltext_bench` on 127.0.0.1:5432), runs `refresh_frequent_words` on it (timed; `--no-frequent-words`
skips it), builds the discovery index from it, then times each query class end to
end (`works_listing` as a guest, sorted by best match, with and without snippets) and its `text_match` part alone.
Prints p50/p95 per class, the load time and the size on disk, profiles any class whose p95 misses the target, and
writes the figures under this backend's name in bench/results/fulltext.json. The database is removed at the end
unless `--keep`; `--reuse` times a kept one again without reloading it. `--experiment work_mem` (PostgreSQL) times
every class again with the session's work_mem raised.
"""

import argparse
import collections
import cProfile
import dataclasses
import datetime as dt
import importlib
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import random
import signal
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from common import percentiles

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
SQLITE_DIR = ROOT / "var" / "bench" / "fulltext"
PG_DATABASE = "fanfold_fulltext_bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET_P95_MS = 100.0

# The most frequent English words, most frequent first: the head of the vocabulary's Zipf ranking.
COMMON = (
    "the of and to a in he was it that his i you her she had with for on as at not but is be they him by "
    "this my from all have so what we me were said there one out up been would no if or an when could "
    "them their into which do about then like now who time only did its your more back over know than "
    "can down just will other even any before after how our some still eyes way again thought hand "
    "through well much never where here long away face something head made first going because those "
    "around too come right think looked while every nothing against door night room get see want own "
    "felt voice should being once turned last little always might these off into light dark home each "
    "moment behind himself herself both enough without under another quiet across smile"
).split()
COMMON = list(dict.fromkeys(COMMON))
_ONSETS = "b bl br d dr f fl g gr h j k kr l m n p pr r s sh sk st t th tr v w z".split()
_VOWELS = "a e i o u ae ai ei ia io ou".split()
_CODAS = ["", "", "", "n", "r", "s", "l", "th", "nd", "sk"]


@dataclasses.dataclass
class Config:
    works: int
    seed: int
    vocabulary: int
    zipf: float
    median_words: int
    sigma: float
    max_words: int

    @property
    def key(self) -> dict:
        return dataclasses.asdict(self)


# Setting up -----------------------------------------------------------------------------------------------


def configure(args) -> None:
    """Point Django at the benchmark's own database before it is set up."""
    global SQLITE_DIR, PG_DATABASE
    SQLITE_DIR = ROOT / "var" / "bench" / args.name
    PG_DATABASE = f"fanfold_{args.name.replace('-', '_')}_bench"
    os.environ.setdefault("DEBUG", "1")
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["FANFOLD_VAR_DIR"] = str(SQLITE_DIR)


def sqlite_files() -> list[Path]:
    db = SQLITE_DIR / "fanfold.sqlite3"
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def create_postgres_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")


def drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def postgres_database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone() is not None


def meta_path(backend: str) -> Path:
    return SQLITE_DIR / f"{backend}-meta.json"


# Words -----------------------------------------------------------------------------------------------------


def vocabulary(size: int, seed: int) -> list[str]:
    """`COMMON` then `size` made-up words of two to four syllables, in Zipf rank order."""
    rng = np.random.default_rng([seed, 11])
    taken = set(COMMON)
    made: list[str] = []
    for _attempt in range(size * 4):
        if len(made) == size:
            break
        syllables = 2 + (rng.random() < 0.55) + (rng.random() < 0.1)
        word = "".join(
            _ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))] for _ in range(syllables)
        )
        word += _CODAS[rng.integers(len(_CODAS))]
        if word not in taken:
            taken.add(word)
            made.append(word)
    if len(made) < size:
        raise RuntimeError(f"could only make {len(made):,} distinct words")
    return COMMON + made


def zipf_cdf(count: int, s: float) -> np.ndarray:
    weights = np.arange(1, count + 1, dtype=np.float64) ** -s
    return np.cumsum(weights / weights.sum())


# The plan: everything about each work but its prose, made in the parent and read by the text makers ---------

_PLAN: dict = {}


@dataclasses.dataclass
class Table:
    """Rows for one table: the columns the loader gives, then every other column at its model default."""

    name: str
    columns: tuple[str, ...]
    filled: tuple

    @classmethod
    def of(cls, model, columns: str, *, with_id: bool):
        from django.db import connection, models
        from django.utils import timezone

        given = columns.split()
        names, values = [], []
        for field in model._meta.local_concrete_fields:
            if field.column in given or (field.primary_key and not with_id):
                continue
            if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                default = timezone.now()
            else:
                default = field.get_default()
            names.append(field.column)
            values.append(field.get_db_prep_save(default, connection))
        return cls(model._meta.db_table, tuple(given) + tuple(names), tuple(values))

    def row(self, *values) -> tuple:
        return values + self.filled


def make_plan(config: Config, vendor: str) -> dict:
    """Who wrote each work, its tags, counts, dates and lengths; prose comes later, in batches."""
    from django.db import connection
    from generate import generate

    from fanfold.accounts.models import Pseud, User
    from fanfold.discovery.models import SearchText
    from fanfold.tags.models import FIXED_TYPES, Tag, name_key
    from fanfold.works.models import Chapter, Creatorship, Work

    synthetic = generate(config.works, seed=config.seed)
    rows, tags = synthetic.rows, synthetic.tags
    rng = np.random.default_rng([config.seed, 3])
    count = len(rows)
    lengths = np.clip(
        np.rint(rng.lognormal(math.log(config.median_words), config.sigma, count)), 20, config.max_words
    ).astype(np.int64)
    # The generator's chapter counts, but no chapter shorter than about 300 words.
    chapters = np.minimum(rows.chapter_count, np.maximum(1, lengths // 300)).astype(np.int64)

    fixed = {name: tag_id for tag_id, name in Tag.objects.filter(type__in=FIXED_TYPES).values_list("id", "name")}
    remap = {}
    tag_rows = []
    for tag_id, tag_type, name in zip(tags.ids.tolist(), tags.types, tags.names, strict=True):
        if tag_type in FIXED_TYPES:
            remap[tag_id] = fixed[name]
        else:
            remap[tag_id] = tag_id
            tag_rows.append((tag_id, name, name_key(name), tag_type, True))
    name_of = {remap[t]: n for t, n in zip(tags.ids.tolist(), tags.names, strict=True)}
    tag_offsets, tag_ids = rows.tag_offsets.tolist(), [remap[t] for t in rows.tag_ids.tolist()]
    creator_offsets, creator_users = rows.creator_offsets.tolist(), rows.creator_user_ids.tolist()
    users = int(rows.creator_user_ids.max()) if len(rows.creator_user_ids) else 0

    ops = connection.ops
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    revised = [epoch + dt.timedelta(microseconds=int(us)) for us in rows.revised_at.tolist()]
    published = [dt.date(1970, 1, 1) + dt.timedelta(days=int(day)) for day in rows.published_on.tolist()]
    plan = {
        "config": config,
        "vendor": vendor,
        "vocabulary": vocabulary(config.vocabulary, config.seed),
        "cdf": zipf_cdf(len(COMMON) + config.vocabulary, config.zipf),
        "work_ids": rows.work_ids.tolist(),
        "restricted": rows.restricted.tolist(),
        "languages": list(rows.language),
        "lengths": lengths.tolist(),
        "chapters": chapters.tolist(),
        "complete": ((chapters == 1) | (rng.random(count) < 0.5)).tolist(),
        "counts": list(
            zip(
                rows.kudos_count.tolist(),
                rows.comment_count.tolist(),
                rows.hit_count.tolist(),
                rows.bookmark_count.tolist(),
                strict=True,
            )
        ),
        "revised": [ops.adapt_datetimefield_value(value) for value in revised],
        "published": [ops.adapt_datefield_value(value) for value in published],
        # A second creator may be drawn equal to the first; a work credits a pseud once.
        "creators": [
            list(dict.fromkeys(creator_users[a:b])) for a, b in zip(creator_offsets, creator_offsets[1:], strict=False)
        ],
        "tags": [tag_ids[a:b] for a, b in zip(tag_offsets, tag_offsets[1:], strict=False)],
        "tag_names": name_of,
        "tag_rows": tag_rows,
        "users": users,
        "tables": {
            "work": Table.of(
                Work,
                "id title summary notes end_notes language expected_chapters complete posted restricted hidden "
                "published_on revised_at created_at updated_at word_count chapter_count kudos_count comment_count "
                "hit_count bookmark_count",
                with_id=True,
            ),
            "chapter": Table.of(
                Chapter,
                "work_id position title summary notes end_notes content posted published_on word_count created_at "
                "updated_at",
                with_id=False,
            ),
            "search_text": Table.of(SearchText, "id work_id field words", with_id=True),
            "tag": Table.of(Tag, "id name key type canonical", with_id=True),
            "user": Table.of(User, "id password username email", with_id=True),
            "pseud": Table.of(Pseud, "id user_id name is_default", with_id=True),
            "creatorship": Table.of(Creatorship, "work_id pseud_id position", with_id=False),
            "tagging": Table.of(Work.tags.through, "work_id tag_id", with_id=False),
        },
    }
    return plan


# Prose, made in a separate process while the parent writes the previous batch ------------------------------


class _Words:
    """Draws Zipf-distributed words from one batch's own random stream."""

    def __init__(self, rng, vocabulary: list[str], cdf: np.ndarray, size: int) -> None:
        self._vocabulary = vocabulary
        self._picks = np.searchsorted(cdf, rng.random(size), side="right").clip(0, len(vocabulary) - 1).tolist()
        self._next = 0

    def take(self, count: int) -> list[str]:
        if self._next + count > len(self._picks):
            self._next = 0
        words = [self._vocabulary[i] for i in self._picks[self._next : self._next + count]]
        self._next += count
        return words

    def sentence(self, count: int, *, title: bool = False) -> str:
        words = self.take(count)
        if title:
            return " ".join(word.capitalize() for word in words)
        return (" ".join(words).capitalize() + ".") if words else ""


def _html(text: str) -> str:
    return f"<p>{text}</p>" if text else ""


def make_batch(start: int, end: int) -> dict:
    """Works `start`..`end` of the plan with their prose: rows for works, chapters and search texts."""
    from fanfold.discovery.fulltext import FIELDS, _rows_of, common_word_presence

    plan = _PLAN
    config: Config = plan["config"]
    rng = np.random.default_rng([config.seed, 5, start])
    vocabulary, cdf = plan["vocabulary"], plan["cdf"]
    size = len(vocabulary)
    # Body tokens carry their punctuation: plain, comma, full stop, end of paragraph.
    if "decorated" not in plan:
        plan["decorated"] = [word + mark for mark in ("", ",", ".", ".\n\n") for word in vocabulary]
    decorated = plan["decorated"]
    lengths = plan["lengths"][start:end]
    total = sum(lengths)
    picks = np.searchsorted(cdf, rng.random(total), side="right").clip(0, size - 1)
    punctuation = rng.random(total)
    kinds = np.where(punctuation < 0.07, 2, np.where(punctuation < 0.12, 1, 0))
    kinds[punctuation < 0.01] = 3
    body = (picks + size * kinds).tolist()
    small = _Words(rng, vocabulary, cdf, 400 * (end - start) + 1000)
    tables = plan["tables"]
    work_table, chapter_table, text_table = tables["work"], tables["chapter"], tables["search_text"]
    works, chapter_rows, text_rows = [], [], []
    common: dict = collections.defaultdict(set)
    offset = 0
    for number in range(start, end):
        work_id = plan["work_ids"][number]
        length, chapter_count = plan["lengths"][number], plan["chapters"][number]
        revised, published = plan["revised"][number], plan["published"][number]
        title = small.sentence(int(rng.integers(1, 6)), title=True)
        summary = small.sentence(int(rng.integers(15, 120)))
        notes = small.sentence(int(rng.integers(10, 60))) if rng.random() < 0.4 else ""
        end_notes = small.sentence(int(rng.integers(10, 40))) if rng.random() < 0.25 else ""
        fields = {
            "title": [title],
            "creator": [f"creator{user}" for user in plan["creators"][number]],
            "tag": sorted(plan["tag_names"][tag] for tag in set(plan["tags"][number])),
            "summary": [summary],
            "notes": [notes, end_notes],
            "text": [],
        }
        cuts = [0, length]
        if chapter_count > 1:
            cuts = [0, *sorted(rng.choice(np.arange(1, length), chapter_count - 1, replace=False).tolist()), length]
        for position in range(1, chapter_count + 1):
            first, after = cuts[position - 1], cuts[position]
            plain = " ".join(map(decorated.__getitem__, body[offset + first : offset + after]))
            content = "<p>" + plain.replace("\n\n", "</p>\n<p>") + "</p>"
            chapter_title = small.sentence(int(rng.integers(1, 5)), title=True) if rng.random() < 0.5 else ""
            chapter_summary = small.sentence(int(rng.integers(10, 40))) if rng.random() < 0.15 else ""
            chapter_notes = small.sentence(int(rng.integers(10, 50))) if rng.random() < 0.2 else ""
            chapter_end = small.sentence(int(rng.integers(10, 30))) if rng.random() < 0.1 else ""
            fields["summary"].append(chapter_summary)
            fields["notes"] += [chapter_notes, chapter_end]
            fields["text"] += [chapter_title, plain]
            chapter_rows.append(
                chapter_table.row(
                    work_id, position, chapter_title, _html(chapter_summary), _html(chapter_notes), _html(chapter_end),
                    content, True, published, after - first, revised, revised,
                )
            )  # fmt: skip
        offset += length
        kudos, comments, hits, bookmarks = plan["counts"][number]
        complete = plan["complete"][number]
        works.append(
            work_table.row(
                work_id, title, _html(summary), _html(notes), _html(end_notes), plan["languages"][number],
                chapter_count if complete else None, complete, True, plan["restricted"][number], False, published,
                revised, revised, revised, length, chapter_count, kudos, comments, hits, bookmarks,
            )
        )  # fmt: skip
        # The same rows `fulltext.store_search_texts` would write for this work.
        rows = _rows_of(work_id, fields, FIELDS)
        text_rows += [text_table.row(row.id, row.work_id, row.field, row.words) for row in rows]
        for key, offsets in common_word_presence(rows).items():
            common[key] |= offsets
    return {"works": works, "chapters": chapter_rows, "search_texts": text_rows, "words": total, "common": common}


# Loading ---------------------------------------------------------------------------------------------------


class Loader:
    """Bulk inserts through the raw driver: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.raw = connection.connection
        self.vendor = connection.vendor
        self.seconds: collections.Counter = collections.Counter()
        self.rows: collections.Counter = collections.Counter()

    def insert(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        columns = ", ".join(f'"{column}"' for column in table.columns)
        if self.vendor == "postgresql":
            with self.raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(table.columns))
            self.raw.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)
        self.seconds[table.name] += time.perf_counter() - started
        self.rows[table.name] += len(rows)


def load(plan: dict, *, batch: int, time_limit: float) -> dict:
    """Write the plan's works into the (empty, migrated) database; return what it took."""
    from django.db import connection

    count = len(plan["work_ids"])
    bounds = [(start, min(count, start + batch)) for start in range(0, count, batch)]
    connection.close()  # the prose maker is forked and must not share the parent's database connection
    with multiprocessing.get_context("fork").Pool(1) as pool:
        # At most two batches made ahead: the maker runs while the parent writes, without piling up prose.
        pending = collections.deque((part, pool.apply_async(make_batch, part)) for part in bounds[:2])
        return _write(plan, bounds, pending, pool, time_limit)


def _write(plan: dict, bounds: list, pending: collections.deque, pool, time_limit: float) -> dict:
    from django.db import connection, transaction

    from fanfold.discovery.fulltext import FIELDS, PAIR_BUCKET_INDEX, pair_buckets_sql, store_common_words

    migration = importlib.import_module("fanfold.discovery.migrations.0002_search_text")
    tables = plan["tables"]
    started = time.perf_counter()
    steps: dict[str, float] = {}
    # Set aside what slows a bulk load and is rebuilt in one pass after it (or is not needed for generated,
    # consistent rows): PostgreSQL's full-text GIN index and foreign-key triggers; SQLite's foreign-key checks.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS discovery_searchtext_tsv")
            cursor.execute(f"DROP INDEX IF EXISTS {PAIR_BUCKET_INDEX}")
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
    loader = Loader()
    users = range(1, plan["users"] + 1)
    with transaction.atomic():
        loader.insert(tables["tag"], [tables["tag"].row(*row) for row in plan["tag_rows"]])
        user, pseud = tables["user"], tables["pseud"]
        loader.insert(user, [user.row(u, "!", f"creator{u}", f"creator{u}@example.invalid") for u in users])
        loader.insert(pseud, [pseud.row(u, u, f"creator{u}", True) for u in users])
    steps["tags_users_s"] = time.perf_counter() - started

    waited = 0.0
    words = 0
    count = len(plan["work_ids"])
    submitted = len(pending)
    credit, tagging = tables["creatorship"], tables["tagging"]
    while pending:
        if time.perf_counter() - started > time_limit:
            raise SystemExit(f"loading took longer than {time_limit:.0f} s; stopped")
        (first, end), made = pending.popleft()
        waiting = time.perf_counter()
        made = made.get(timeout=900)
        waited += time.perf_counter() - waiting
        if submitted < len(bounds):
            pending.append((bounds[submitted], pool.apply_async(make_batch, bounds[submitted])))
            submitted += 1
        work_ids = plan["work_ids"]
        with transaction.atomic():
            loader.insert(tables["work"], made["works"])
            loader.insert(tables["chapter"], made["chapters"])
            loader.insert(
                credit,
                [
                    credit.row(work_ids[n], u, place)
                    for n in range(first, end)
                    for place, u in enumerate(plan["creators"][n])
                ],
            )
            loader.insert(
                tagging, [tagging.row(work_ids[n], tag) for n in range(first, end) for tag in plan["tags"][n]]
            )
            loader.insert(tables["search_text"], made["search_texts"])
            store_common_words(work_ids[first:end], FIELDS, made["common"])
        words += made["words"]
        if submitted % 20 == 0 or end == count:
            print(
                f"  {end:,} / {count:,} works, {words / 1e6:,.0f}M words, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    steps["works_s"] = time.perf_counter() - started - steps["tags_users_s"]
    steps["waited_for_prose_s"] = waited

    finishing = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            from fanfold.accounts.models import Pseud, User
            from fanfold.tags.models import Tag
            from fanfold.works.models import Work

            cursor.execute("SET session_replication_role = DEFAULT")
            for statement in connection.ops.sequence_reset_sql(no_style(), [Tag, User, Pseud, Work]):
                cursor.execute(statement)
            index_started = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '2GB'")
            cursor.execute(migration.POSTGRESQL[1])  # the GIN index, as the migration makes it
            steps["gin_index_s"] = time.perf_counter() - index_started
            index_started = time.perf_counter()
            for statement in pair_buckets_sql():  # the phrase index, as the migration makes it
                cursor.execute(statement)
            steps["pair_index_s"] = time.perf_counter() - index_started
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA cache_size = -2000")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    steps["finish_s"] = time.perf_counter() - finishing
    total = time.perf_counter() - started
    return {
        "total_s": round(total, 1),
        "steps_s": {key: round(value, 1) for key, value in steps.items()},
        "insert_s": {key: round(value, 1) for key, value in loader.seconds.items()},
        "rows": dict(loader.rows),
        "body_words": words,
        "body_words_per_second": round(words / total),
    }


# Checking the load ------------------------------------------------------------------------------------------


def check_search_texts(sample: list[int]) -> dict:
    """Whether the loaded rows are what `store_search_texts` writes for the same works, and what it costs."""
    from fanfold.discovery import fulltext
    from fanfold.discovery.models import CommonWordWorks, SearchText

    def stored() -> list[tuple]:
        return sorted(SearchText.objects.filter(work_id__in=sample).values_list("id", "work_id", "field", "words"))

    def common() -> list[tuple]:
        blocks = {work_id // fulltext.BLOCK_WORKS for work_id in sample}
        rows = CommonWordWorks.objects.filter(block__in=blocks).values_list("word", "field", "block", "bits")
        return sorted((word, field, block, bytes(bits)) for word, field, block, bits in rows)

    loaded, loaded_common = stored(), common()
    started = time.perf_counter()
    texts = fulltext.work_search_texts(sample)
    read_s = time.perf_counter() - started
    expected = sorted(
        (row.id, row.work_id, row.field, row.words)
        for work_id, found in texts.items()
        for row in fulltext._rows_of(work_id, found, fulltext.FIELDS)
    )
    started = time.perf_counter()
    fulltext.store_search_texts(sample)
    store_s = time.perf_counter() - started
    rewritten = stored()
    return {
        "sample_works": len(sample),
        "rows": len(loaded),
        "same_as_store_search_texts": loaded == expected == rewritten,
        "common_words_same_as_store_search_texts": loaded_common == common(),
        "work_search_texts_s": round(read_s, 2),
        "store_search_texts_s": round(store_s, 2),
        "store_search_texts_works_per_s": round(len(sample) / store_s, 1),
    }


def disk_size(vendor: str) -> dict:
    from django.db import connection

    from fanfold.discovery.fulltext import PAIR_BUCKET_INDEX

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT pg_database_size(current_database()), pg_total_relation_size('discovery_searchtext'), "
                "pg_relation_size('discovery_searchtext_tsv'), pg_relation_size(%s), "
                "pg_total_relation_size('works_chapter'), pg_total_relation_size('works_work')",
                [PAIR_BUCKET_INDEX],
            )
            total, texts, gin, pairs, chapters, works = cursor.fetchone()
            return {
                "total_mib": round(total / 2**20),
                "search_texts_with_indexes_mib": round(texts / 2**20),
                "of_which_gin_index_mib": round(gin / 2**20),
                "of_which_pair_index_mib": round(pairs / 2**20),
                "chapters_mib": round(chapters / 2**20),
                "works_mib": round(works / 2**20),
            }
        files = sum(path.stat().st_size for path in sqlite_files() if path.exists())
        parts: collections.Counter = collections.Counter()
        try:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            for name, size in cursor.fetchall():
                if name.startswith("discovery_searchtext_fts"):
                    parts["fts5_index_mib"] += size
                elif name.startswith("discovery_searchtext") or "discovery_searchtext" in name:
                    parts["search_texts_mib"] += size
                elif name.startswith("works_chapter"):
                    parts["chapters_mib"] += size
                else:
                    parts["everything_else_mib"] += size
        except Exception as error:  # noqa: BLE001 (dbstat is an optional SQLite extension)
            parts["breakdown_unavailable"] = str(error)
        return {
            "total_mib": round(files / 2**20),
            **{k: round(v / 2**20) if isinstance(v, int) else v for k, v in parts.items()},
        }


# Queries ----------------------------------------------------------------------------------------------------


def log_uniform(rng: random.Random, low: int, high: int) -> int:
    return min(high - 1, int(math.exp(rng.uniform(math.log(low), math.log(high)))))


def body_phrases(rng: random.Random, count: int, *, common: bool) -> list[str]:
    """Two words next to each other in some chapter; `common`: both among the most frequent English words,
    else at least one word that is not (what a reader searching a phrase would type)."""
    from django.db import connection

    from fanfold.discovery.fulltext import MAX_TEXTS, text_id
    from fanfold.works.models import Work

    common_words = set(COMMON)
    work_ids = list(Work.objects.values_list("id", flat=True))
    phrases: list[str] = []
    with connection.cursor() as cursor:
        for _attempt in range(count * 20):
            if len(phrases) == count or not work_ids:
                break
            work_id = rng.choice(work_ids)
            cursor.execute(
                "SELECT words FROM discovery_searchtext WHERE id BETWEEN %s AND %s",
                [text_id("text", work_id, 0), text_id("text", work_id, MAX_TEXTS - 1)],
            )
            chunks = [row[0].split() for row in cursor.fetchall()]
            chunks = [words for words in chunks if len(words) >= 20]  # not a chapter title
            if not chunks:
                continue
            words = rng.choice(chunks)
            for _try in range(200):
                place = rng.randrange(len(words) - 1)
                pair = words[place : place + 2]
                both_common = pair[0] in common_words and pair[1] in common_words
                if both_common == common and pair[0] != pair[1]:
                    phrases.append(f'"{pair[0]} {pair[1]}"')
                    break
    return phrases


def title_words(rng: random.Random, count: int) -> list[str]:
    from fanfold.discovery.search_query import words
    from fanfold.works.models import Work

    ids = list(Work.objects.values_list("id", flat=True))
    picked = rng.sample(ids, min(count, len(ids)))
    titles = dict(Work.objects.filter(id__in=picked).values_list("id", "title"))
    return [rng.choice(words(titles[work_id])) for work_id in picked if words(titles[work_id])]


def query_classes(plan_vocabulary: list[str], fandoms: list[int], count: int, seed: int) -> dict[str, list[dict]]:
    """Each class: `count` searches as {"query": ..., "include_tags": (...)}."""
    rng = random.Random(seed)
    size = len(plan_vocabulary)
    head = len(COMMON)

    def word(low: int, high: int) -> str:
        return plan_vocabulary[log_uniform(rng, low, high)]

    def mid() -> str:
        return word(head, 3_000)

    def searches(make) -> list[dict]:
        return [{"query": make(), "include_tags": ()} for _ in range(count)]

    classes = {
        "rare word": searches(lambda: word(20_000, size)),
        "common word": [{"query": plan_vocabulary[rng.randrange(head)], "include_tags": ()} for _ in range(count)],
        "two-word phrase": [{"query": q, "include_tags": ()} for q in body_phrases(rng, count, common=False)],
        "phrase of two common words": [{"query": q, "include_tags": ()} for q in body_phrases(rng, count, common=True)],
        "word AND word": searches(lambda: f"{mid()} AND {mid()}"),
        "word OR word": searches(lambda: f"{mid()} OR {mid()}"),
        "word -word": searches(lambda: f"{mid()} -{word(head, 1_000)}"),
        "title:word": [{"query": f"title:{w}", "include_tags": ()} for w in title_words(rng, count)],
        "word + fandom filter": [{"query": mid(), "include_tags": (rng.choice(fandoms),)} for _ in range(count)],
        "word + words>1000 kudos>=5": searches(lambda: f"{mid()} words>1000 kudos>=5"),
    }
    return classes


def index_ranges(parsed) -> list[tuple[str, int, int]]:
    """What `works_listing` hands the index for the search's ranges (as in `selectors._bounds`)."""
    from fanfold.discovery.selectors import RANGE_COLUMNS

    found = []
    for limit in parsed.ranges:
        low, high = -(2**62), 2**62
        if limit.low is not None:
            low = limit.low if limit.low_inclusive else limit.low + 1
        if limit.high is not None:
            high = limit.high if limit.high_inclusive else limit.high - 1
        found.append((RANGE_COLUMNS[limit.field], low, high))
    return found


def time_class(searches: list[dict], *, seconds: float) -> dict:
    """Each search: `text_match` once to warm up (its time kept as "first"), then timed again, then the
    listing end to end, the index's part alone and the listing with snippets (as the search page asks)."""
    from django.contrib.auth.models import AnonymousUser

    from fanfold.discovery.fulltext import text_match
    from fanfold.discovery.index import get_index
    from fanfold.discovery.query import BEST_MATCH, WorkFilter
    from fanfold.discovery.search_query import parse_search
    from fanfold.discovery.selectors import works_listing

    guest = AnonymousUser()
    samples = collections.defaultdict(list)
    matched, totals, queries = [], [], []
    started = time.perf_counter()
    for search in searches:
        if time.perf_counter() - started > seconds:
            break
        parsed = parse_search(search["query"])
        work_filter = WorkFilter(query=search["query"], include_tags=search["include_tags"], sort=BEST_MATCH)
        clock = time.perf_counter()
        text_match(parsed.expression)
        samples["text_match_first"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        limit = text_match(parsed.expression)
        samples["text_match"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        listing = works_listing(work_filter=work_filter, viewer=guest)
        samples["listing"].append(time.perf_counter() - clock)
        index = get_index()
        clock = time.perf_counter()
        index.search(work_filter, signed_in=False, ranges=index_ranges(parsed), text=limit)
        samples["index_search"].append(time.perf_counter() - clock)
        clock = time.perf_counter()
        works_listing(work_filter=work_filter, viewer=guest, snippets=True)
        samples["listing_with_snippets"].append(time.perf_counter() - clock)
        matched.append(len(limit.work_ids))
        totals.append(listing.result.total)
        listing_ms, snippets_ms = (round(samples[key][-1] * 1000, 1) for key in ("listing", "listing_with_snippets"))
        queries.append(
            {**search, "include_tags": list(search["include_tags"]), "ms": listing_ms, "snippets_ms": snippets_ms}
        )
    return {
        "n": len(matched),
        "text_matched_mean": round(statistics.mean(matched)) if matched else 0,
        "text_matched_min": min(matched, default=0),
        "text_matched_max": max(matched, default=0),
        "listing_total_mean": round(statistics.mean(totals)) if totals else 0,
        **{name: percentiles(values) for name, values in samples.items()},
        "examples": [search["query"] for search in searches[:3]],
        "slowest": sorted(queries, key=lambda query: -query["ms"])[:5],
        "slowest_with_snippets": sorted(queries, key=lambda query: -query["snippets_ms"])[:5],
    }


# Profiles of what misses the target ------------------------------------------------------------------------


def profile_searches(searches: list[dict], *, snippets: bool = False) -> dict:
    """cProfile the listing (with snippets, if asked) for these searches: time in the database driver against
    Python, and the top functions."""
    from django.contrib.auth.models import AnonymousUser

    from fanfold.discovery.query import BEST_MATCH, WorkFilter
    from fanfold.discovery.selectors import works_listing

    guest = AnonymousUser()
    profile = cProfile.Profile()
    started = time.perf_counter()
    for search in searches:
        work_filter = WorkFilter(query=search["query"], include_tags=tuple(search["include_tags"]), sort=BEST_MATCH)
        profile.enable()
        works_listing(work_filter=work_filter, viewer=guest, snippets=snippets)
        profile.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profile)
    database = 0.0
    by_area: collections.Counter = collections.Counter()
    for (filename, _line, name), (_calls, _real, own, _cumulative, _callers) in stats.stats.items():
        driver = (filename == "~" and "sqlite3.Cursor" in name) or "/psycopg/" in filename
        if driver:
            database += own
        elif "fanfold/discovery/fulltext" in filename:
            by_area["fulltext.py (Python)"] += own
        elif "fanfold/discovery/search_query" in filename or "fanfold/core/html" in filename:
            by_area["search_query.py, core/html.py (Python)"] += own
        elif "fanfold/discovery/index" in filename:
            by_area["index.py (Python)"] += own
        elif "/django/" in filename:
            by_area["django"] += own
        else:
            by_area["other (builtins, numpy, pyroaring)"] += own
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(12)
    lines = [line for line in text.getvalue().splitlines() if line.strip()][-13:]
    return {
        "searches": [s["query"] for s in searches],
        "wall_s": round(wall, 3),
        "database_driver_s": round(database, 3),
        "python_s": {key: round(value, 3) for key, value in by_area.most_common()},
        "top_by_own_time": lines,
    }


def sql_variants(term: str, vendor: str, *, plan: bool) -> dict:
    """The term's SQL as `fulltext.term_hits` runs it (to the fetched rows, before numpy), and other shapes of
    the same answer, timed: best of three when under half a second, else once; PostgreSQL stops at 30 s."""
    from django.db import DatabaseError, connection

    from fanfold.discovery.fulltext import _POSTGRESQL_TERM, _SQLITE_TERM, pairable, postgresql_phrase_sql
    from fanfold.discovery.search_query import words

    found_words = words(term)
    phrase = " ".join(found_words)
    if vendor == "postgresql":
        match = "FROM discovery_searchtext WHERE tsv @@ phraseto_tsquery('simple', %s)"
        through_pairs = len(found_words) > 1 and not all(map(pairable, found_words, found_words[1:]))
        as_run, as_run_params = postgresql_phrase_sql(found_words) if through_pairs else (_POSTGRESQL_TERM, [phrase])
        params = {"as run (string_agg of ids)": as_run_params}
        variants = {
            "as run (string_agg of ids)": (as_run, "packed"),
            "through GIN only (string_agg of ids)": (_POSTGRESQL_TERM, "packed"),
            "ids as rows": (f"SELECT id {match}", "rows"),
            "matching rows (count)": (f"SELECT count(*) {match}", "count"),
        }
    else:
        params = {}
        variants = {
            "as run (rowids as rows)": (_SQLITE_TERM, "rows"),
            "rowids in one group_concat, parsed by numpy": (
                f"SELECT group_concat(rowid) FROM ({_SQLITE_TERM})",
                "text",
            ),
            "matching rows (count)": (f"SELECT count(*) FROM ({_SQLITE_TERM})", "count"),
        }

    def read(cursor, shape: str) -> int:
        if shape == "rows":
            return len(np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64))
        value = cursor.fetchone()[0]
        if shape == "count":
            return value
        if shape == "packed":
            return len(np.frombuffer(bytes(value), dtype=">i8")) if value else 0
        return len(np.array(value.split(","), dtype=np.int64)) if value else 0

    found: dict = {}
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET statement_timeout = '30s'")
        try:
            for name, (sql, shape) in variants.items():
                times: list[float] = []
                while len(times) < 3 and (not times or times[-1] < 0.5):
                    clock = time.perf_counter()
                    cursor.execute(sql, params.get(name, [phrase if vendor == "postgresql" else f'"{phrase}"']))
                    rows = read(cursor, shape)
                    times.append(time.perf_counter() - clock)
                found[name] = {"ms": round(min(times) * 1000, 1), "rows": rows}
            if vendor == "postgresql" and plan:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + as_run, params["as run (string_agg of ids)"])
                found["plan"] = [row[0] for row in cursor.fetchall()]
        except DatabaseError as error:
            found["stopped"] = str(error).strip()
        finally:
            if vendor == "postgresql":
                cursor.execute("RESET statement_timeout")
    return {"term": phrase, **found}


# An experiment -----------------------------------------------------------------------------------------------


def work_mem_experiment(classes: dict[str, list[dict]], work_mem: str, *, seconds: float, report: dict) -> dict:
    """Each class again with the session's `work_mem` raised, so a common word's bitmap stays exact (no lossy
    pages, whose every row PostgreSQL must recheck by reading its whole tsvector)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
    found: dict = {"work_mem": work_mem, "classes": {}}
    report["work_mem_experiment"] = found
    try:
        for name, searches in classes.items():
            entry = time_class(searches, seconds=seconds)
            found["classes"][name] = entry
            save(report)
            listing = entry["listing"]
            print(f"  {name}: work_mem {work_mem}, listing p50/p95 {listing['p50_ms']} / {listing['p95_ms']} ms")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
    return found


def search_terms(query: str) -> list[str]:
    """The words and phrases a search looks up, negated ones included."""
    from fanfold.discovery.fulltext import positive_terms
    from fanfold.discovery.search_query import Not, parse_search

    parsed = parse_search(query)
    found = [term.text for term in positive_terms(parsed.expression)]

    def negated(node) -> None:
        if isinstance(node, Not):
            found.extend(term.text for term in positive_terms(node.child))
        for child in getattr(node, "children", ()):
            negated(child)

    negated(parsed.expression)
    return found


# Report ------------------------------------------------------------------------------------------------------


def print_table(classes: dict) -> None:
    print(
        f"\n{'class':28} {'text matched':>12} {'listed':>7} {'text_match p50/p95':>19} {'listing p50/p95':>17} "
        f"{'index p50/p95':>15} {'+snippets p50/p95':>18}"
    )
    for name, entry in classes.items():
        if not entry["n"]:
            print(f"{name:28} (no searches)")
            continue

        def pair(key: str, width: int, entry=entry) -> str:
            return f"{entry[key]['p50_ms']:>{width}.1f} /{entry[key]['p95_ms']:>6.1f}"

        missed = " *" if entry["listing"]["p95_ms"] > TARGET_P95_MS else ""
        print(
            f"{name:28} {entry['text_matched_mean']:>12,} {entry['listing_total_mean']:>7,} {pair('text_match', 11)} "
            f"{pair('listing', 9)} {pair('index_search', 7)} {pair('listing_with_snippets', 10)}{missed}"
        )
    print(f"(ms; * = listing p95 over the {TARGET_P95_MS:.0f} ms target)")


def save(report: dict) -> Path:
    """Write what has been measured so far under this backend's name (the other backend's figures stay)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "fulltext.json"
    everything = json.loads(path.read_text()) if path.exists() else {}
    everything[report["backend"]] = report
    path.write_text(json.dumps(everything, indent=2) + "\n")
    return path


def main() -> None:
    # A SIGTERM unwinds like Ctrl-C: what was measured is written, and a kept database stays usable by --reuse.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000, help="works generated (about 95%% are listed)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--queries", type=int, default=50, help="searches per class")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vocabulary", type=int, default=100_000, help="made-up words besides the common ones")
    parser.add_argument("--zipf", type=float, default=1.1, help="Zipf exponent of word frequencies")
    parser.add_argument("--median-words", type=int, default=2_000, help="median words in a work's chapters")
    parser.add_argument("--sigma", type=float, default=1.0, help="lognormal spread of work lengths")
    parser.add_argument("--max-words", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500, help="works per load transaction")
    parser.add_argument("--load-limit", type=float, default=3_600, help="give up loading after this many seconds")
    parser.add_argument("--class-seconds", type=float, default=150, help="time budget per query class")
    parser.add_argument("--profile-seconds", type=float, default=600, help="time budget for profiling")
    parser.add_argument("--sample", type=int, default=200, help="works checked against store_search_texts")
    parser.add_argument(
        "--experiment",
        choices=("work_mem",),
        help="PostgreSQL: also time every class with the session's work_mem raised to --work-mem",
    )
    parser.add_argument("--work-mem", default="64MB")
    parser.add_argument(
        "--name", default="fulltext", help="names the database: var/bench/NAME/ or fanfold_NAME_bench (postgres)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--no-frequent-words",
        dest="frequent_words",
        action="store_false",
        help="skip manage.py refresh_frequent_words after loading (only the common English words get bitmaps)",
    )
    parser.add_argument("--reuse", action="store_true", help="time a kept database again instead of loading")
    args = parser.parse_args()
    config = Config(args.works, args.seed, args.vocabulary, args.zipf, args.median_words, args.sigma, args.max_words)
    backend = "postgresql" if args.db == "postgres" else "sqlite"

    configure(args)
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    meta = meta_path(backend)
    reuse = False
    if args.reuse and meta.exists() and json.loads(meta.read_text()).get("config") == config.key:
        reuse = sqlite_files()[0].exists() if backend == "sqlite" else postgres_database_exists()
    if not reuse:
        meta.unlink(missing_ok=True)
        if backend == "postgresql":
            create_postgres_database()
        else:
            for path in sqlite_files():
                path.unlink(missing_ok=True)

    sys.path.insert(0, str(BENCH))
    import generate  # noqa: F401  (sets Django up)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # Django's debug query log would be part of every timing otherwise.
    settings.DEBUG = False

    from fanfold.discovery.index import get_index

    report: dict = {
        "complete": False,
        "backend": backend,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "config": config.key,
        "target_p95_ms": TARGET_P95_MS,
    }
    if backend == "sqlite":
        import sqlite3

        report["machine"]["sqlite"] = sqlite3.sqlite_version
    if not reuse:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - started
        print(f"planning {args.works:,} works…", flush=True)
        plan = make_plan(config, connection.vendor)
        _PLAN.clear()
        _PLAN.update(plan)
        print(f"loading {len(plan['work_ids']):,} listed works into {backend}…", flush=True)
        report["load"] = {"migrate_s": round(migrate_s, 1), **load(plan, batch=args.batch, time_limit=args.load_limit)}
        print(f"loaded in {report['load']['total_s']} s: {report['load']}", flush=True)
        sample = random.Random(args.seed).sample(plan["work_ids"], min(args.sample, len(plan["work_ids"])))
        report["check"] = check_search_texts(sample)
        print(f"check against store_search_texts: {report['check']}", flush=True)
        meta.write_text(json.dumps({"config": config.key, "load": report["load"], "check": report["check"]}) + "\n")
        words = plan["vocabulary"]
        del plan
        _PLAN.clear()
    else:
        kept = json.loads(meta.read_text())
        report["load"], report["check"] = kept["load"], kept["check"]
        report["reused"] = True
        words = vocabulary(config.vocabulary, config.seed)
        print(f"reusing the loaded {backend} database (loaded in {report['load']['total_s']} s)")
        call_command("migrate", verbosity=0)  # a database kept by an older version gets the newer tables

    if args.frequent_words:
        from fanfold.discovery.fulltext import default_min_texts, refresh_frequent_words
        from fanfold.discovery.models import CommonWordWorks, FrequentWord
        from fanfold.works.models import Work

        started = time.perf_counter()
        min_texts = default_min_texts(Work.objects.count())
        added = refresh_frequent_words(min_texts)
        report["frequent_words"] = {
            "min_texts": min_texts,
            "added_now": len(added),
            "words": FrequentWord.objects.filter(ready=True).count(),
            "bitmap_rows": CommonWordWorks.objects.count(),
            "refresh_s": round(time.perf_counter() - started, 1),
        }
        print(f"frequent words: {report['frequent_words']}", flush=True)

    report["disk"] = disk_size(connection.vendor)
    print(f"size on disk: {report['disk']}", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem'), current_setting('shared_buffers')")
            work_mem, shared_buffers = cursor.fetchone()
            report["machine"]["postgresql_settings"] = {"work_mem": work_mem, "shared_buffers": shared_buffers}
            cursor.execute("SHOW server_version")
            report["machine"]["postgresql"] = cursor.fetchone()[0]

    started = time.perf_counter()
    index = get_index()
    report["index_build_s"] = round(time.perf_counter() - started, 1)
    report["works_listed"] = len(index)
    print(f"built the discovery index from the database ({len(index):,} listed works) in {report['index_build_s']} s")
    # The first listing sorts tag names for the facets and warms the database's caches; no search pays for it.
    time_class([{"query": "the quiet door", "include_tags": ()}], seconds=60)

    from generate import FANDOM_BASE

    # The twenty most popular fandoms (the generator numbers fandoms by popularity).
    fandoms = list(range(FANDOM_BASE, FANDOM_BASE + 20))
    classes = query_classes(words, fandoms, args.queries, args.seed)
    report["classes"] = {}
    for name, searches in classes.items():
        entry = time_class(searches, seconds=args.class_seconds)
        report["classes"][name] = entry
        save(report)
        listing = entry.get("listing", {})
        print(
            f"  {name}: {entry['n']} searches, listing p50/p95 {listing.get('p50_ms')} / {listing.get('p95_ms')} ms",
            flush=True,
        )
    print_table(report["classes"])

    report["profiles"] = {}
    profiling = time.perf_counter()
    for name, entry in report["classes"].items():
        if not entry["n"] or entry["listing"]["p95_ms"] <= TARGET_P95_MS:
            continue
        if time.perf_counter() - profiling > args.profile_seconds:
            report["profiles"][name] = {"skipped": f"over the {args.profile_seconds:.0f} s profiling budget"}
            continue
        slowest = entry["slowest"][:3]
        profile = profile_searches(slowest)
        terms = sorted({t for s in slowest for t in search_terms(s["query"])})[:3]
        profile["sql"] = [sql_variants(term, connection.vendor, plan=n == 0) for n, term in enumerate(terms)]
        report["profiles"][name] = profile
        save(report)
        print(f"\nprofile of {name} (its three slowest searches): {json.dumps(profile, indent=1)}", flush=True)

    if args.experiment == "work_mem" and backend == "postgresql":
        work_mem_experiment(classes, args.work_mem, seconds=args.class_seconds, report=report)
        print(f"\nwith work_mem = {args.work_mem}:")
        print_table(report["work_mem_experiment"]["classes"])

    # Snippets are asked for by the search page on every search; where their time goes, on rare words (whose
    # listing is fast, so what is left is the snippets').
    rare = report["classes"].get("rare word", {})
    if rare.get("n"):
        profile = profile_searches(rare["slowest_with_snippets"][:3], snippets=True)
        report["profiles"]["rare word, with snippets"] = profile
        print(f"\nprofile of rare word with snippets (its three slowest): {json.dumps(profile, indent=1)}")

    report["complete"] = True
    print(f"wrote {save(report)} ({backend})")

    if not args.keep:
        connection.close()
        meta.unlink(missing_ok=True)
        if backend == "postgresql":
            drop_postgres_database()
        else:
            for file in sqlite_files():
                file.unlink(missing_ok=True)
        print("removed the benchmark database (--keep keeps it)")


if __name__ == "__main__":
    main()
