"""Reads of works: every read of works for a viewer goes through the viewer's policy (`works.visibility`)."""

from typing import NamedTuple

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, prefetch_related_objects

from fanfold.works.models import BLURB_COLUMNS, Chapter, Creatorship, Work, WorkQuerySet, blurb_prefetches
from fanfold.works.visibility import LISTABLE, policy_for


def visible_works(viewer) -> WorkQuerySet:
    """The works `viewer` may open: drafts and hidden works only to their creators, restricted works only to
    signed-in users."""
    return Work.objects.filter(policy_for(viewer).may_open_q())


def restricted_work_exists(work_id: int) -> bool:
    """Whether `work_id` is a posted work closed to guests: they get "sign in to read", not "not found"."""
    return Work.objects.filter(LISTABLE, pk=work_id, restricted=True).exists()


def listed_works(viewer) -> WorkQuerySet:
    """Works that appear in listings for `viewer` (see `ViewerPolicy.listed_q`): a creator's drafts live on
    their drafts page, and a muted creator's work, or one under an excluded tag, still opens by link."""
    return Work.objects.filter(policy_for(viewer).listed_q()).with_blurb_data()


def listed_work_rows(viewer) -> WorkQuerySet:
    """`listed_works` without their tags and creators: the columns a blurb shows, for a page that has its
    blurbs' heads already (see `with_blurb_data` for the rest)."""
    return Work.objects.filter(policy_for(viewer).listed_q()).only(*BLURB_COLUMNS)


def with_blurb_data(works: list[Work]) -> None:
    """Load the tags and creators a blurb shows for these works, in two queries."""
    prefetch_related_objects(works, *blurb_prefetches())


class BlurbPeople(NamedTuple):
    """What a blurb shows of a work's tags and creators, as plain values: (name, type) of each tag in the
    tags' order, and (pseud name, username) of each creator in the pseuds' order."""

    tags: list[tuple[str, str]]
    creators: list[tuple[str, str]]


def blurb_people(work_ids: list[int]) -> dict[int, BlurbPeople]:
    """The tags and creators of these works' blurbs, in two queries that make no model objects: building
    tags and pseuds for a page of blurbs cost more than the rest of a listing (see `blurb_head`)."""
    people = {work_id: BlurbPeople([], []) for work_id in work_ids}
    tags = (
        Work.tags.through.objects.filter(work_id__in=work_ids)
        .order_by("tag__sort_order", "tag__name")
        .values_list("work_id", "tag__name", "tag__type")
    )
    for work_id, name, tag_type in tags:
        people[work_id].tags.append((name, tag_type))
    creators = (
        Creatorship.objects.filter(work_id__in=work_ids)
        .order_by("-pseud__is_default", "pseud__name")
        .values_list("work_id", "pseud__name", "pseud__user__username")
    )
    for work_id, name, username in creators:
        people[work_id].creators.append((name, username))
    return people


def work_drafts(user) -> WorkQuerySet:
    own = Creatorship.objects.filter(pseud__user_id=user.pk).values("work_id")
    return Work.objects.filter(pk__in=own, posted=False).with_blurb_data()


def visible_chapters(*, work: Work, viewer) -> QuerySet[Chapter]:
    """A work's chapters in order, each with `number`: its place among the chapters the viewer sees.
    Unposted chapters only for the work's creators; for everyone else a draft chapter leaves no gap in
    the numbering ("1.", "2.", never "1.", "3.")."""
    creator = policy_for(viewer).is_creator_of(work)
    return _shown_chapters(work, creator=creator).annotate(
        number=Subquery(_place_among(posted_only=not creator), output_field=IntegerField())
    )


def visible_chapter_list(*, work: Work, viewer) -> list[Chapter]:
    """All of `visible_chapters`, numbered as they come rather than by a subquery per chapter (the work
    page lists them all; a page about one chapter asks `visible_chapters` for it)."""
    chapters = list(_shown_chapters(work, creator=policy_for(viewer).is_creator_of(work)))
    for number, chapter in enumerate(chapters, start=1):
        chapter.number = number
    return chapters


def _shown_chapters(work: Work, *, creator: bool) -> QuerySet[Chapter]:
    chapters = work.chapters.order_by("position", "id")
    return chapters if creator else chapters.filter(posted=True)


def _place_among(*, posted_only: bool):
    before = Chapter.objects.filter(work_id=OuterRef("work_id"), position__lte=OuterRef("position"))
    if posted_only:
        before = before.filter(posted=True)
    return before.order_by().values("work_id").annotate(place=Count("id")).values("place")
