"""Kudos and comment pages: each view reads the request, calls one service, and answers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanfold.accounts.models import Pseud
from fanfold.interactions import selectors, services
from fanfold.interactions.forms import CommentEditForm, CommentForm
from fanfold.interactions.models import Comment
from fanfold.interactions.visitors import client_ip
from fanfold.works.models import Chapter, Work
from fanfold.works.selectors import visible_chapters, visible_works
from fanfold.works.visibility import policy_for

# Refusals a person can hit, as HTTP statuses for the JSON answer.
_KUDOS_STATUS = {"already_left": 409, "refused": 403}


def _work_or_404(request: HttpRequest, work_id: int) -> Work:
    works = visible_works(request.user).prefetch_related(
        Prefetch("creators", queryset=Pseud.objects.select_related("user"))
    )
    return get_object_or_404(works, pk=work_id)


def _comment_or_404(request: HttpRequest, comment_id: int) -> Comment:
    """A comment on a work the viewer may see; a pending one only for the work's creators or its author."""
    comment = get_object_or_404(Comment.objects.select_related("pseud__user", "chapter"), pk=comment_id)
    comment.work = _work_or_404(request, comment.work_id)
    if not comment.is_published:
        is_author = request.user.is_authenticated and comment.user_id == request.user.pk
        if not (is_author or comment.work.is_created_by(request.user)):
            raise Http404("No such comment.")
    return comment


def _int_or_none(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such page.") from None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the `next` the form carried when it is a path on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def _with_anchor(path: str, anchor: str) -> str:
    return f"{path.split('#', 1)[0]}#{anchor}"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or bool(request.headers.get("X-Requested-With"))


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form, each message by the field it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _thread_page(work: Work, chapter: Chapter | None) -> str:
    if chapter is not None:
        return chapter.get_absolute_url()
    return work.get_absolute_url()


# Kudos


@require_POST
def kudos_create(request: HttpRequest, work_id: int) -> HttpResponse:
    """Leave kudos; a plain form post is answered with a redirect and a message, a script's with JSON."""
    work = _work_or_404(request, work_id)
    back = _safe_next(request, work.get_absolute_url())
    try:
        services.kudos_give(work=work, user=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        ok, message, status = False, error.messages[0], _KUDOS_STATUS.get(error.code, 400)
    else:
        ok, message, status = True, "Thank you for leaving kudos!", 200
    if not _wants_json(request):
        (messages.success if ok else messages.error)(request, message)
        return redirect(_with_anchor(back, "kudos"))
    # The kudos section as it now stands, so the page can show the new name without reloading.
    context = selectors.kudos_context(request=request, work=work, next_path=back)
    return JsonResponse(
        {
            "ok": ok,
            "message": message,
            "kudos_count": work.kudos_count,
            "html": render_to_string("interactions/_kudos.html", context, request=request),
        },
        status=status,
    )


# Comments


def _comment_form_page(
    request: HttpRequest,
    *,
    work: Work,
    form: CommentForm,
    chapter: Chapter | None = None,
    parent: Comment | None = None,
    status: int = 200,
) -> HttpResponse:
    # A comment by someone the reader muted stays one collapsed line here too, as in the thread.
    parent_muted = parent is not None and parent.user_id in policy_for(request.user).muted_user_ids
    return render(
        request,
        "interactions/comment_form_page.html",
        {
            "work": work,
            "chapter": chapter,
            "parent": parent,
            "form": form,
            "parent_muted": parent_muted,
            "form_refusal": selectors.comment_refusal(work=work, user=request.user)
            or (selectors.reply_refusal(parent=parent, user=request.user) if parent else None),
        },
        status=status,
    )


@require_POST
def comment_create(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_or_404(request, work_id)
    chapter = None
    chapter_id = _int_or_none(request.POST.get("chapter_id"))
    if chapter_id is not None:
        chapter = get_object_or_404(visible_chapters(work=work, viewer=request.user), pk=chapter_id)
    parent = None
    parent_id = _int_or_none(request.POST.get("parent_id"))
    if parent_id is not None:
        # The same rule as every other way to a comment: a pending one is its author's and the creators'.
        parent = _comment_or_404(request, parent_id)
        if parent.work_id != work.pk or parent.is_deleted or not parent.is_published:
            raise Http404("That comment can't be replied to.")
        chapter = parent.chapter
    signed_in = request.user.is_authenticated
    form = CommentForm(request.POST, pseuds=selectors.pseuds_of(request.user), guest=not signed_in)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_create(
                work=work,
                chapter=chapter,
                parent=parent,
                user=request.user if signed_in else None,
                pseud=data.get("pseud"),
                guest_name=data.get("guest_name", ""),
                guest_email=data.get("guest_email", ""),
                content=data["content"],
                text_format=data["text_format"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if comment.is_published:
                messages.success(request, "Comment created!")
                return redirect(comment.get_absolute_url())
            messages.success(request, "Your comment was submitted and will appear once the creator approves it.")
            return redirect(_with_anchor(_thread_page(work, chapter), "comments"))
    return _comment_form_page(request, work=work, form=form, chapter=chapter, parent=parent, status=400)


@require_GET
def comment_reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A page with a reply form, for readers without JavaScript."""
    parent = _comment_or_404(request, comment_id)
    if parent.is_deleted or not parent.is_published:
        raise Http404("That comment can't be replied to.")
    form = CommentForm(
        pseuds=selectors.pseuds_of(request.user),
        guest=not request.user.is_authenticated,
        initial={"parent_id": parent.pk, "chapter_id": parent.chapter_id},
    )
    return _comment_form_page(request, work=parent.work, form=form, chapter=parent.chapter, parent=parent)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    if comment.is_deleted or not request.user.is_authenticated or comment.user_id != request.user.pk:
        raise PermissionDenied("You can only edit your own comments.")
    status = 200
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_update(
                    comment=comment,
                    user=request.user,
                    content=form.cleaned_data["content"],
                    text_format=form.cleaned_data["text_format"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Comment updated.")
                return redirect(comment.get_absolute_url())
        status = 400
    else:
        form = CommentEditForm(initial={"content": comment.content})
    has_replies = comment.replies.exists()
    return render(
        request,
        "interactions/comment_edit.html",
        {"work": comment.work, "comment": comment, "form": form, "has_replies": has_replies},
        status=status,
    )


@require_http_methods(["GET", "POST", "DELETE"])
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET asks to confirm; POST (the confirmation form) and DELETE delete."""
    comment = _comment_or_404(request, comment_id)
    if comment.is_deleted:
        raise Http404("That comment is already deleted.")
    if not services.comment_may_delete(comment=comment, user=request.user):
        raise PermissionDenied("Only the comment's author or the work's creators can delete it.")
    fallback = _with_anchor(_thread_page(comment.work, comment.chapter), "comments")
    if request.method in ("POST", "DELETE"):
        services.comment_delete(comment=comment, user=request.user)
        messages.success(request, "Comment deleted.")
        return redirect(_safe_next(request, fallback))
    return render(
        request,
        "interactions/comment_confirm_delete.html",
        {"work": comment.work, "comment": comment, "next": _safe_next(request, "")},
    )


@require_POST
def comment_approve(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    services.comment_approve(comment=comment, user=request.user)
    messages.success(request, "Comment approved.")
    return redirect(_safe_next(request, comment.get_absolute_url()))


@require_GET
def comments_unreviewed(request: HttpRequest, work_id: int) -> HttpResponse:
    """The moderation queue of one work, for its creators."""
    work = _work_or_404(request, work_id)
    if not work.is_created_by(request.user):
        raise PermissionDenied("Only the work's creators can review its comments.")
    return render(
        request,
        "interactions/comments_unreviewed.html",
        {"work": work, "comments": selectors.pending_comments(work=work)},
    )
