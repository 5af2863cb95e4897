"""Reads of series for a viewer: a series shows the works the viewer's policy lists, numbered as they see them.

A series' creators see every work of it they may open (their drafts too); everyone else sees the works listed
for them (`ViewerPolicy.listed_q`: no drafts, hidden works, restricted works for guests, muted creators or
excluded tags). A series with none of those is, to that viewer, a series that does not exist.
"""

import dataclasses

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from fanfold.accounts.models import Pseud
from fanfold.core.exists import has_rows
from fanfold.series.models import Series, SeriesWork
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works, with_blurb_data
from fanfold.works.visibility import policy_for


def _shown_works(viewer, *, is_creator: bool):
    """The works of a series `viewer` sees: all they may open if they made it, else the works listed for them."""
    return visible_works(viewer) if is_creator else Work.objects.filter(policy_for(viewer).listed_q())


def is_series_creator(*, series: Series, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return series.creators.filter(user_id=user.pk).exists()


def user_series_choices(user) -> QuerySet[Series]:
    """The series `user` may add works to: those they made, by title."""
    return Series.objects.filter(creators__user_id=user.pk).distinct().order_by("title", "id")


@dataclasses.dataclass
class SeriesPage:
    series: Series
    parts: list[SeriesWork]  # in order, each with `part` (its number for this viewer) and a blurb-ready work
    creators: list[Pseud]
    word_count: int
    is_creator: bool


def _creators_of(works: list[Work]) -> list[Pseud]:
    creators: dict[int, Pseud] = {}
    for work in works:
        for pseud in work.creators.all():
            creators.setdefault(pseud.pk, pseud)
    return list(creators.values())


def series_page(*, series_id: int, viewer) -> SeriesPage | None:
    """A series as `viewer` sees it, or None if it is not there for them. A fixed number of queries."""
    series = Series.objects.filter(pk=series_id).first()
    if series is None:
        return None
    is_creator = is_series_creator(series=series, user=viewer)
    shown = _shown_works(viewer, is_creator=is_creator).values("pk")
    parts = list(
        SeriesWork.objects.filter(series=series, work__in=shown).select_related("work").order_by("position", "id")
    )
    if not parts and not is_creator:
        return None
    works = [part.work for part in parts]
    with_blurb_data(works)
    for number, part in enumerate(parts, 1):
        part.part = number
    return SeriesPage(
        series=series,
        parts=parts,
        creators=_creators_of(works),
        word_count=sum(work.word_count for work in works),
        is_creator=is_creator,
    )


def own_series(*, series_id: int, user) -> Series | None:
    """A series `user` made, for changing it; None for anyone else's (they get a 404)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Series.objects.filter(pk=series_id, creators__user_id=user.pk).distinct().first()


def series_parts_for_managing(series: Series) -> list[SeriesWork]:
    """Every work of the series, in order, for its creators' reorder and remove page."""
    return list(
        SeriesWork.objects.filter(series=series)
        .select_related("work")
        .only("position", "series_id", "work__title", "work__posted", "work__hidden", "work__restricted")
        .order_by("position", "id")
    )


def user_series(*, user, viewer) -> QuerySet[Series]:
    """The series `user` made that `viewer` may see, the latest updated first, each with `shown_count`,
    `shown_word_count` and `shown_parts` (its works the viewer sees, their creators loaded) for a blurb.
    A fixed number of queries per page."""
    own = getattr(viewer, "is_authenticated", False) and viewer.pk == user.pk
    shown = _shown_works(viewer, is_creator=own).values("pk")
    series = _with_shown_parts(
        Series.objects.filter(pk__in=Series.objects.filter(creators__user_id=user.pk).values("pk")), shown
    ).order_by("-updated_at", "-id")
    if not own:
        series = series.filter(shown_count__gt=0)
    return series


def listed_series_blurbs(*, viewer, series_ids) -> dict[int, Series]:
    """Those of these series listed for `viewer` (`ViewerPolicy.series_listed_q`), by id, each ready for a
    blurb of the works listed for them (`blurb_creators` too), as a bookmark shows it. A fixed number of queries."""
    policy = policy_for(viewer)
    shown = Work.objects.filter(policy.listed_q()).values("pk")
    found = _with_shown_parts(Series.objects.filter(policy.series_listed_q(), pk__in=list(series_ids)), shown)
    series = {one.pk: one for one in found}
    for one in series.values():
        one.blurb_creators = series_blurb_creators(one)
    return series


def _with_shown_parts(series: QuerySet[Series], shown: QuerySet) -> QuerySet[Series]:
    """`series`, each with `shown_count`, `shown_word_count` and `shown_parts`: its works among `shown`."""
    in_view = Q(series_works__work__in=shown)
    series = series.annotate(
        shown_count=Count("series_works", filter=in_view),
        shown_word_count=Coalesce(Sum("series_works__work__word_count", filter=in_view), Value(0)),
    )
    parts = (
        SeriesWork.objects.filter(work__in=shown)
        .order_by("position", "id")
        .select_related("work")
        .only("series_id", "position", "work__id")
        .prefetch_related(
            Prefetch("work__creators", queryset=Pseud.objects.select_related("user").only("name", "user__username"))
        )
    )
    return series.prefetch_related(Prefetch("series_works", queryset=parts, to_attr="shown_parts"))


def series_blurb_creators(series: Series) -> list[Pseud]:
    return _creators_of([part.work for part in series.shown_parts])


@dataclasses.dataclass
class SeriesPlace:
    """Where a work sits in one series, for the viewer: "Part 2 of <series>", with the parts around it."""

    series: Series
    part: int
    previous_work_id: int | None
    next_work_id: int | None


def work_in_series_flag() -> dict[str, RawSQL]:
    """An annotation saying whether a work is in any series, loaded with the work (see `work_series_places`)."""
    return {"in_series": has_rows(SeriesWork, pointing_at=Work, via="work")}


def work_series_places(*, work: Work, viewer) -> list[SeriesPlace]:
    """Each series `work` is in, with its part number and neighbours among the works the viewer sees (the
    work itself always counts: they are reading it). One query; none when the work was loaded with
    `work_in_series_flag` and is in no series."""
    if getattr(work, "in_series", True) is False:
        return []
    shown = _shown_works(viewer, is_creator=work.is_created_by(viewer)).values("pk")
    rows = (
        SeriesWork.objects.filter(series__series_works__work=work)
        .filter(Q(work=work) | Q(work__in=shown))
        .select_related("series")
        .only("work_id", "position", "series__title")
        .order_by("series_id", "position", "id")
    )
    by_series: dict[int, list[SeriesWork]] = {}
    for row in rows:
        by_series.setdefault(row.series_id, []).append(row)
    places = []
    for parts in by_series.values():
        index = next(i for i, part in enumerate(parts) if part.work_id == work.pk)
        places.append(
            SeriesPlace(
                series=parts[index].series,
                part=index + 1,
                previous_work_id=parts[index - 1].work_id if index > 0 else None,
                next_work_id=parts[index + 1].work_id if index + 1 < len(parts) else None,
            )
        )
    return places


def work_series_ids(work: Work) -> list[int]:
    return list(SeriesWork.objects.filter(work=work).values_list("series_id", flat=True))


def listed_series(viewer) -> QuerySet[Series]:
    """Every series listed for `viewer`: one of its works is (`ViewerPolicy.series_listed_q`)."""
    return Series.objects.filter(policy_for(viewer).series_listed_q())
