"""Writes that keep discovery current: recording which works changed, and what search knows of their text."""

from collections.abc import Iterable

from fanfold.discovery.fulltext import FIELDS, store_search_texts
from fanfold.discovery.models import WorkChange


def record_work_change(work_id: int) -> None:
    """Note that a work's listing data changed (or that it was deleted).

    Call it inside the transaction that makes the change, so the note is committed with it; every
    process's index re-reads the work within about a second.
    """
    WorkChange.objects.create(work_id=work_id)


def record_work_changes(work_ids: Iterable[int]) -> None:
    WorkChange.objects.bulk_create([WorkChange(work_id=work_id) for work_id in sorted(set(work_ids))])


def search_text_refresh(*, work_ids: Iterable[int], fields: Iterable[str] = FIELDS) -> None:
    """Have full-text search read these works' `fields` again (every field by default).

    Call it inside the transaction that changes the text, so a search never finds words a work no longer
    has; a deleted work's texts are removed.
    """
    store_search_texts(work_ids, fields)
