"""Reads of kudos and comments for a work page, and who may leave them."""

import dataclasses
from datetime import date
from urllib.parse import urlencode

from django.db import connection
from django.db.models import BooleanField, Count, Q, Value
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.blocks import blockers_among
from fanfold.accounts.models import Pseud, User
from fanfold.core.exists import has_rows
from fanfold.core.json_rows import json_rows, read_json_rows
from fanfold.interactions.forms import CommentForm
from fanfold.interactions.models import Comment, CommentStatus, Hit, Kudos
from fanfold.interactions.visitors import client_ip, visitor_key
from fanfold.works.models import Chapter, CommentPermission, Work
from fanfold.works.visibility import policy_for

# Past this many names the kudos line ends with "and N more users".
KUDOS_NAMES_SHOWN = 50

SIGN_IN_TO_COMMENT = "Sign in to comment on this work."
COMMENTS_OFF = "Comments are off for this work."
BLOCKED_BY_CREATOR = "Sorry, you have been blocked by one or more of this work's creators."
BLOCKED_BY_COMMENTER = "Sorry, you have been blocked by that user, so you can't reply to their comment."


def kudos_refusal(*, work: Work, user) -> str | None:
    """Why `user` (None or anonymous for a guest) may not leave kudos on `work`, or None if they may."""
    if not work.posted:
        return "You can't leave kudos on a draft."
    if user is not None and user.is_authenticated:
        if work.is_created_by(user):
            return "You can't leave kudos on your own work."
    elif work.restricted:
        return "Please sign in to leave kudos on this work."
    return None


def comment_refusal(*, work: Work, user, blockers: set[int] | None = None) -> str | None:
    """Why `user` (None or anonymous for a guest) may not comment on `work`, or None if they may.
    `blockers`, when the caller has them, are the ids of the users who blocked `user` among (at least) the
    work's creators."""
    if not work.posted:
        return "Comments open once the work is posted."
    if work.comment_permission == CommentPermission.NOBODY:
        return COMMENTS_OFF
    signed_in = user is not None and user.is_authenticated
    if not signed_in and (work.comment_permission != CommentPermission.EVERYONE or work.restricted):
        return SIGN_IN_TO_COMMENT
    if signed_in:
        creator_ids = {pseud.user_id for pseud in work.creators.all()}
        if blockers is None:
            blockers = blockers_among(user_ids=creator_ids, blocked=user)
        if creator_ids & blockers:
            return BLOCKED_BY_CREATOR
    return None


REPLY_TO_MUTED = "You muted the user who wrote this comment; unmute them to reply to it."


def reply_refusal(*, parent: Comment, user) -> str | None:
    """Why `user` may not reply to `parent` beyond what `comment_refusal` says of its work, or None."""
    if parent.user_id is not None and blockers_among(user_ids=[parent.user_id], blocked=user):
        return BLOCKED_BY_COMMENTER
    if parent.user_id is not None and parent.user_id in policy_for(user).muted_user_ids:
        return REPLY_TO_MUTED
    return None


def pseuds_of(user) -> list[Pseud]:
    """The pseuds a signed-in user may comment as, default first."""
    if user is None or not user.is_authenticated:
        return []
    return list(Pseud.objects.filter(user=user).select_related("user"))


@dataclasses.dataclass
class CommentNode:
    """One comment in a thread, with what the viewer may do to it."""

    comment: Comment
    replies: list["CommentNode"]
    can_reply: bool
    can_edit: bool
    can_delete: bool
    can_approve: bool
    # By someone the viewer muted: shown as one collapsed line, its replies still in place under it.
    muted: bool = False


@dataclasses.dataclass(frozen=True)
class ThreadStep:
    """Threads are rendered from a flat list of steps, so deep threads need no recursion."""

    node: CommentNode
    opening: bool


def _thread_steps(roots: list[CommentNode]) -> list[ThreadStep]:
    steps: list[ThreadStep] = []
    stack = [(node, True) for node in reversed(roots)]
    while stack:
        node, opening = stack.pop()
        steps.append(ThreadStep(node=node, opening=opening))
        if opening:
            stack.append((node, False))
            stack.extend((reply, True) for reply in reversed(node.replies))
    return steps


def comment_threads(
    *, comments: list[Comment], viewer, is_creator: bool, may_comment: bool, blockers: set[int] | None = None
) -> list[CommentNode]:
    """Nest `comments` (all statuses, in posting order) into the threads `viewer` sees.

    Pending comments are shown to the work's creators only; a deleted placeholder is kept
    only while a visible reply hangs under it. A comment by someone the viewer muted is marked `muted` (the
    page shows one collapsed line in its place, so the thread keeps its shape); one by someone who blocked
    the viewer cannot be replied to.
    """
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    muted_ids = policy_for(viewer).muted_user_ids
    if blockers is None:
        blockers = blockers_among(user_ids={comment.user_id for comment in comments}, blocked=viewer)
    children: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            children.setdefault(comment.parent_id, []).append(comment)
    nodes: dict[int, CommentNode] = {}
    # Replies are always posted after their parent, so walking backwards meets children first.
    for comment in reversed(comments):
        replies = [nodes[child.pk] for child in children.get(comment.pk, []) if child.pk in nodes]
        if comment.is_deleted and not replies:
            continue
        if not comment.is_published and not is_creator:
            continue
        is_author = viewer_id is not None and comment.user_id == viewer_id
        live = not comment.is_deleted
        muted = live and comment.user_id in muted_ids
        nodes[comment.pk] = CommentNode(
            comment=comment,
            replies=replies,
            can_reply=live and comment.is_published and may_comment and not muted and comment.user_id not in blockers,
            can_edit=live and is_author and comment.pk not in children,
            can_delete=live and (is_author or is_creator),
            can_approve=live and is_creator and not comment.is_published,
            muted=muted,
        )
    return [nodes[c.pk] for c in comments if c.parent_id is None and c.pk in nodes]


@dataclasses.dataclass(frozen=True)
class _Giver:
    username: str


def _own_kudos(request) -> dict | None:
    """What marks this viewer's kudos: their account, or a guest's address; None when there is neither."""
    if request.user.is_authenticated:
        return {"user": request.user.pk}
    address = client_ip(request)
    return {"user": None, "ip_address": address} if address else None


def work_kudos_flags(request) -> dict[str, RawSQL | Value]:
    """Annotations that read, with the work, what its kudos line needs: the first names of the users who left
    kudos (one more than are shown, to tell whether there are more) and whether this viewer left kudos;
    `kudos_context` then asks nothing more of a work with few kudos."""
    quote = connection.ops.quote_name
    kudos, users = quote(Kudos._meta.db_table), quote(User._meta.db_table)
    work = f"{quote(Work._meta.db_table)}.{quote(Work._meta.pk.column)}"
    columns = f"k.{quote('created_at')} AS created_at, k.{quote('id')} AS id, u.{quote('username')} AS username"
    rows = (
        f"FROM {kudos} k JOIN {users} u ON u.{quote('id')} = k.{quote('user_id')} WHERE k.{quote('work_id')} = "
        f"{work} ORDER BY k.{quote('created_at')}, k.{quote('id')} LIMIT {KUDOS_NAMES_SHOWN + 1}"
    )
    first = f"SELECT {columns} {rows}"
    mine = _own_kudos(request)
    return {
        "kudos_givers": json_rows("f.created_at, f.id, f.username", f"FROM ({first}) f", "f.created_at, f.id"),
        "kudos_given": (
            has_rows(Kudos, pointing_at=Work, via="work", **mine) if mine else Value(False, output_field=BooleanField())
        ),
    }


def kudos_context(*, request, work: Work, next_path: str) -> dict:
    """Template context for `interactions/_kudos.html`: who left kudos, and whether the viewer may. A work read
    with `work_kudos_flags` needs no query unless it has more kudos from users than are named."""
    viewer = request.user
    # The names shown, and one more to tell whether there are more: most works have fewer than that, and
    # then the kudos rows need no counting (a popular work's are many).
    if hasattr(work, "kudos_givers"):
        givers = [row[2] for row in read_json_rows(work.kudos_givers, key=lambda row: (row[0], row[1]))]
    else:
        givers = []
        if work.kudos_count:  # the counter is exact, so a work without kudos needs no look at their rows
            givers = list(
                Kudos.objects.filter(work=work, user__isnull=False).values_list("user__username", flat=True)[
                    : KUDOS_NAMES_SHOWN + 1
                ]
            )
    if len(givers) <= KUDOS_NAMES_SHOWN:
        # The work's counter is exact (atomic updates, `reconcile_counts`): the rest are guests'.
        users = len(givers)
        guests = max(work.kudos_count - users, 0)
    else:
        totals = Kudos.objects.filter(work=work).aggregate(
            users=Count("pk", filter=Q(user__isnull=False)), guests=Count("pk", filter=Q(user__isnull=True))
        )
        users, guests = totals["users"], totals["guests"]
    kudos_users = [_Giver(username) for username in givers[:KUDOS_NAMES_SHOWN]]
    given = getattr(work, "kudos_given", None)
    if given is None:
        mine = _own_kudos(request)
        given = bool(mine and (users or guests) and Kudos.objects.filter(work=work, **mine).exists())
    return {
        "kudos_work": work,
        "kudos_next": next_path,
        "kudos_count": users + guests,
        "kudos_users": kudos_users,
        "kudos_more_users": max(users - len(kudos_users), 0),
        "kudos_guest_count": guests,
        "kudos_given": bool(given),
        # The form stays for those who already left kudos (its button hidden), so a second try gets an answer.
        "kudos_form_shown": kudos_refusal(work=work, user=viewer) is None,
    }


def work_comment_flag() -> dict[str, RawSQL]:
    """An annotation saying whether a work has any comment rows at all (published, pending or deleted), loaded
    with the work, so its page reads no comments when there are none (most works have none)."""
    return {"has_comments": has_rows(Comment, pointing_at=Work, via="work")}


def visit_of(request) -> tuple[str, date]:
    """The visit a page view makes: this visitor, today. Days are counted in UTC so a reader's time zone does
    not change what counts as a new visit."""
    return visitor_key(request), timezone.now().date()


def work_visit_flag(visit: tuple[str, date]) -> dict[str, RawSQL]:
    """An annotation saying whether `visit` to the work is stored already (a reader turning pages), loaded
    with the work, so `hit_record` need not ask."""
    visitor, day = visit
    return {"visit_stored": has_rows(Hit, pointing_at=Work, via="work", visitor=visitor, day=day)}


def work_feedback_context(
    *, request, work: Work, chapter: Chapter | None = None, chapters: list[Chapter] | None = None
) -> dict:
    """Template context for `interactions/_work_feedback.html` on a work or chapter page. `chapters` are
    the chapters the viewer sees (numbered for them); a comment says which of them it is on.

    A fixed number of queries whatever the number of kudos and comments.
    """
    viewer = request.user
    signed_in = viewer.is_authenticated
    is_creator = work.is_created_by(viewer)

    comments = Comment.objects.filter(work=work).select_related("pseud__user")
    # A chapter page shows that chapter's comments; a one-chapter work has one conversation.
    if chapter is not None and work.chapter_count > 1:
        comments = comments.filter(chapter=chapter)
    # A work loaded without `work_comment_flag` is asked for its comments.
    comments = list(comments.order_by("created_at", "id")) if getattr(work, "has_comments", True) else []
    if chapters is not None:
        seen = {shown.pk: shown for shown in chapters}
        for comment in comments:
            if comment.chapter_id in seen:
                comment.chapter = seen[comment.chapter_id]
    # Who blocked the viewer, among the creators (no new comments) and the commenters (no replies): one query.
    people = {pseud.user_id for pseud in work.creators.all()} | {comment.user_id for comment in comments}
    blockers = blockers_among(user_ids=people, blocked=viewer)
    refusal = comment_refusal(work=work, user=viewer, blockers=blockers)
    threads = comment_threads(
        comments=comments, viewer=viewer, is_creator=is_creator, may_comment=not refusal, blockers=blockers
    )
    form = None
    if refusal is None:
        form = CommentForm(
            pseuds=pseuds_of(viewer),
            guest=not signed_in,
            initial={"chapter_id": chapter.pk if chapter else None},
        )
    pending_count = 0
    if is_creator:
        pending_count = Comment.objects.filter(work=work, status=CommentStatus.PENDING).count()

    return kudos_context(request=request, work=work, next_path=request.get_full_path()) | {
        "feedback_work": work,
        "feedback_chapter": chapter,
        "is_work_creator": is_creator,
        "comment_threads": threads,
        "comment_steps": _thread_steps(threads),
        "comments_shown_count": sum(1 for c in comments if c.is_published and not c.is_deleted),
        "comment_form": form,
        "comment_form_reason": refusal,
        "comment_sign_in_url": (
            f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
            if refusal == SIGN_IN_TO_COMMENT
            else None
        ),
        "comments_pending_count": pending_count,
    }


def pending_comments(*, work: Work) -> list[Comment]:
    """The moderation queue: a work's comments awaiting its creators' approval, oldest first."""
    return list(
        Comment.objects.filter(work=work, status=CommentStatus.PENDING)
        .select_related("pseud__user", "chapter", "parent__pseud__user")
        .order_by("created_at", "id")
    )
