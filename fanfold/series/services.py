"""Writes to series: create, edit, delete, add a work, remove a work, reorder. Each is one transaction."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from fanfold.accounts.models import Pseud
from fanfold.core.html import FORMAT_HTML, render_user_text
from fanfold.series.models import Series, SeriesWork
from fanfold.works.models import Work

MAX_TITLE = 240
MAX_SUMMARY = 1250
MAX_NOTES = 5000


@dataclasses.dataclass
class SeriesFields:
    """What a creator fills in about a series; summary and notes as typed, in `text_format`."""

    title: str
    summary: str = ""
    notes: str = ""
    complete: bool = False
    text_format: str = FORMAT_HTML


def validate_series_fields(fields: SeriesFields) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, limit, label in (
        ("title", MAX_TITLE, "Series title"),
        ("summary", MAX_SUMMARY, "Summary"),
        ("notes", MAX_NOTES, "Notes"),
    ):
        value = getattr(fields, name) or ""
        if len(value) > limit:
            errors.setdefault(name, []).append(f"{label} must be at most {limit:,} characters (it is {len(value):,}).")
    if not fields.title.strip():
        errors.setdefault("title", []).append("Please give the series a title.")
    return errors


def _apply(series: Series, fields: SeriesFields) -> None:
    series.title = fields.title.strip()
    series.summary = render_user_text(fields.summary, fields.text_format)
    series.notes = render_user_text(fields.notes, fields.text_format)
    series.complete = fields.complete


@transaction.atomic
def series_create(*, pseuds: list[Pseud], fields: SeriesFields) -> Series:
    if not pseuds:
        raise ValidationError("A series needs a creator.")
    errors = validate_series_fields(fields)
    if errors:
        raise ValidationError(errors)
    series = Series()
    _apply(series, fields)
    series.save()
    series.creators.set(pseuds)
    return series


@transaction.atomic
def series_update(*, series: Series, fields: SeriesFields) -> Series:
    errors = validate_series_fields(fields)
    if errors:
        raise ValidationError(errors)
    _apply(series, fields)
    series.save(update_fields=["title", "summary", "notes", "complete", "updated_at"])
    return series


@transaction.atomic
def series_delete(*, series: Series) -> None:
    """Delete the series; its works stay, each only leaving this series."""
    series.delete()


def _lock(series: Series) -> None:
    """Writers of one series' positions wait for each other (PostgreSQL; SQLite has one writer anyway)."""
    list(Series.objects.select_for_update().filter(pk=series.pk).values_list("pk", flat=True))


def _touch(series: Series) -> None:
    series.save(update_fields=["updated_at"])


@transaction.atomic
def series_add_work(*, series: Series, work: Work) -> SeriesWork:
    """Put `work` at the end of `series` (where it already is, it stays in its place)."""
    _lock(series)
    placed = SeriesWork.objects.filter(series=series, work=work).first()
    if placed is not None:
        return placed
    last = SeriesWork.objects.filter(series=series).aggregate(last=Max("position"))["last"] or 0
    placed = SeriesWork.objects.create(series=series, work=work, position=last + 1)
    _touch(series)
    return placed


@transaction.atomic
def work_series_join(*, work: Work, user, series: Series | None = None, new_title: str = "") -> Series:
    """From the posting or edit form: add `work` to one of `user`'s series, or to a new series named
    `new_title` made by `user`'s pseuds on the work."""
    if series is None:
        pseuds = [pseud for pseud in work.creators.all() if pseud.user_id == user.pk] or [user.default_pseud]
        try:
            series = series_create(pseuds=pseuds, fields=SeriesFields(title=new_title))
        except ValidationError as error:
            messages = [m for errors in getattr(error, "error_dict", {}).values() for e in errors for m in e.messages]
            raise ValidationError({"new_series_title": messages or error.messages}) from error
    series_add_work(series=series, work=work)
    return series


def _renumber(series: Series) -> None:
    for position, placed in enumerate(SeriesWork.objects.filter(series=series).order_by("position", "id"), 1):
        if placed.position != position:
            SeriesWork.objects.filter(pk=placed.pk).update(position=position)


@transaction.atomic
def series_remove_work(*, series: Series, work_id: int) -> bool:
    """Take a work out of `series` (the work stays); a series left with no works goes. Whether it went."""
    _lock(series)
    SeriesWork.objects.filter(series=series, work_id=work_id).delete()
    if not SeriesWork.objects.filter(series=series).exists():
        series.delete()
        return True
    _renumber(series)
    _touch(series)
    return False


@transaction.atomic
def series_reorder(*, series: Series, work_ids: list[int]) -> None:
    """Put the series' works in the order of `work_ids`, which must name each of its works once."""
    _lock(series)
    placed = {sw.work_id: sw for sw in SeriesWork.objects.filter(series=series)}
    if sorted(work_ids) != sorted(placed):
        raise ValidationError("The works changed meanwhile: please look at the new order and try again.")
    for position, work_id in enumerate(work_ids, 1):
        if placed[work_id].position != position:
            SeriesWork.objects.filter(pk=placed[work_id].pk).update(position=position)
    _touch(series)
