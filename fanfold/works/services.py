"""Writes to works and chapters: create, edit, post, reorder, delete. Each is one transaction."""

import dataclasses
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.core.html import FORMAT_HTML, render_user_text, word_count
from fanfold.discovery.services import record_work_change, search_text_refresh
from fanfold.interactions.services import COUNTED_COMMENTS
from fanfold.tags.models import CATEGORIES, RATINGS, WARNINGS, Tag, TagType
from fanfold.tags.services import tag_find_or_create, tag_name_errors, tags_delete_orphaned
from fanfold.works.gifts import gifts_announce
from fanfold.works.models import COUNTED_CHAPTERS, Chapter, CommentPermission, Creatorship, Work
from fanfold.works.related import related_works_announce

MAX_TITLE = 255
MAX_SUMMARY = 1250
MAX_NOTES = 5000
MAX_CHAPTER_TEXT = 510_000
MAX_USER_TAGS = 75
MAX_EXPECTED_CHAPTERS = 10_000
# Backdating goes back to 1970: earlier dates are surely mistakes, and year 1 cannot even be shown in a
# time zone behind UTC.
EARLIEST_PUBLICATION = date(1970, 1, 1)
TOO_EARLY = "The publication date cannot be before 1 January 1970."


@dataclasses.dataclass
class WorkFields:
    """What a creator fills in about a work. Text fields are as typed, in `text_format`."""

    title: str
    rating: str
    warnings: list[str]
    fandoms: list[str]
    categories: list[str] = dataclasses.field(default_factory=list)
    relationships: list[str] = dataclasses.field(default_factory=list)
    characters: list[str] = dataclasses.field(default_factory=list)
    freeforms: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    language: str = "en"
    expected_chapters: int | None = 1
    published_on: date | None = None
    restricted: bool = False
    comment_permission: str = CommentPermission.REGISTERED
    moderate_comments: bool = False
    text_format: str = FORMAT_HTML


@dataclasses.dataclass
class ChapterFields:
    content: str
    title: str = ""
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    published_on: date | None = None
    text_format: str = FORMAT_HTML


def _length_errors(values: dict[str, tuple[str, int, str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, (value, limit, label) in values.items():
        if len(value or "") > limit:
            errors.setdefault(field, []).append(f"{label} must be at most {limit:,} characters (it is {len(value):,}).")
    return errors


def latest_date_on_earth() -> date:
    """Today where it is latest (UTC+14): a date stored by a co-creator far ahead of the editor's time
    zone is not "in the future" for the editor."""
    return (timezone.now() + timedelta(hours=14)).date()


def validate_work_fields(fields: WorkFields) -> dict[str, list[str]]:
    errors = _length_errors(
        {
            "title": (fields.title, MAX_TITLE, "Title"),
            "summary": (fields.summary, MAX_SUMMARY, "Summary"),
            "notes": (fields.notes, MAX_NOTES, "Notes"),
            "end_notes": (fields.end_notes, MAX_NOTES, "End notes"),
        }
    )
    if not fields.title.strip():
        errors.setdefault("title", []).append("Please enter a title.")
    if fields.rating not in RATINGS:
        errors.setdefault("rating", []).append("Please choose exactly one rating.")
    if not fields.warnings:
        errors.setdefault("warnings", []).append("Please choose at least one archive warning.")
    elif any(w not in WARNINGS for w in fields.warnings):
        errors.setdefault("warnings", []).append("Please choose archive warnings from the list.")
    if any(c not in CATEGORIES for c in fields.categories):
        errors.setdefault("categories", []).append("Please choose categories from the list.")
    if not [f for f in fields.fandoms if f.strip()]:
        errors.setdefault("fandoms", []).append("Please add at least one fandom.")
    user_tags = 0
    for field in ("fandoms", "relationships", "characters", "freeforms"):
        for name in getattr(fields, field):
            user_tags += 1
            for message in tag_name_errors(name):
                errors.setdefault(field, []).append(message)
    if user_tags > MAX_USER_TAGS:
        errors.setdefault("freeforms", []).append(
            f"A work can have at most {MAX_USER_TAGS} fandom, relationship, character and additional tags "
            f"together; this one has {user_tags}."
        )
    if fields.expected_chapters is not None and fields.expected_chapters < 1:
        errors.setdefault("expected_chapters", []).append("The expected number of chapters must be at least 1.")
    if fields.published_on and fields.published_on > latest_date_on_earth():
        errors.setdefault("published_on", []).append("The publication date cannot be in the future.")
    if fields.published_on and fields.published_on < EARLIEST_PUBLICATION:
        errors.setdefault("published_on", []).append(TOO_EARLY)
    if fields.expected_chapters is not None and fields.expected_chapters > MAX_EXPECTED_CHAPTERS:
        errors.setdefault("expected_chapters", []).append(
            f"The expected number of chapters can be at most {MAX_EXPECTED_CHAPTERS:,}."
        )
    return errors


def validate_chapter_fields(fields: ChapterFields) -> dict[str, list[str]]:
    errors = _length_errors(
        {
            "chapter_title": (fields.title, MAX_TITLE, "Chapter title"),
            "chapter_summary": (fields.summary, MAX_SUMMARY, "Chapter summary"),
            "chapter_notes": (fields.notes, MAX_NOTES, "Chapter notes"),
            "chapter_end_notes": (fields.end_notes, MAX_NOTES, "Chapter end notes"),
            "content": (fields.content, MAX_CHAPTER_TEXT, "Chapter text"),
        }
    )
    if not fields.content.strip():
        errors.setdefault("content", []).append("Please enter the text of the work.")
    elif not render_user_text(fields.content, fields.text_format):
        errors.setdefault("content", []).append("The text is empty once unsafe markup is removed.")
    if fields.published_on and fields.published_on > latest_date_on_earth():
        errors.setdefault("chapter_published_on", []).append("The publication date cannot be in the future.")
    if fields.published_on and fields.published_on < EARLIEST_PUBLICATION:
        errors.setdefault("chapter_published_on", []).append(TOO_EARLY)
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _tags_for(fields: WorkFields) -> list[Tag]:
    wanted: list[tuple[str, str]] = [(fields.rating, TagType.RATING)]
    wanted += [(name, TagType.WARNING) for name in fields.warnings]
    wanted += [(name, TagType.CATEGORY) for name in fields.categories]
    for field, tag_type in (
        ("fandoms", TagType.FANDOM),
        ("relationships", TagType.RELATIONSHIP),
        ("characters", TagType.CHARACTER),
        ("freeforms", TagType.FREEFORM),
    ):
        wanted += [(name, tag_type) for name in getattr(fields, field) if name.strip()]
    tags: dict[int, Tag] = {}
    errors: dict[str, list[str]] = {}
    for name, tag_type in wanted:
        try:
            tag = tag_find_or_create(name=name, type=tag_type)
        except ValidationError as error:
            field = "rating" if tag_type == TagType.RATING else f"{tag_type}s"
            errors.setdefault(field, []).extend(error.messages)
            continue
        tags[tag.pk] = tag
    _raise_if(errors)
    return list(tags.values())


# An edit saves the fields it sets and no others, so it never puts back an old copy of what other requests
# change meanwhile (counters, chapter positions, posting). `updated_at` is set by the save.
_EDITED_WORK_FIELDS = [
    "title",
    "summary",
    "notes",
    "end_notes",
    "language",
    "expected_chapters",
    "restricted",
    "comment_permission",
    "moderate_comments",
    "updated_at",
]
_EDITED_CHAPTER_FIELDS = ["title", "summary", "notes", "end_notes", "content", "word_count", "updated_at"]


def _apply_work_fields(work: Work, fields: WorkFields) -> list[str]:
    """Set what the creator typed on `work`; the names of the fields set, for `save(update_fields=...)`."""
    fmt = fields.text_format
    work.title = fields.title.strip()
    work.summary = render_user_text(fields.summary, fmt)
    work.notes = render_user_text(fields.notes, fmt)
    work.end_notes = render_user_text(fields.end_notes, fmt)
    work.language = fields.language
    work.expected_chapters = fields.expected_chapters
    work.restricted = fields.restricted
    work.comment_permission = fields.comment_permission
    work.moderate_comments = fields.moderate_comments
    if fields.published_on:
        work.published_on = fields.published_on
        return [*_EDITED_WORK_FIELDS, "published_on"]
    return list(_EDITED_WORK_FIELDS)


def _apply_chapter_fields(chapter: Chapter, fields: ChapterFields) -> list[str]:
    fmt = fields.text_format
    chapter.title = fields.title.strip()
    chapter.summary = render_user_text(fields.summary, fmt)
    chapter.notes = render_user_text(fields.notes, fmt)
    chapter.end_notes = render_user_text(fields.end_notes, fmt)
    chapter.content = render_user_text(fields.content, fmt)
    chapter.word_count = word_count(chapter.content)
    if fields.published_on:
        chapter.published_on = fields.published_on
        return [*_EDITED_CHAPTER_FIELDS, "published_on"]
    return list(_EDITED_CHAPTER_FIELDS)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _lock(work: Work) -> None:
    """Hold the work's row to the end of the transaction. Writers of a work's chapters take it before
    touching any chapter, so they queue in one order (work, then chapters) and never deadlock."""
    Work.objects.lock(work.pk)


def work_recount(*, work: Work) -> Work:
    """Bring the work's totals in line with its chapters (`COUNTED_CHAPTERS`).

    The work's row is locked before the chapters are counted, so two edits of one work's chapters at once
    recount one after the other and the second sees the first's chapters (PostgreSQL; SQLite has one
    writer at a time anyway).
    """
    expected = Work.objects.locked().filter(pk=work.pk).values_list("expected_chapters", flat=True).get()
    totals = work.chapters.filter(COUNTED_CHAPTERS).aggregate(words=Sum("word_count"), chapters=Count("id"))
    work.word_count = totals["words"] or 0
    work.chapter_count = totals["chapters"]
    work.expected_chapters = expected
    work.complete = expected is not None and work.chapter_count >= expected
    work.updated_at = timezone.now()
    Work.objects.filter(pk=work.pk).update(
        word_count=work.word_count,
        chapter_count=work.chapter_count,
        complete=work.complete,
        updated_at=work.updated_at,
    )
    record_work_change(work.pk)
    search_text_refresh(work_ids=[work.pk])
    return work


def _renumber(work: Work) -> None:
    for position, chapter in enumerate(work.chapters.order_by("position", "id"), start=1):
        if chapter.position != position:
            Chapter.objects.filter(pk=chapter.pk).update(position=position)


@transaction.atomic
def work_create(*, pseuds: list[Pseud], fields: WorkFields, chapter: ChapterFields, post: bool) -> Work:
    """A new work with its first chapter, credited to `pseuds`; a draft unless `post`."""
    if not pseuds:
        raise ValidationError({"pseuds": ["Please choose at least one pseud to post as."]})
    _raise_if(validate_work_fields(fields) | validate_chapter_fields(chapter))
    tags = _tags_for(fields)
    now = timezone.now()
    # A backdated work was last updated when it was (back)dated, not today.
    revised = _start_of(fields.published_on) if post and fields.published_on else now
    work = Work(created_at=now, revised_at=revised)
    _apply_work_fields(work, fields)
    work.posted = post
    if post and not work.published_on:
        work.published_on = timezone.localdate()
    work.save()
    for position, pseud in enumerate(pseuds):
        Creatorship.objects.create(work=work, pseud=pseud, position=position)
    work.tags.set(tags)
    first = Chapter(work=work, position=1, posted=post, created_at=now)
    _apply_chapter_fields(first, chapter)
    if post and not first.published_on:
        first.published_on = work.published_on
    first.save()
    return work_recount(work=work)


def _set_own_pseuds(work: Work, pseuds: list[Pseud]) -> None:
    """Credit the work to `pseuds` in place of their user's other pseuds; co-creators stay."""
    user_id = pseuds[0].user_id
    Creatorship.objects.filter(work=work, pseud__user_id=user_id).exclude(pseud__in=pseuds).delete()
    start = Creatorship.objects.filter(work=work).count()
    for offset, pseud in enumerate(pseuds):
        Creatorship.objects.get_or_create(work=work, pseud=pseud, defaults={"position": start + offset})


@transaction.atomic
def work_update(
    *, work: Work, fields: WorkFields, chapter: ChapterFields | None = None, pseuds: list[Pseud] | None = None
) -> Work:
    """Edit a work's details, and its first chapter's text when `chapter` is given (one-shots)."""
    errors = validate_work_fields(fields)
    if pseuds is not None and not pseuds:
        errors["pseuds"] = ["Please choose at least one pseud to post as."]
    if chapter is not None:
        errors |= validate_chapter_fields(chapter)
    _raise_if(errors)
    tags = _tags_for(fields)
    edited = _apply_work_fields(work, fields)
    if work.posted:
        work.revised_at = timezone.now()
        edited.append("revised_at")
    work.save(update_fields=edited)
    work.tags.set(tags)
    if pseuds:
        _set_own_pseuds(work, pseuds)
    if chapter is not None:
        first = work.chapters.order_by("position", "id").first()
        first.save(update_fields=_apply_chapter_fields(first, chapter))
    return work_recount(work=work)


@transaction.atomic
def work_post(*, work: Work) -> Work:
    """Post a draft work and every chapter it has."""
    if work.posted:
        return work
    now = timezone.now()
    work.posted = True
    work.published_on = work.published_on or timezone.localdate()
    work.revised_at = now
    work.save(update_fields=["posted", "published_on", "revised_at", "updated_at"])
    work.chapters.filter(published_on__isnull=True).update(published_on=work.published_on)
    work.chapters.update(posted=True)
    related_works_announce(child=work)
    gifts_announce(work=work)
    return work_recount(work=work)


@transaction.atomic
def work_set_hidden(*, work: Work, hidden: bool) -> Work:
    """A maintainer hides a work (only its creators see it, everywhere) or shows it again."""
    Work.objects.filter(pk=work.pk).update(hidden=hidden)
    work.hidden = hidden
    return work


@transaction.atomic
def work_delete(*, work: Work) -> None:
    work_id = work.pk  # delete() clears it
    tag_ids = list(work.tags.values_list("pk", flat=True))
    work.delete()  # the database notes the change itself (`discovery.changelog`)
    search_text_refresh(work_ids=[work_id])
    tags_delete_orphaned(tag_ids=tag_ids)


@transaction.atomic
def chapter_add(*, work: Work, fields: ChapterFields, post: bool) -> Chapter:
    """A new last chapter; posting it also revises the work's updated date."""
    _raise_if(validate_chapter_fields(fields))
    # Two chapters added at once (two tabs, two co-creators) must not both become chapter N.
    _lock(work)
    last = work.chapters.order_by("-position").values_list("position", flat=True).first() or 0
    chapter = Chapter(work=work, position=last + 1, posted=post and work.posted)
    _apply_chapter_fields(chapter, fields)
    if chapter.posted and not chapter.published_on:
        chapter.published_on = timezone.localdate()
    chapter.save()
    if chapter.posted:
        revised = _start_of(fields.published_on) if fields.published_on else timezone.now()
        if work.revised_at is None or revised > work.revised_at:
            Work.objects.filter(pk=work.pk).update(revised_at=revised)
        work.refresh_from_db(fields=["revised_at"])
    work_recount(work=work)
    return chapter


@transaction.atomic
def chapter_update(*, chapter: Chapter, fields: ChapterFields) -> Chapter:
    _raise_if(validate_chapter_fields(fields))
    _lock(chapter.work)
    chapter.save(update_fields=_apply_chapter_fields(chapter, fields))
    if chapter.posted:
        Work.objects.filter(pk=chapter.work_id).update(revised_at=timezone.now())
    work_recount(work=chapter.work)
    return chapter


@transaction.atomic
def chapter_post(*, chapter: Chapter) -> Chapter:
    """Post a draft chapter of a posted work."""
    if chapter.posted:
        return chapter
    if not chapter.work.posted:
        raise ValidationError("Post the work itself first; its chapters are posted with it.")
    _lock(chapter.work)
    chapter.posted = True
    chapter.published_on = chapter.published_on or timezone.localdate()
    chapter.save(update_fields=["posted", "published_on", "updated_at"])
    Work.objects.filter(pk=chapter.work_id).update(revised_at=timezone.now())
    work_recount(work=chapter.work)
    return chapter


@transaction.atomic
def chapter_delete(*, chapter: Chapter) -> None:
    work = chapter.work
    # Locked first, so two deletes at once cannot leave the work with no chapter, and no comment arrives
    # between counting the chapter's comments and deleting them.
    _lock(work)
    if work.chapters.count() <= 1:
        raise ValidationError("A work needs at least one chapter; delete the whole work instead.")
    # The chapter's comments go with it, and out of the work's comment count.
    comments = chapter.comments.filter(COUNTED_COMMENTS).count()
    chapter.delete()
    if comments:
        Work.objects.filter(pk=work.pk).update(comment_count=F("comment_count") - comments)
    _renumber(work)
    work_recount(work=work)


@transaction.atomic
def chapters_reorder(*, work: Work, chapter_ids: list[int]) -> None:
    """Put the work's chapters in the order given; every chapter must be named once."""
    _lock(work)
    current = set(work.chapters.values_list("pk", flat=True))
    if sorted(chapter_ids) != sorted(current):
        raise ValidationError("Please give every chapter of the work a place, each once.")
    # Two passes so the positions never collide mid-way.
    work.chapters.update(position=F("position") + 100_000)
    for position, chapter_id in enumerate(chapter_ids, start=1):
        Chapter.objects.filter(pk=chapter_id, work=work).update(position=position)
    record_work_change(work.pk)


_LAID_OUT_WORK_FIELDS = ("summary", "notes", "end_notes")
_LAID_OUT_CHAPTER_FIELDS = ("summary", "notes", "end_notes", "content")


def stored_texts_lay_out(*, work_model=Work, chapter_model=Chapter, batch: int = 500) -> int:
    """Lay out every stored work and chapter text again by today's paragraph and section-break rules
    (`core.paragraphs`), so works posted under older rules read as their writers wrote them; then recount
    the chapters' words and the works' totals (drafts' too). Returns how many works and chapters changed.

    What writers typed is not kept, only its sanitized HTML; laying that out again is safe because the rules
    change nothing in text they laid out themselves. The models are parameters so that a migration can pass
    its own historical ones.
    """
    changed = 0
    recount: set[int] = set(work_model.objects.filter(posted=False).values_list("pk", flat=True))
    tables = ((work_model, _LAID_OUT_WORK_FIELDS, ()), (chapter_model, _LAID_OUT_CHAPTER_FIELDS, ("work_id",)))
    for model, fields, extra in tables:
        last = 0
        while rows := list(model.objects.filter(pk__gt=last).order_by("pk").values("pk", *fields, *extra)[:batch]):
            last = rows[-1]["pk"]
            for row in rows:
                update = {
                    field: laid_out
                    for field in fields
                    if (laid_out := render_user_text(row[field], FORMAT_HTML)) != row[field]
                }
                if not update:
                    continue
                if "content" in update:
                    update["word_count"] = word_count(update["content"])
                    recount.add(row["work_id"])
                model.objects.filter(pk=row["pk"]).update(**update)
                changed += 1
    counted = chapter_model.objects.filter(COUNTED_CHAPTERS)
    for work_id in sorted(recount):
        totals = counted.filter(work_id=work_id).aggregate(words=Sum("word_count"), chapters=Count("id"))
        expected = work_model.objects.filter(pk=work_id).values_list("expected_chapters", flat=True).first()
        work_model.objects.filter(pk=work_id).update(
            word_count=totals["words"] or 0,
            chapter_count=totals["chapters"],
            complete=expected is not None and totals["chapters"] >= expected,
        )
    return changed
