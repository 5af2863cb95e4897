"""The bookmarks' change log: the database notes every change to a bookmark's row, in the same transaction,
so every write path (services, the admin, a user's deletion cascading) reaches each process's bookmark index.

The design is the works' change log's (`discovery.changelog`), read with the same `ChangeReader`. Services
that change only a bookmark's tags also save its row, which notes the change.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from fanfold.bookmarks.models import BookmarkChange
from fanfold.discovery.changelog import ChangeReader

TABLE = BookmarkChange._meta.db_table
_TRIGGERS = ("fanfold_bookmark_inserted", "fanfold_bookmark_deleted", "fanfold_bookmark_updated")


def bookmark_change_reader() -> ChangeReader:
    """A reader of the bookmarks' notes; each `Change.work_id` is a bookmark's id."""
    return ChangeReader(table=TABLE, key="bookmark_id")


def install_triggers(schema_editor, bookmark_model) -> None:
    drop_triggers(schema_editor, bookmark_model)
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
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(schema_editor, bookmark_model) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS fanfold_bookmark_changed ON {bookmark_model._meta.db_table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_bookmark_changed()")
    else:
        for name in _TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def prune_bookmark_changes(*, older_than: dt.timedelta | None = None) -> int:
    """Delete notes older than the change log's retention (as `discovery.changelog.prune_changes`)."""
    if older_than is None:
        older_than = dt.timedelta(seconds=settings.CHANGE_LOG_RETENTION_SECONDS)
    deleted, _ = BookmarkChange.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
