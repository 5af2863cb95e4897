"""The bookmarks' change log: the database notes every change to a bookmark's row, in the same transaction,
so every write path (services, the admin, a user's deletion cascading) reaches each process's bookmark index.
The same triggers keep each work's public bookmark count: a public bookmark of a work coming, going, turning
private or public moves the count by one, atomically, whichever path wrote it.

The design is the works' change log's (`discovery.changelog`), read with the same `ChangeReader`. Services
that change only a bookmark's tags also save its row, which notes the change. A work joining or leaving a
series notes every bookmark of that series (what a series bookmark is found under is its works' tags).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from fanfold.bookmarks.models import BookmarkChange
from fanfold.discovery.changelog import ChangeReader

TABLE = BookmarkChange._meta.db_table
_TRIGGERS = ("fanfold_bookmark_inserted", "fanfold_bookmark_deleted", "fanfold_bookmark_updated")
_COUNT_TRIGGERS = ("fanfold_bookmark_counted_in", "fanfold_bookmark_counted_out", "fanfold_bookmark_recounted")
_SERIES_TRIGGERS = ("fanfold_series_work_inserted", "fanfold_series_work_deleted", "fanfold_series_work_updated")


def bookmark_change_reader() -> ChangeReader:
    """A reader of the bookmarks' notes; each `Change.work_id` is a bookmark's id."""
    return ChangeReader(table=TABLE, key="bookmark_id")


def install_triggers(schema_editor, bookmark_model, series_work_model=None) -> None:
    """The triggers on the bookmarks table, and (given its model) on the table of works' places in series."""
    drop_triggers(schema_editor, bookmark_model, series_work_model)
    table = bookmark_model._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS txid bigint DEFAULT (pg_current_xact_id()::text::bigint)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_txid ON {TABLE} (txid)",
            f"""CREATE OR REPLACE FUNCTION fanfold_bookmark_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO {TABLE} (bookmark_id, created_at, kind) VALUES (OLD.id, now(), 'bookmark');
                    RETURN OLD;
                END IF;
                INSERT INTO {TABLE} (bookmark_id, created_at, kind) VALUES (NEW.id, now(), 'bookmark');
                RETURN NEW;
            END $$""",  # noqa: S608
            f"CREATE TRIGGER fanfold_bookmark_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION fanfold_bookmark_changed()",
        ]
    else:
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

        def note(row: str) -> str:
            return f"INSERT INTO {TABLE} (bookmark_id, created_at, kind) VALUES ({row}.id, {now}, 'bookmark');"  # noqa: S608

        statements = [
            f"CREATE TRIGGER fanfold_bookmark_inserted AFTER INSERT ON {table} BEGIN {note('NEW')} END",
            f"CREATE TRIGGER fanfold_bookmark_deleted AFTER DELETE ON {table} BEGIN {note('OLD')} END",
            f"CREATE TRIGGER fanfold_bookmark_updated AFTER UPDATE ON {table} BEGIN {note('NEW')} END",
        ]
    works = bookmark_model._meta.get_field("work").related_model._meta.db_table
    statements += _count_triggers(schema_editor.connection.vendor, table, works)
    if series_work_model is not None:
        statements += _series_work_triggers(schema_editor.connection.vendor, table, series_work_model._meta.db_table)
    for statement in statements:
        schema_editor.execute(statement)


def _count_triggers(vendor: str, bookmarks: str, works: str) -> list[str]:
    """Each work's `bookmark_count`: its bookmarks that are not private."""

    def add(row: str, change: str) -> str:
        return (
            f"UPDATE {works} SET bookmark_count = bookmark_count {change} "  # noqa: S608
            f"WHERE id = {row}.work_id AND NOT {row}.private;"
        )

    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION fanfold_bookmark_counted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {add("NEW", "+ 1")}
                ELSIF TG_OP = 'DELETE' THEN
                    {add("OLD", "- 1")}
                ELSIF OLD.work_id IS DISTINCT FROM NEW.work_id OR OLD.private <> NEW.private THEN
                    {add("OLD", "- 1")}
                    {add("NEW", "+ 1")}
                END IF;
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER fanfold_bookmark_counted AFTER INSERT OR DELETE OR UPDATE OF work_id, private "
            f"ON {bookmarks} FOR EACH ROW EXECUTE FUNCTION fanfold_bookmark_counted()",
        ]
    return [
        f"CREATE TRIGGER fanfold_bookmark_counted_in AFTER INSERT ON {bookmarks} BEGIN {add('NEW', '+ 1')} END",
        f"CREATE TRIGGER fanfold_bookmark_counted_out AFTER DELETE ON {bookmarks} BEGIN {add('OLD', '- 1')} END",
        f"CREATE TRIGGER fanfold_bookmark_recounted AFTER UPDATE OF work_id, private ON {bookmarks} "
        "WHEN OLD.work_id IS NOT NEW.work_id OR OLD.private IS NOT NEW.private "
        f"BEGIN {add('OLD', '- 1')} {add('NEW', '+ 1')} END",
    ]


def _series_work_triggers(vendor: str, bookmarks: str, series_works: str) -> list[str]:
    """A work joining or leaving a series (a row inserted, deleted, or moved to another series or work; not a
    new position) notes every bookmark of the series."""

    def note(row: str, now: str) -> str:
        return (
            f"INSERT INTO {TABLE} (bookmark_id, created_at, kind) "  # noqa: S608
            f"SELECT id, {now}, 'bookmark' FROM {bookmarks} WHERE series_id = {row}.series_id;"
        )

    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION fanfold_series_work_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {note("OLD", "now()")} END IF;
                IF TG_OP <> 'DELETE' THEN {note("NEW", "now()")} END IF;
                RETURN NULL;
            END $$""",
            f"CREATE TRIGGER fanfold_series_work_changed AFTER INSERT OR DELETE OR UPDATE OF series_id, work_id "
            f"ON {series_works} FOR EACH ROW EXECUTE FUNCTION fanfold_series_work_changed()",
        ]
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return [
        f"CREATE TRIGGER fanfold_series_work_inserted AFTER INSERT ON {series_works} BEGIN {note('NEW', now)} END",
        f"CREATE TRIGGER fanfold_series_work_deleted AFTER DELETE ON {series_works} BEGIN {note('OLD', now)} END",
        f"CREATE TRIGGER fanfold_series_work_updated AFTER UPDATE OF series_id, work_id ON {series_works} "
        f"BEGIN {note('OLD', now)} {note('NEW', now)} END",
    ]


def drop_triggers(schema_editor, bookmark_model, series_work_model=None) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS fanfold_bookmark_changed ON {bookmark_model._meta.db_table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_bookmark_changed()")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS fanfold_bookmark_counted ON {bookmark_model._meta.db_table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_bookmark_counted()")
        if series_work_model is not None:
            table = series_work_model._meta.db_table
            schema_editor.execute(f"DROP TRIGGER IF EXISTS fanfold_series_work_changed ON {table}")
            schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_series_work_changed()")
    else:
        for name in (*_TRIGGERS, *_COUNT_TRIGGERS, *(_SERIES_TRIGGERS if series_work_model is not None else ())):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def prune_bookmark_changes(*, older_than: dt.timedelta | None = None) -> int:
    """Delete notes older than the change log's retention (as `discovery.changelog.prune_changes`)."""
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.CHANGE_LOG_RETENTION_SECONDS)
    deleted, _ = BookmarkChange.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
