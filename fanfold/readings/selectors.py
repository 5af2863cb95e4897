"""Reads of a reader's history and Marked for Later list, each work as the reader may see it now."""

from django.db.models import QuerySet

from fanfold.readings.models import Reading
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works


def user_history(user) -> QuerySet[Reading]:
    """The works `user` read, the latest visit first."""
    return Reading.objects.filter(user=user, visit_count__gt=0).order_by("-last_visited_at", "-id")


def user_marked_for_later(user) -> QuerySet[Reading]:
    """The works `user` marked for later, the latest marked first."""
    return Reading.objects.filter(user=user, marked_for_later=True).order_by("-marked_at", "-id")


def readings_with_works(readings, *, viewer) -> list[Reading]:
    """`readings` (one page), each with `shown_work`: the work with what its blurb shows, or None where the
    viewer may no longer open it (a draft again, hidden, restricted, deleted), so the row says only that it is
    unavailable. Three queries, however long the page."""
    readings = list(readings)
    ids = [reading.work_id for reading in readings]
    works: dict[int, Work] = {work.pk: work for work in visible_works(viewer).filter(pk__in=ids).with_blurb_data()}
    for reading in readings:
        reading.shown_work = works.get(reading.work_id)
    return readings


def marked_work_ids(*, user, work_ids) -> set[int]:
    """Which of `work_ids` `user` has marked for later (for the buttons on a page of blurbs)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    marked = Reading.objects.filter(user=user, work_id__in=list(work_ids), marked_for_later=True)
    return set(marked.values_list("work_id", flat=True))
