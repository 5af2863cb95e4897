"""Reads of works: every read of works for a viewer goes through the viewer's policy (`works.visibility`)."""

from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from fanfold.accounts.models import ProfileLink, Pseud, User
from fanfold.core.json_rows import json_rows, read_json_rows
from fanfold.tags.models import Tag
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
    blurbs' heads already or reads the rest with `work_people_rows`."""
    return Work.objects.filter(policy_for(viewer).listed_q()).only(*BLURB_COLUMNS)


def with_blurb_data(works: list[Work]) -> None:
    """Load the tags and creators a blurb shows for these works, in two queries."""
    prefetch_related_objects(works, *blurb_prefetches())


# A work's tags and creators, each a JSON array of rows in the work's own row (`work_people_rows`).
_TAG_FIELDS = ("id", "name", "type", "sort_order")
_PSEUD_FIELDS = ("id", "name", "is_default", "user_id")
_USER_FIELDS = ("id", "username", "show_links_on_works")


def work_people_rows() -> dict[str, RawSQL]:
    """Annotations that read a work's tags and its creators (with their users, and whether those have profile
    links) with the work itself, for `work_people_attach` (a work page) and `blurb_people` (a listing): the
    two queries they replace cost a page more in the ORM's building and compiling than the database took."""
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def columns(alias: str, model: type[Model], fields: tuple[str, ...]) -> str:
        return ", ".join(f"{alias}.{quote(model._meta.get_field(name).column)}" for name in fields)

    work = f"{table(Work)}.{quote(Work._meta.pk.column)}"
    tagging = Work.tags.through
    tag_rows = f"{columns('t', Tag, _TAG_FIELDS)}"
    link_user = quote(ProfileLink._meta.get_field("user").column)
    links = f"EXISTS (SELECT 1 FROM {table(ProfileLink)} l WHERE l.{link_user} = u.{quote('id')})"  # noqa: S608
    creator_rows = f"{columns('p', Pseud, _PSEUD_FIELDS)}, {columns('u', User, _USER_FIELDS[1:])}, {links}"
    tags_from = (
        f"FROM {table(tagging)} wt JOIN {table(Tag)} t ON t.{quote('id')} = wt.{quote('tag_id')} "
        f"WHERE wt.{quote('work_id')} = {work}"
    )
    creators_from = (
        f"FROM {table(Creatorship)} c JOIN {table(Pseud)} p ON p.{quote('id')} = c.{quote('pseud_id')} "
        f"JOIN {table(User)} u ON u.{quote('id')} = p.{quote('user_id')} WHERE c.{quote('work_id')} = {work}"
    )
    # In the orders the prefetches used (the models' own).
    return {
        "people_tags": json_rows(tag_rows, tags_from, "t.sort_order, t.name"),
        "people_creators": json_rows(creator_rows, creators_from, "p.is_default DESC, p.name"),
    }


def _people_rows(work: Work) -> tuple[list, list]:
    """The tag rows and creator rows `work_people_rows` read, each list in its model's order."""
    tag_rows = read_json_rows(work.people_tags, key=lambda row: (row[3], row[1]))
    creator_rows = read_json_rows(work.people_creators, key=lambda row: (not row[2], row[1]))
    return tag_rows, creator_rows


def work_people_attach(work: Work) -> Work:
    """Make a work read with `work_people_rows` answer `work.tags.all()` and `work.creators.all()` (each pseud
    with its user and `has_links`) as if they had been prefetched, in the same orders, with no query."""
    tag_rows, creator_rows = _people_rows(work)
    tags = [_from_row(Tag, _TAG_FIELDS, row) for row in tag_rows]
    creators = []
    for row in creator_rows:
        pseud = _from_row(Pseud, _PSEUD_FIELDS, row[:4])
        pseud.is_default = bool(pseud.is_default)
        user = _from_row(User, _USER_FIELDS, (row[3], *row[4:6]))
        user.show_links_on_works = bool(user.show_links_on_works)
        pseud.user = user
        pseud.has_links = bool(row[6])
        creators.append(pseud)
    _as_prefetched(work, "tags", tags)
    _as_prefetched(work, "creators", creators)
    return work


class BlurbPeople(NamedTuple):
    """What a blurb shows of a work's tags and creators, as plain values: (name, type) of each tag in the
    tags' order, and (pseud name, username) of each creator in the pseuds' order."""

    tags: list[tuple[str, str]]
    creators: list[tuple[str, str]]


def blurb_people(work: Work) -> BlurbPeople:
    """The tags and creators of a work read with `work_people_rows`, as its blurb shows them: no model
    objects, which cost a page of blurbs more than the rest of a listing (see `blurb_head`)."""
    tag_rows, creator_rows = _people_rows(work)
    return BlurbPeople([(row[1], row[2]) for row in tag_rows], [(row[1], row[4]) for row in creator_rows])


def _from_row(model: type[Model], fields: tuple[str, ...], row) -> Model:
    """A model object with only `fields` loaded (the rest deferred, as `.only()` leaves them)."""
    values = dict(zip(fields, row, strict=True))
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _as_prefetched(instance: Model, name: str, objects: list) -> None:
    # What `prefetch_related_objects` leaves on each instance: the related manager's queryset, filled.
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.prefetch_cache_name] = queryset


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
