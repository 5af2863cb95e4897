"""The change log at the bottom: the database itself notes every change to a work's row, and readers of the
log (each process's discovery index) find every committed note exactly once, however late it committed.

Writes anywhere (services, the admin, a shell, a bulk `update()`) change `works_work`; triggers on that table
add a `WorkChange` row in the same transaction, so no write path can forget to. A change to the counters
only (kudos, hits, comments, bookmarks) is noted as `counts`, which readers apply in place; any other change
as `work`, which readers re-read whole. Services still note changes the work row does not show (a new tag on
a work, a wrangled tag) with `record_work_change`.

Finding every committed note: on SQLite one transaction writes at a time, so notes commit in id order and
the highest id read so far is an exact position. On PostgreSQL a note with a lower id can commit after one
with a higher id, so each note carries its transaction's id; a reader keeps the oldest transaction still
running when it last read (the snapshot's `xmin`), reads again every note from that transaction on, and
skips the ones it has already applied. No clock is involved: a note committed an hour late is still read.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from fanfold.discovery.models import WorkChange

# Columns of works_work whose change alone does not change a work's listing beyond its counts.
COUNTER_COLUMNS = ("kudos_count", "hit_count", "comment_count", "bookmark_count")
# Touched by every save; says nothing a listing shows.
IGNORED_COLUMNS = ("updated_at",)
WORK = "work"
COUNTS = "counts"

_TABLE = WorkChange._meta.db_table
_TRIGGERS = ("fanfold_work_inserted", "fanfold_work_deleted", "fanfold_work_updated", "fanfold_work_counted")


def _work_columns(work_model) -> list[str]:
    return [field.column for field in work_model._meta.concrete_fields]


def _sqlite_trigger_sql(work_model) -> list[str]:
    table = work_model._meta.db_table
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    listing = [c for c in _work_columns(work_model) if c not in COUNTER_COLUMNS + IGNORED_COLUMNS]
    listing_changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in listing)
    counts_changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in COUNTER_COLUMNS)

    def note(row: str, kind: str) -> str:
        return f"INSERT INTO {_TABLE} (work_id, created_at, kind) VALUES ({row}.id, {now}, '{kind}');"  # noqa: S608

    return [
        f"CREATE TRIGGER fanfold_work_inserted AFTER INSERT ON {table} BEGIN {note('NEW', WORK)} END",
        f"CREATE TRIGGER fanfold_work_deleted AFTER DELETE ON {table} BEGIN {note('OLD', WORK)} END",
        f"CREATE TRIGGER fanfold_work_updated AFTER UPDATE ON {table} WHEN {listing_changed} "
        f"BEGIN {note('NEW', WORK)} END",
        f"CREATE TRIGGER fanfold_work_counted AFTER UPDATE ON {table} WHEN NOT ({listing_changed}) "
        f"AND ({counts_changed}) BEGIN {note('NEW', COUNTS)} END",
    ]


def _postgresql_trigger_sql(work_model) -> list[str]:
    table = work_model._meta.db_table
    counters = ", ".join(f"'{c}'" for c in COUNTER_COLUMNS)
    ignored = ", ".join(f"'{c}'" for c in IGNORED_COLUMNS)
    return [
        "ALTER TABLE discovery_workchange ADD COLUMN IF NOT EXISTS txid bigint "
        "DEFAULT (pg_current_xact_id()::text::bigint)",
        "CREATE INDEX IF NOT EXISTS discovery_workchange_txid ON discovery_workchange (txid)",
        f"""CREATE OR REPLACE FUNCTION fanfold_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            old_listing jsonb;
            new_listing jsonb;
        BEGIN
            IF TG_OP = 'DELETE' THEN
                INSERT INTO {_TABLE} (work_id, created_at, kind) VALUES (OLD.id, now(), '{WORK}');
                RETURN OLD;
            END IF;
            IF TG_OP = 'UPDATE' THEN
                old_listing := to_jsonb(OLD) - ARRAY[{ignored}];
                new_listing := to_jsonb(NEW) - ARRAY[{ignored}];
                IF old_listing = new_listing THEN
                    RETURN NEW;
                END IF;
                IF (old_listing - ARRAY[{counters}]) = (new_listing - ARRAY[{counters}]) THEN
                    INSERT INTO {_TABLE} (work_id, created_at, kind) VALUES (NEW.id, now(), '{COUNTS}');
                    RETURN NEW;
                END IF;
            END IF;
            INSERT INTO {_TABLE} (work_id, created_at, kind) VALUES (NEW.id, now(), '{WORK}');
            RETURN NEW;
        END $$""",  # noqa: S608
        f"DROP TRIGGER IF EXISTS fanfold_work_changed ON {table}",
        f"CREATE TRIGGER fanfold_work_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION fanfold_work_changed()",
    ]


def install_triggers(schema_editor, work_model) -> None:
    """(Re)create the triggers on the works table. A migration that adds a column to works calls this again
    (SQLite's triggers name the columns they compare); `tests/discovery/test_changelog.py` checks they do."""
    drop_triggers(schema_editor, work_model)
    vendor = schema_editor.connection.vendor
    statements = _postgresql_trigger_sql(work_model) if vendor == "postgresql" else _sqlite_trigger_sql(work_model)
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(schema_editor, work_model) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS fanfold_work_changed ON {work_model._meta.db_table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_work_changed()")
    else:
        for name in _TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


# Reading -------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Change:
    id: int
    work_id: int
    kind: str


class ChangeReader:
    """A reader's place in the change log: `start()` before reading the works themselves, then `read()`
    returns each change committed since, once.

    Another app's change log of the same design (a table with `id`, `kind`, `created_at`, a key column and,
    on PostgreSQL, `txid`) is read by naming its `table` and `key` column; its notes' keys come in `work_id`.
    """

    def __init__(self, *, table: str = _TABLE, key: str = "work_id") -> None:
        self._table = table
        self._key = key
        self._last_id = 0  # SQLite: every note up to this id has been read
        self._horizon = 0  # PostgreSQL: notes of this transaction id or later may still be unread
        self._seen: set[int] = set()  # PostgreSQL: ids read at or past the horizon

    def start(self) -> None:
        """Place the reader at the present: every change after this call will be read."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "  # noqa: S608
                    f"(SELECT array_agg(id) FROM {self._table} WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())"
                    "::text::bigint)"
                )
                horizon, seen = cursor.fetchone()
            # Notes already committed at or past the horizon were written before the works are read.
            self._horizon, self._seen = horizon, set(seen or ())
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {self._table}")  # noqa: S608
                self._last_id = cursor.fetchone()[0]

    def read(self) -> list[Change]:
        """The changes committed since the last read (or `start()`), in id order, each once."""
        if connection.vendor == "postgresql":
            return self._read_postgresql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {self._key}, kind FROM {self._table} WHERE id > %s ORDER BY id",  # noqa: S608
                [self._last_id],
            )
            rows = cursor.fetchall()
        if rows:
            self._last_id = rows[-1][0]
        return [Change(*row) for row in rows]

    def _read_postgresql(self) -> list[Change]:
        # One statement, one snapshot: the horizon and the notes agree.
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH snapshot AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin) "  # noqa: S608
                f"SELECT snapshot.xmin, change.id, change.{self._key}, change.kind, change.txid FROM snapshot "
                f"LEFT JOIN {self._table} AS change ON change.txid >= %s ORDER BY change.id",
                [self._horizon],
            )
            rows = cursor.fetchall()
        horizon = rows[0][0]
        found = [row for row in rows if row[1] is not None]
        changes = [Change(change_id, work_id, kind) for _x, change_id, work_id, kind, _t in found]
        changes = [change for change in changes if change.id not in self._seen]
        self._horizon = horizon
        self._seen = {change_id for _x, change_id, _w, _k, txid in found if txid >= horizon}
        return changes


def prune_changes(*, older_than: dt.timedelta | None = None) -> int:
    """Delete change notes older than the retention (`settings.CHANGE_LOG_RETENTION_SECONDS`); return how
    many. An index that has not read the log for half that long builds itself afresh instead (see
    `index.get_index`), so it never misses a pruned note."""
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.CHANGE_LOG_RETENTION_SECONDS)
    deleted, _ = WorkChange.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
