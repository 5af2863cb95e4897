"""Writes that keep discovery current: recording which works changed."""

from collections.abc import Iterable

from fanfold.discovery.models import WorkChange


def record_work_change(work_id: int) -> None:
    """Note that a work's listing data changed (or that it was deleted).

    Call it inside the transaction that makes the change, so the note is committed with it; every
    process's index re-reads the work within about a second.
    """
    WorkChange.objects.create(work_id=work_id)


def record_work_changes(work_ids: Iterable[int]) -> None:
    WorkChange.objects.bulk_create([WorkChange(work_id=work_id) for work_id in sorted(set(work_ids))])
