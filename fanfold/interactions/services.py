"""Writes of kudos, comments and hits, each in one transaction, with the counters on Work kept in step."""

import collections
import dataclasses
import functools
import html as html_lib
import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags

from fanfold.accounts.models import Pseud
from fanfold.accounts.services import RESERVED_USERNAME
from fanfold.bookmarks.models import Bookmark
from fanfold.core.html import FORMAT_HTML, FORMAT_MARKDOWN, render_user_text
from fanfold.core.text import single_line
from fanfold.core.writebehind import write_behind
from fanfold.interactions.models import MAX_COMMENT_LENGTH, Comment, CommentStatus, Hit, Kudos
from fanfold.interactions.selectors import comment_refusal, kudos_refusal, reply_refusal, visit_of
from fanfold.works.models import COUNTED_CHAPTERS, Chapter, Work

logger = logging.getLogger(__name__)

KUDOS_ALREADY_LEFT = "You have already left kudos here. :)"
COMMENT_RATE_LIMITED = "You have posted too many comments recently; please wait a few minutes and try again."


# Kudos


@transaction.atomic
def kudos_give(*, work: Work, user=None, ip_address: str | None = None) -> Kudos:
    """Leave kudos as `user`, or as a guest from `ip_address`; once per person per work."""
    if user is not None and not user.is_authenticated:
        user = None
    refusal = kudos_refusal(work=work, user=user)
    if refusal:
        raise ValidationError(refusal, code="refused")
    if user is None and not ip_address:
        raise ValidationError("We could not tell who left these kudos; please sign in.", code="refused")
    if user is not None:
        kudos = Kudos(work=work, user=user, ip_address=ip_address)
        already = Kudos.objects.filter(work=work, user=user)
    else:
        kudos = Kudos(work=work, ip_address=ip_address)
        already = Kudos.objects.filter(work=work, user__isnull=True, ip_address=ip_address)
    if already.exists():
        raise ValidationError(KUDOS_ALREADY_LEFT, code="already_left")
    try:
        with transaction.atomic():
            kudos.save()
    except IntegrityError:
        # Another request from the same person got there first.
        raise ValidationError(KUDOS_ALREADY_LEFT, code="already_left") from None
    Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + 1)
    work.refresh_from_db(fields=["kudos_count"])
    return kudos


# Hits


def _never_failing_the_page(record):
    """Reading must not fail because counting failed: a database that is read-only, locked too long or
    refusing writes costs the hit, not the page. The error is logged with its traceback (at ERROR, so it is
    seen); programming errors, which mean a bug rather than a database in trouble, still raise."""

    @functools.wraps(record)
    def tolerant(*, work: Work, request, **kwargs) -> bool:
        try:
            return record(work=work, request=request, **kwargs)
        except ProgrammingError:
            raise
        except DatabaseError:
            logger.exception("Could not record a hit on work %s; the page is served without it", work.pk)
            return False

    return tolerant


@_never_failing_the_page
def hit_record(*, work: Work, request, visit: tuple[str, date] | None = None) -> bool:
    """Count a visit: once per visitor per work per day, never for creators or drafts. `visit` is the one
    `work` was loaded with `work_visit_flag` for, if it was.

    With `VISIT_WRITE_BEHIND_SECONDS` set, the visit is written by this process's next batch (`hits_write`)
    instead of now, so reading a work never waits for the database's write lock."""
    if not work.posted or work.is_created_by(getattr(request, "user", None)):
        return False
    entry = (work.pk, *(visit or visit_of(request)))
    buffer = write_behind("hits", hits_write)
    if buffer is not None and buffer.pending(entry):
        return False
    # A visit already counted today is the common case for a reader turning pages: a read, no write lock.
    stored = getattr(work, "visit_stored", None) if visit is not None else None
    if stored is None:
        stored = Hit.objects.filter(work_id=entry[0], visitor=entry[1], day=entry[2]).exists()
    if stored:
        return False
    if buffer is not None:
        counted = buffer.add(entry)
    else:
        counted = hits_write([entry]) == 1
    if counted:
        work.hit_count += 1  # the page shows the visit it counts
    return counted


_HIT_INSERT_ROWS = 300  # rows per INSERT: three parameters each, well under every database's limit


def hits_write(entries: list[tuple[int, str, date]]) -> int:
    """Write visits (work id, visitor, day) in one transaction: a visit already stored (a repeat, or another
    process's copy) is skipped, and each work's counter moves by the visits actually added. Visits to works
    deleted meanwhile are dropped. Returns how many were added."""
    table = connection.ops.quote_name(Hit._meta.db_table)
    added: collections.Counter = collections.Counter()
    with transaction.atomic():
        existing = set(Work.objects.filter(pk__in={work_id for work_id, _, _ in entries}).values_list("pk", flat=True))
        rows = [entry for entry in entries if entry[0] in existing]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), _HIT_INSERT_ROWS):
                chunk = rows[start : start + _HIT_INSERT_ROWS]
                values = ", ".join(["(%s, %s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} (work_id, visitor, day) VALUES {values} "  # noqa: S608 (no user text)
                    "ON CONFLICT (work_id, visitor, day) DO NOTHING RETURNING work_id",
                    [value for entry in chunk for value in entry],
                )
                added.update(work_id for (work_id,) in cursor.fetchall())
        # One UPDATE per distinct number of new visits (nearly always just 1), not one per work.
        by_count: dict[int, list[int]] = collections.defaultdict(list)
        for work_id, count in added.items():
            by_count[count].append(work_id)
        for count, work_ids in sorted(by_count.items()):
            Work.objects.filter(pk__in=sorted(work_ids)).update(hit_count=F("hit_count") + count)
    return sum(added.values())


# Comments


def _lock_work(work: Work) -> None:
    """Serialise comment writes on one work so the recount and the rate limit see each other's rows.

    `FOR NO KEY UPDATE` (PostgreSQL) is enough for that, and does not hold up kudos and hits, whose rows'
    foreign keys only need the work's row not to vanish.
    """
    Work.objects.lock(work.pk)


# What comment_count counts: the comments a reader of the work sees.
COUNTED_COMMENTS = Q(status=CommentStatus.PUBLISHED, is_deleted=False)


def _recount_comments(work: Work) -> None:
    count = Comment.objects.filter(COUNTED_COMMENTS, work=work).count()
    Work.objects.filter(pk=work.pk).update(comment_count=count)
    work.comment_count = count


def _content_errors(content: str, text_format: str) -> tuple[str, dict[str, list[str]]]:
    """The sanitized HTML of `content`, and what is wrong with it."""
    typed = (content or "").replace("\r\n", "\n")
    if not typed.strip():
        return "", {"content": ["Please write a comment."]}
    if len(typed) > MAX_COMMENT_LENGTH:
        return "", {
            "content": [f"A comment can be at most {MAX_COMMENT_LENGTH:,} characters long (yours is {len(typed):,})."]
        }
    html = render_user_text(typed, text_format if text_format in (FORMAT_HTML, FORMAT_MARKDOWN) else FORMAT_HTML)
    if not html:
        return "", {"content": ["The comment is empty once unsafe markup is removed."]}
    return html, {}


def _guest_errors(guest_name: str, guest_email: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not guest_name.strip():
        errors["guest_name"] = ["Please enter a name to comment as a guest."]
    elif len(guest_name.strip()) > 100:
        errors["guest_name"] = ["A name can be at most 100 characters long."]
    if not guest_email.strip():
        errors["guest_email"] = ["Please enter an email address to comment as a guest. It is never shown."]
    else:
        try:
            validate_email(guest_email.strip())
        except ValidationError:
            errors["guest_email"] = ["Please enter a valid email address."]
    return errors


def _rate_limited(*, user, ip_address: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.COMMENT_RATE_WINDOW_SECONDS)
    recent = Comment.objects.filter(created_at__gte=since)
    if user is not None:
        recent = recent.filter(user=user)
    elif ip_address:
        recent = recent.filter(user__isnull=True, ip_address=ip_address)
    else:
        return False
    return recent.count() >= settings.COMMENT_RATE_LIMIT


@transaction.atomic
def comment_create(
    *,
    work: Work,
    chapter: Chapter | None = None,
    parent: Comment | None = None,
    user=None,
    pseud: Pseud | None = None,
    guest_name: str = "",
    guest_email: str = "",
    content: str,
    text_format: str = FORMAT_HTML,
    ip_address: str | None = None,
) -> Comment:
    """A comment on `work` (or one of its chapters), or a reply to `parent`.

    Pending until approved when the work moderates comments, unless a creator wrote it.
    """
    if user is not None and not user.is_authenticated:
        user = None
    refusal = comment_refusal(work=work, user=user)
    if refusal:
        raise ValidationError(refusal, code="not_allowed")
    if parent is not None:
        if parent.work_id != work.pk or parent.is_deleted or not parent.is_published:
            raise ValidationError("That comment can no longer be replied to.", code="not_allowed")
        refusal = reply_refusal(parent=parent, user=user)
        if refusal:
            raise ValidationError(refusal, code="not_allowed")
        # A reply lives where its thread lives.
        chapter = parent.chapter
    if chapter is not None and (chapter.work_id != work.pk or not chapter.posted):
        raise ValidationError("That chapter can't be commented on.", code="not_allowed")

    html, errors = _content_errors(content, text_format)
    if user is None:
        errors |= _guest_errors(guest_name, guest_email)
        pseud = None
    else:
        pseud = pseud or user.default_pseud
        if pseud.user_id != user.pk:
            errors["pseud"] = ["Please choose one of your own pseuds."]
    if errors:
        raise ValidationError(errors)

    _lock_work(work)
    if _rate_limited(user=user, ip_address=ip_address):
        raise ValidationError(COMMENT_RATE_LIMITED, code="rate_limited")

    moderated = work.moderate_comments and not work.is_created_by(user)
    comment = Comment.objects.create(
        work=work,
        chapter=chapter,
        parent=parent,
        user=user,
        pseud=pseud,
        guest_name="" if user else guest_name.strip(),
        guest_email="" if user else guest_email.strip(),
        ip_address=ip_address,
        content=html,
        status=CommentStatus.PENDING if moderated else CommentStatus.PUBLISHED,
    )
    _recount_comments(work)
    if comment.is_published:
        transaction.on_commit(functools.partial(_notify_published, comment.pk), robust=True)
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, user, content: str, text_format: str = FORMAT_HTML) -> Comment:
    """Edit your own comment, while nobody has replied to it yet."""
    if not user.is_authenticated or comment.user_id != user.pk or comment.is_deleted:
        raise PermissionDenied("You can only edit your own comments.")
    if comment.replies.exists():
        raise ValidationError("You can't edit a comment once someone has replied to it.", code="has_replies")
    html, errors = _content_errors(content, text_format)
    if errors:
        raise ValidationError(errors)
    comment.content = html
    comment.edited_at = timezone.now()
    comment.save(update_fields=["content", "edited_at"])
    return comment


def comment_may_delete(*, comment: Comment, user) -> bool:
    if not user.is_authenticated:
        return False
    return comment.user_id == user.pk or comment.work.is_created_by(user)


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> None:
    """Delete a comment as its author or a creator of the work.

    A comment with replies stays as a placeholder so its thread keeps its shape; placeholders
    left with no replies go too.
    """
    if not comment_may_delete(comment=comment, user=user):
        raise PermissionDenied("Only the comment's author or the work's creators can delete it.")
    if comment.is_deleted:
        return
    work = comment.work
    _lock_work(work)
    if comment.replies.exists():
        comment.is_deleted = True
        comment.content = ""
        comment.save(update_fields=["is_deleted", "content"])
    else:
        parent_id = comment.parent_id
        comment.delete()
        while parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id, is_deleted=True).first()
            if parent is None or parent.replies.exists():
                break
            parent_id = parent.parent_id
            parent.delete()
    _recount_comments(work)


@transaction.atomic
def comment_approve(*, comment: Comment, user) -> Comment:
    """Publish a comment that was waiting for a creator's approval."""
    if not comment.work.is_created_by(user):
        raise PermissionDenied("Only the work's creators can approve its comments.")
    if comment.is_published or comment.is_deleted:
        return comment
    _lock_work(comment.work)
    comment.status = CommentStatus.PUBLISHED
    comment.save(update_fields=["status"])
    _recount_comments(comment.work)
    transaction.on_commit(functools.partial(_notify_published, comment.pk), robust=True)
    return comment


# Notifications


_LINE_BREAKS = re.compile(r"</(?:p|div|blockquote|li|h[1-6]|pre|tr)>|<br\s*/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def _plain_text(html: str) -> str:
    """A comment's sanitized HTML as readable plain text for an email."""
    text = html_lib.unescape(strip_tags(_LINE_BREAKS.sub("\n", html)))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _comment_url(comment: Comment) -> str:
    # Emails need a full address; SITE_URL is the archive's public origin, when set.
    return getattr(settings, "SITE_URL", "").rstrip("/") + comment.get_absolute_url()


def _notify_published(comment_id: int) -> None:
    """Tell the work's creators about a new comment, and a parent comment's author about a reply.

    Nobody is told about their own comment, and nobody gets two emails for one comment.
    """
    comment = (
        Comment.objects.select_related("work", "chapter", "pseud__user", "user", "parent__user")
        .filter(pk=comment_id, status=CommentStatus.PUBLISHED, is_deleted=False)
        .first()
    )
    if comment is None:
        return
    author_email = comment.user.email if comment.user else comment.guest_email
    told: set[str] = {author_email.lower()} if author_email else set()
    context = {
        "comment": comment,
        "work": comment.work,
        "author": comment.author_name,
        "text": _plain_text(comment.content),
        "url": _comment_url(comment),
        "site_name": settings.SITE_NAME,
    }

    parent = comment.parent
    if parent is not None and not parent.is_deleted:
        address = parent.user.email if parent.user else parent.guest_email
        if address and address.lower() not in told:
            told.add(address.lower())
            _send(
                f"[{settings.SITE_NAME}] Reply to your comment on {comment.work.title}",
                "interactions/emails/comment_reply.txt",
                context,
                address,
            )

    # The orphan account's works have nobody to tell.
    creators = Pseud.objects.filter(works=comment.work).exclude(user__username=RESERVED_USERNAME).select_related("user")
    for address in sorted({pseud.user.email for pseud in creators if pseud.user.email}):
        if address.lower() in told:
            continue
        told.add(address.lower())
        _send(
            f"[{settings.SITE_NAME}] Comment on {comment.work.title}",
            "interactions/emails/comment_on_work.txt",
            context,
            address,
        )


def _send(subject: str, template: str, context: dict, address: str) -> None:
    # A mail server hiccup must not cost the other recipients their email, nor the commenter a page.
    try:
        send_mail(
            # Django refuses a header with a line break; a title saved before titles kept to one line may hold one.
            subject=single_line(subject),
            message=render_to_string(template, context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:
        logger.exception("Could not send comment notification for comment %s", context["comment"].pk)


# Reconciling counters


@dataclasses.dataclass(frozen=True)
class CountFix:
    """A counter on a work that disagreed with the rows it counts."""

    work_id: int
    field: str
    stored: int
    counted: int


# The counters on Work that rows decide.
RECOUNTED_FIELDS = ("kudos_count", "comment_count", "hit_count", "chapter_count", "word_count", "bookmark_count")


def _counts(**work_range) -> dict[int, dict[str, int]]:
    """Work id -> each of RECOUNTED_FIELDS counted from rows as the services count them, for the works
    `work_range` filters to (`work_id=...`, or `work_id__gte=..., work_id__lte=...`); works with no rows
    are left out."""
    counted: dict[int, dict[str, int]] = {}

    def add(field: str, rows) -> None:
        for work_id, value in rows:
            counted.setdefault(work_id, dict.fromkeys(RECOUNTED_FIELDS, 0))[field] = value or 0

    def grouped(queryset, **aggregate):
        return queryset.filter(**work_range).values("work_id").annotate(**aggregate).values_list("work_id", *aggregate)

    add("kudos_count", grouped(Kudos.objects.all(), n=Count("id")))
    add("comment_count", grouped(Comment.objects.filter(COUNTED_COMMENTS), n=Count("id")))
    add("hit_count", grouped(Hit.objects.all(), n=Count("id")))
    add("bookmark_count", grouped(Bookmark.objects.public(), n=Count("id")))
    for work_id, chapters, words in grouped(
        Chapter.objects.filter(COUNTED_CHAPTERS), chapters=Count("id"), words=Sum("word_count")
    ):
        add("chapter_count", [(work_id, chapters)])
        add("word_count", [(work_id, words)])
    return counted


def _reconcile_one(work_id: int, *, fix: bool) -> list[CountFix]:
    """Recount one work with its row locked, so no kudos, hit or comment is counted half-way meanwhile."""
    with transaction.atomic():
        stored = Work.objects.locked().filter(pk=work_id).values("expected_chapters", *RECOUNTED_FIELDS).first()
        if stored is None:  # deleted meanwhile
            return []
        counted = _counts(work_id=work_id).get(work_id, dict.fromkeys(RECOUNTED_FIELDS, 0))
        fixes = [
            CountFix(work_id=work_id, field=field, stored=stored[field], counted=counted[field])
            for field in RECOUNTED_FIELDS
            if stored[field] != counted[field]
        ]
        if fixes and fix:
            # Relative updates, like every other change to a counter; under the lock they land exactly.
            changes = {f.field: F(f.field) + (f.counted - f.stored) for f in fixes}
            if any(f.field == "chapter_count" for f in fixes):
                expected = stored["expected_chapters"]
                changes["complete"] = expected is not None and counted["chapter_count"] >= expected
            Work.objects.filter(pk=work_id).update(**changes)
        return fixes


def work_counts_recount(*, work_ids) -> list[CountFix]:
    """Recount these works' counters from rows and correct them: for writes made outside the services that
    keep them (a maintainer deleting kudos or comments in the admin)."""
    return [found for work_id in sorted(set(work_ids)) for found in _reconcile_one(work_id, fix=True)]


def work_counts_reconcile(*, fix: bool, batch_size: int = 2_000, progress=None) -> Iterator[CountFix]:
    """Recount every work's kudos, comments, hits, bookmarks, chapters and words from rows; with `fix`, correct them.

    Yields each counter that was wrong, as it goes. Works are read in id ranges of `batch_size`, each
    counted with one grouped query per kind of row, so an archive of a million works takes a few hundred
    short queries and little memory. A work that looks wrong is recounted again under its row lock before
    anything is changed or reported, so a kudos given while this runs is not mistaken for a wrong count.
    `progress(done, last_id)` is called after each batch.
    """
    last_id = 0
    done = 0
    while True:
        batch = list(Work.objects.filter(pk__gt=last_id).order_by("pk").values("pk", *RECOUNTED_FIELDS)[:batch_size])
        if not batch:
            return
        first_id, last_id = batch[0]["pk"], batch[-1]["pk"]
        counted = _counts(work_id__gte=first_id, work_id__lte=last_id)
        zero = dict.fromkeys(RECOUNTED_FIELDS, 0)
        for row in batch:
            rows = counted.get(row["pk"], zero)
            if any(row[field] != rows[field] for field in RECOUNTED_FIELDS):
                yield from _reconcile_one(row["pk"], fix=fix)
        done += len(batch)
        if progress is not None:
            progress(done, last_id)
