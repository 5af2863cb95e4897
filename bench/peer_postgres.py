"""PostgreSQL as a peer: the same works in one table, tags as an int[] under a GIN index.

    works(id, restricted, word_count, hit_count, kudos_count, comment_count, bookmark_count,
          revised_at timestamptz, published_on date, title, creator, tags int[])

Loaded with COPY into a scratch database (`fanfold_bench`, dropped by `close()`), then a GIN index on `tags`
(`gin__int_ops` from the intarray extension when it is available, else the default array opclass), a btree on
(column, id) for every sort, and VACUUM ANALYZE. A page is
`... WHERE tags @> {included} AND NOT tags && {excluded} AND tags && {ratings} ORDER BY <sort>, id LIMIT 20`,
the total a `count(*)` with the same WHERE, the facets
`SELECT t, count(*) FROM works, unnest(tags) t WHERE ... GROUP BY t` (types come from the generator's id blocks).
The session runs with work_mem = 256MB and JIT off; parallel workers are left at the server's setting.
"""

import time

import numpy as np
import psycopg
from peers import SORT_COLUMNS, PeerResult, TagTypes, check_supported
from psycopg import sql

DATABASE = "fanfold_bench"
DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres"


def _int_array(values) -> str:
    return "'{" + ",".join(str(int(v)) for v in values) + "}'::int[]"


class PostgresPeer:
    name = "postgres"

    def __init__(self, dsn: str = DEFAULT_DSN) -> None:
        self.dsn = dsn
        self.connection = None
        self.opclass = None

    @staticmethod
    def available(dsn: str = DEFAULT_DSN) -> bool:
        try:
            with psycopg.connect(dsn + " dbname=postgres connect_timeout=3"):
                return True
        except psycopg.Error:
            return False

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self.dsn + " dbname=postgres", autocommit=True) as admin:
            admin.execute(statement)

    def build(self, synthetic) -> dict[str, float]:
        """Create the database, COPY the works in, index and analyse; returns seconds per step."""
        rows = synthetic.rows
        self.tag_types = TagTypes(synthetic.tags)
        self._admin(f"DROP DATABASE IF EXISTS {DATABASE}")
        self._admin(f"CREATE DATABASE {DATABASE}")
        self.connection = psycopg.connect(self.dsn + f" dbname={DATABASE}", autocommit=True)
        db = self.connection
        try:
            db.execute("CREATE EXTENSION IF NOT EXISTS intarray")
            self.opclass = "gin__int_ops"
        except psycopg.Error:
            self.opclass = "array_ops"
        db.execute("SET maintenance_work_mem = '1GB'")
        db.execute(
            "CREATE TABLE works (id int PRIMARY KEY, restricted bool NOT NULL, word_count int NOT NULL,"
            " hit_count int NOT NULL, kudos_count int NOT NULL, comment_count int NOT NULL,"
            " bookmark_count int NOT NULL, revised_at timestamptz NOT NULL, published_on date NOT NULL,"
            " title text NOT NULL, creator text NOT NULL, tags int[] NOT NULL)"
        )
        timings = {}
        started = time.perf_counter()
        revised = np.datetime_as_string(rows.revised_at.astype("datetime64[us]"))
        published = np.datetime_as_string(rows.published_on.astype("datetime64[D]"))
        columns = [
            rows.work_ids.tolist(),
            ["t" if r else "f" for r in rows.restricted.tolist()],
            rows.word_count.tolist(),
            rows.hit_count.tolist(),
            rows.kudos_count.tolist(),
            rows.comment_count.tolist(),
            rows.bookmark_count.tolist(),
            [f"{r}+00" for r in revised.tolist()],
            published.tolist(),
            rows.titles,
            rows.creator_names,
        ]
        offsets, tag_ids = rows.tag_offsets.tolist(), rows.tag_ids.tolist()
        chunk = 50_000
        with db.cursor() as cursor, cursor.copy("COPY works FROM STDIN") as copy:
            for begin in range(0, len(columns[0]), chunk):
                end = min(begin + chunk, len(columns[0]))
                lines = []
                for doc in range(begin, end):
                    tags = ",".join(map(str, tag_ids[offsets[doc] : offsets[doc + 1]]))
                    lines.append("\t".join(str(column[doc]) for column in columns) + "\t{" + tags + "}\n")
                copy.write("".join(lines))
        timings["copy_s"] = time.perf_counter() - started

        started = time.perf_counter()
        db.execute(f"CREATE INDEX works_tags ON works USING gin (tags {self.opclass})")
        timings["gin_s"] = time.perf_counter() - started
        started = time.perf_counter()
        for column in SORT_COLUMNS.values():
            db.execute(f"CREATE INDEX works_by_{column} ON works ({column}, id)")
        timings["btree_s"] = time.perf_counter() - started
        started = time.perf_counter()
        db.execute("VACUUM ANALYZE works")
        timings["vacuum_analyze_s"] = time.perf_counter() - started
        timings["total_s"] = sum(timings.values())
        db.execute("SET work_mem = '256MB'")
        db.execute("SET jit = off")
        return timings

    def _where(self, work_filter, signed_in: bool) -> str:
        conditions = []
        if work_filter.include_tags:
            conditions.append(f"tags @> {_int_array(work_filter.include_tags)}")
        if work_filter.exclude_tags:
            conditions.append(f"NOT tags && {_int_array(work_filter.exclude_tags)}")
        if work_filter.ratings:
            conditions.append(f"tags && {_int_array(work_filter.ratings)}")
        if not signed_in:
            conditions.append("NOT restricted")
        return " AND ".join(conditions) or "true"

    def search(self, work_filter, *, signed_in: bool, facets: bool, page_size: int = 20) -> PeerResult:
        check_supported(work_filter)
        where = self._where(work_filter, signed_in)
        column = SORT_COLUMNS[work_filter.sort]
        direction = "DESC" if work_filter.direction == "desc" else "ASC"
        offset = (work_filter.page - 1) * page_size
        db = self.connection
        page = db.execute(
            sql.SQL(
                f"SELECT id FROM works WHERE {where} ORDER BY {column} {direction}, id {direction}"
                f" LIMIT {int(page_size)} OFFSET {int(offset)}"
            )
        ).fetchall()
        total = db.execute(sql.SQL(f"SELECT count(*) FROM works WHERE {where}")).fetchone()[0]
        counts = {}
        if facets:
            found = db.execute(
                sql.SQL(f"SELECT t, count(*) FROM works, unnest(tags) t WHERE {where} GROUP BY t")
            ).fetchall()
            pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
            counts = self.tag_types.split(pairs[:, 0], pairs[:, 1])
        return PeerResult(work_ids=[r[0] for r in page], total=total, facets=counts)

    def explain(self, work_filter, *, signed_in: bool) -> str:
        where = self._where(work_filter, signed_in)
        plan = self.connection.execute(
            sql.SQL(f"EXPLAIN SELECT t, count(*) FROM works, unnest(tags) t WHERE {where} GROUP BY t")
        ).fetchall()
        return "\n".join(r[0] for r in plan)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        self._admin(f"DROP DATABASE IF EXISTS {DATABASE}")
