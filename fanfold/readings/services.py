"""Writes to readers' history and Marked for Later list: a visit, marking, unmarking, deleting, clearing."""

import contextlib
import logging

from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.utils import timezone

from fanfold.readings.models import Reading
from fanfold.works.models import Work

logger = logging.getLogger(__name__)

_TABLE = Reading._meta.db_table
# One statement per visit, outside any other transaction: the reader's row is made or moved on, and whether
# the work is marked for later comes back for the page's button. Works on SQLite and PostgreSQL.
_VISIT_SQL = (
    f"INSERT INTO {_TABLE} (user_id, work_id, visit_count, last_visited_at, marked_for_later) "  # noqa: S608
    "VALUES (%s, %s, 1, %s, %s) "
    "ON CONFLICT (user_id, work_id) DO UPDATE "
    f"SET visit_count = {_TABLE}.visit_count + 1, last_visited_at = excluded.last_visited_at "
    "RETURNING marked_for_later"
)


def reading_record(*, work: Work, user, preference=None) -> bool:
    """Note a signed-in reader's visit to `work` in their history; whether they have it marked for later.

    Never for guests, a work's own creators or drafts. With history off (in `preference`, the reader's
    `Preference` or None for the defaults) nothing is written: the mark is only read. Like hits, a database
    refusing writes costs the history line, not the page.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    history_enabled = preference.history_enabled if preference is not None else True
    try:
        if not history_enabled or not work.posted or work.is_created_by(user):
            return Reading.objects.filter(user=user, work=work, marked_for_later=True).exists()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # On PostgreSQL a history line is not worth waiting for the disk: the reader is not kept waiting while
        # the commit is flushed (about 4 ms, a tenth of a page). A crash may lose the last moment's visits,
        # never the database's consistency. SQLite (WAL, synchronous=NORMAL) does not wait for it anyway.
        postgres = connection.vendor == "postgresql"
        with transaction.atomic() if postgres else contextlib.nullcontext(), connection.cursor() as cursor:
            if postgres:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(_VISIT_SQL, [user.pk, work.pk, now, False])
            row = cursor.fetchone()
        return bool(row and row[0])
    except ProgrammingError:
        raise
    except DatabaseError:
        logger.exception("Could not record a reading of work %s; the page is served without it", work.pk)
        return False


@transaction.atomic
def reading_mark_for_later(*, user, work: Work) -> None:
    """Put `work` on `user`'s Marked for Later list (once; marking again keeps its place)."""
    reading, created = Reading.objects.select_for_update().get_or_create(
        user=user, work=work, defaults={"marked_for_later": True, "marked_at": timezone.now()}
    )
    if not created and not reading.marked_for_later:
        Reading.objects.filter(pk=reading.pk).update(marked_for_later=True, marked_at=timezone.now())


@transaction.atomic
def reading_mark_as_read(*, user, work: Work) -> None:
    """Take `work` off `user`'s Marked for Later list; a row that was only the mark goes."""
    Reading.objects.filter(user=user, work=work, visit_count=0).delete()
    Reading.objects.filter(user=user, work=work).update(marked_for_later=False, marked_at=None)


@transaction.atomic
def reading_delete(*, user, work_id: int) -> None:
    """Delete one work from `user`'s history; it stays on their Marked for Later list if it is there."""
    Reading.objects.filter(user=user, work_id=work_id, marked_for_later=False).delete()
    Reading.objects.filter(user=user, work_id=work_id).update(visit_count=0, last_visited_at=None)


@transaction.atomic
def readings_clear_history(*, user) -> int:
    """Clear `user`'s whole history (their Marked for Later list stays); how many works it held."""
    cleared = Reading.objects.filter(user=user, visit_count__gt=0).count()
    Reading.objects.filter(user=user, marked_for_later=False).delete()
    Reading.objects.filter(user=user).update(visit_count=0, last_visited_at=None)
    return cleared
