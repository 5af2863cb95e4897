"""Writes to readers' history and Marked for Later list: a visit, marking, unmarking, deleting, clearing."""

import collections
import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.utils import timezone

from fanfold.core.writebehind import write_behind
from fanfold.readings.models import Reading
from fanfold.works.models import Work

logger = logging.getLogger(__name__)

_TABLE = Reading._meta.db_table
_VISIT_ROWS = 200  # rows per statement: four parameters each, well under every database's limit


def reading_record(*, work: Work, user, preference=None) -> bool:
    """Note a signed-in reader's visit to `work` in their history; whether they have it marked for later.

    Never for guests, a work's own creators or drafts; with history off (in `preference`, the reader's
    `Preference` or None for the defaults) nothing is written. The visit goes to this process's next batch
    (`readings_write`, see `VISIT_WRITE_BEHIND_SECONDS`), so the page does not wait for the database's write
    lock. Like hits, a database refusing writes costs the history line, not the page.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    history_enabled = preference.history_enabled if preference is not None else True
    try:
        if history_enabled and work.posted and not work.is_created_by(user):
            visit = (user.pk, work.pk, timezone.now())
            buffer = write_behind("readings", readings_write)
            if buffer is None:
                readings_write([visit])
            else:
                buffer.add(visit)
        return Reading.objects.filter(user=user, work=work, marked_for_later=True).exists()
    except ProgrammingError:
        raise
    except DatabaseError:
        logger.exception("Could not record a reading of work %s; the page is served without it", work.pk)
        return False


def readings_write(visits: list[tuple[int, int, datetime]]) -> None:
    """Write visits (user id, work id, time) in one transaction: each reader's row for a work is made or moved
    on by the number of visits and to the latest time. Visits of users or works deleted meanwhile are dropped."""
    latest: dict[tuple[int, int], datetime] = {}
    counts: collections.Counter = collections.Counter()
    for user_id, work_id, when in visits:
        key = (user_id, work_id)
        counts[key] += 1
        latest[key] = max(latest.get(key, when), when)
    with transaction.atomic():
        works = set(Work.objects.filter(pk__in={work_id for _, work_id in counts}).values_list("pk", flat=True))
        users = set(
            get_user_model().objects.filter(pk__in={user_id for user_id, _ in counts}).values_list("pk", flat=True)
        )
        rows = [
            (user_id, work_id, counts[user_id, work_id], connection.ops.adapt_datetimefield_value(when))
            for (user_id, work_id), when in sorted(latest.items())
            if user_id in users and work_id in works
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), _VISIT_ROWS):
                chunk = rows[start : start + _VISIT_ROWS]
                values = ", ".join(["(%s, %s, %s, %s, FALSE)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {_TABLE} (user_id, work_id, visit_count, last_visited_at, marked_for_later) "  # noqa: S608
                    f"VALUES {values} ON CONFLICT (user_id, work_id) DO UPDATE "
                    f"SET visit_count = {_TABLE}.visit_count + excluded.visit_count, last_visited_at = CASE "
                    f"WHEN {_TABLE}.last_visited_at IS NULL OR {_TABLE}.last_visited_at < excluded.last_visited_at "
                    f"THEN excluded.last_visited_at ELSE {_TABLE}.last_visited_at END",
                    [value for row in chunk for value in row],
                )


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
