"""Writes of bookmarks and external works, each in one transaction. (The database itself notes every bookmark
change for the index and keeps each work's public bookmark count, by atomic increments in the same transaction,
whatever deletes or changes a bookmark: see `bookmarks.changelog`.)"""

import dataclasses
import hashlib
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q

from fanfold.bookmarks.models import MAX_NOTES_LENGTH, Bookmark, BookmarkChange, ExternalWork
from fanfold.core.html import render_user_text
from fanfold.core.text import single_line
from fanfold.series.models import Series
from fanfold.series.selectors import listed_series
from fanfold.tags.models import RATINGS, Tag, TagType
from fanfold.tags.services import tag_find_or_create, tag_name_errors, tags_filtered_under
from fanfold.works.models import Work
from fanfold.works.visibility import policy_for

MAX_BOOKMARK_TAGS = 75
CANNOT_BOOKMARK = "This work cannot be bookmarked."
CANNOT_BOOKMARK_SERIES = "This series cannot be bookmarked."


@dataclasses.dataclass(frozen=True)
class BookmarkFields:
    """What a bookmarker says about a work: as which pseud, their notes (HTML as typed), their tags."""

    pseud_id: int | None = None  # None: the bookmarker's default pseud
    notes: str = ""
    tags: tuple[str, ...] = ()
    private: bool = False
    rec: bool = False


@dataclasses.dataclass(frozen=True)
class ExternalWorkFields:
    url: str
    title: str
    creator: str
    summary: str = ""
    fandoms: tuple[str, ...] = ()
    rating: str = "Not Rated"
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()


def normalised_url(url: str) -> str:
    """The form of a URL that bookmarks of the same work elsewhere share: scheme and host in lower case, no
    "www.", no default port, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/")
    return urlunsplit(
        ("https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower(), netloc, path, parts.query, "")
    )


def _url_key(url: str) -> str:
    return hashlib.sha256(normalised_url(url).encode()).hexdigest()


def _tag_list(names, tag_type: str, field: str, errors: dict[str, list[str]]) -> list[Tag]:
    tags = []
    for name in names:
        try:
            tags.append(tag_find_or_create(name=name, type=tag_type))
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    return tags


def _checked_url(fields: ExternalWorkFields) -> str:
    url = fields.url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": ["Enter the work's web address, starting with http:// or https://."]}) from None
    if len(url) > 2000:
        raise ValidationError({"url": ["That web address is too long (at most 2,000 characters)."]})
    return url


def _checked_description(fields: ExternalWorkFields) -> tuple[str, str, list[Tag]]:
    """The title, creator and tags `fields` give an external work, or every error in them."""
    errors: dict[str, list[str]] = {}
    title, creator = single_line(fields.title).strip(), single_line(fields.creator).strip()
    if not title:
        errors["title"] = ["Please give the work's title."]
    if not creator:
        errors["creator"] = ["Please say who created the work."]
    if not fields.fandoms:
        errors["fandoms"] = ["Please give at least one fandom."]
    if fields.rating not in RATINGS:
        errors["rating"] = ["Please choose a rating."]
    tags = _tag_list([fields.rating] if fields.rating in RATINGS else [], TagType.RATING, "rating", errors)
    tags += _tag_list(fields.fandoms, TagType.FANDOM, "fandoms", errors)
    tags += _tag_list(fields.relationships, TagType.RELATIONSHIP, "relationships", errors)
    tags += _tag_list(fields.characters, TagType.CHARACTER, "characters", errors)
    if errors:
        raise ValidationError(errors)
    return title[:255], creator[:255], tags


def external_work_find_or_create(*, fields: ExternalWorkFields, user=None) -> ExternalWork:
    """The external work at `fields.url` (compared normalised); a new one made from `fields`, added by `user`,
    if none is."""
    url = _checked_url(fields)
    key = _url_key(url)
    found = ExternalWork.objects.filter(url_key=key).first()
    if found is not None:
        return found
    title, creator, tags = _checked_description(fields)
    try:
        with transaction.atomic():
            external = ExternalWork.objects.create(
                url=url,
                url_key=key,
                title=title,
                creator=creator,
                summary=render_user_text(fields.summary),
                added_by=user,
            )
            external.tags.set(tags)
    except IntegrityError:
        # Someone bookmarked the same address at the same moment: theirs is the one.
        return ExternalWork.objects.get(url_key=key)
    return external


@transaction.atomic
def external_work_update(*, external_work: ExternalWork, user, fields: ExternalWorkFields) -> ExternalWork:
    """Edit an external work; only the reader who added it may. Every bookmark of it shows the change."""
    locked = ExternalWork.objects.select_for_update().filter(pk=external_work.pk, added_by=user).first()
    if locked is None:
        raise ValidationError("Only the reader who added this external work can edit it.")
    errors: dict[str, list[str]] = {}
    try:
        url = _checked_url(fields)
    except ValidationError as error:
        errors |= error.message_dict
        url = ""
    key = _url_key(url) if url else ""
    if key and ExternalWork.objects.filter(url_key=key).exclude(pk=locked.pk).exists():
        errors["url"] = ["Another external work is already at that address."]
    try:
        title, creator, tags = _checked_description(fields)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    locked.url, locked.url_key, locked.title, locked.creator = url, key, title, creator
    locked.summary = render_user_text(fields.summary)
    try:
        with transaction.atomic():
            locked.save(update_fields=["url", "url_key", "title", "creator", "summary"])
    except IntegrityError:
        raise ValidationError({"url": ["Another external work is already at that address."]}) from None
    locked.tags.set(tags)
    _note_changed(locked.bookmarks.all())
    return locked


def _bookmark_errors(user, fields: BookmarkFields) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(fields.notes) > MAX_NOTES_LENGTH:
        errors["notes"] = [
            f"Notes can be at most {MAX_NOTES_LENGTH:,} characters long (these are {len(fields.notes):,})."
        ]
    if fields.pseud_id is not None and not user.pseuds.filter(pk=fields.pseud_id).exists():
        errors["pseud"] = ["Choose one of your own pseuds."]
    if len(fields.tags) > MAX_BOOKMARK_TAGS:
        errors["tags"] = [f"A bookmark can have at most {MAX_BOOKMARK_TAGS} tags."]
    for name in fields.tags:
        errors.setdefault("tags", []).extend(tag_name_errors(name))
    return {field: found for field, found in errors.items() if found}


def _apply(bookmark: Bookmark, user, fields: BookmarkFields) -> None:
    """Write `fields` onto `bookmark` (saved), its tags too."""
    errors: dict[str, list[str]] = {}
    tags = _tag_list(dict.fromkeys(fields.tags), TagType.FREEFORM, "tags", errors)
    if errors:
        raise ValidationError(errors)
    bookmark.pseud_id = fields.pseud_id or user.default_pseud.pk
    bookmark.notes = render_user_text(fields.notes)
    bookmark.private = fields.private
    bookmark.rec = fields.rec
    bookmark.save()  # also what notes a change of tags alone for the index
    bookmark.tags.set(tags)


@transaction.atomic
def bookmark_save(
    *,
    user,
    fields: BookmarkFields,
    work: Work | None = None,
    series: Series | None = None,
    external: ExternalWorkFields | None = None,
) -> Bookmark:
    """Bookmark `work` (one the user may open), `series` (one listed for them) or an external work as `user`:
    one bookmark per user per work or series, so bookmarking it again edits the bookmark already there."""
    if [work, series, external].count(None) != 2:
        raise ValueError("bookmark a work, a series or an external work")
    errors = _bookmark_errors(user, fields)
    if work is not None:
        if not work.posted or not Work.objects.filter(policy_for(user).may_open_q(), pk=work.pk).exists():
            raise ValidationError(CANNOT_BOOKMARK)
        target = {"work": work}
        title = work.title
    elif series is not None:
        if not listed_series(user).filter(pk=series.pk).exists():
            raise ValidationError(CANNOT_BOOKMARK_SERIES)
        target = {"series": series}
        title = series.title
    else:
        try:
            external_work = external_work_find_or_create(fields=external, user=user)
        except ValidationError as error:
            errors |= error.message_dict
            raise ValidationError(errors) from None
        target = {"external_work": external_work}
        title = external_work.title
    if errors:
        raise ValidationError(errors)
    existing = Bookmark.objects.select_for_update().filter(user=user, **target).first()
    if existing is not None:
        return _update(existing, user, fields, title=title)
    bookmark = Bookmark(user=user, title=title, **target)
    try:
        with transaction.atomic():
            _apply(bookmark, user, fields)
    except IntegrityError:
        # The same reader's other tab got there first: theirs is the bookmark, and this edits it.
        existing = Bookmark.objects.select_for_update().get(user=user, **target)
        return _update(existing, user, fields, title=title)
    return bookmark


def _update(bookmark: Bookmark, user, fields: BookmarkFields, *, title: str | None = None) -> Bookmark:
    if title is not None:
        bookmark.title = title
    _apply(bookmark, user, fields)
    return bookmark


@transaction.atomic
def bookmark_update(*, bookmark: Bookmark, user, fields: BookmarkFields) -> Bookmark:
    """Edit one's own bookmark; making it private takes it out of the work's count, and back."""
    locked = Bookmark.objects.select_for_update().filter(pk=bookmark.pk, user=user).first()
    if locked is None:
        raise ValidationError("That bookmark is not yours to edit.")
    errors = _bookmark_errors(user, fields)
    if errors:
        raise ValidationError(errors)
    title = locked.work.title if locked.work_id else locked.series.title if locked.series_id else None
    return _update(locked, user, fields, title=title)


@transaction.atomic
def bookmark_delete(*, bookmark: Bookmark, user) -> None:
    locked = Bookmark.objects.select_for_update().filter(pk=bookmark.pk, user=user).first()
    if locked is None:
        return  # already gone (a second click)
    locked.delete()


def bookmarks_refile(*, tag_ids) -> None:
    """After wrangling these tags: note for the index every bookmark whose own tags, or whose external work's
    tags, are filed under them (works' tags reach it through the works' change log)."""
    under = tags_filtered_under(tag_ids)
    _note_changed(Bookmark.objects.filter(Q(tags__in=under) | Q(external_work__tags__in=under)))


def _note_changed(bookmarks) -> None:
    """Have the index re-read these bookmarks: what it files them under changed outside their rows."""
    bookmark_ids = sorted(set(bookmarks.values_list("pk", flat=True)))
    BookmarkChange.objects.bulk_create([BookmarkChange(bookmark_id=pk) for pk in bookmark_ids], batch_size=500)
