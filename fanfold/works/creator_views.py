"""Pages for creators together: a work's co-creators and invitations, co-creator requests, gifts, orphaning
and related works. Each view reads the request, calls one service or selector, and answers."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from fanfold.accounts.models import Pseud
from fanfold.accounts.selectors import pseud_by_byline
from fanfold.accounts.views import OwnProfileMixin, _profile_user
from fanfold.core.forms import parse_id
from fanfold.works import creators, gifts, related
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works
from fanfold.works.views import _own_work, paginate


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# A work's creators ---------------------------------------------------------------------------------


class WorkCreatorsView(LoginRequiredMixin, View):
    """A work's creators and the invitations waiting on it, for its creators: invite, withdraw, leave."""

    template_name = "works/creators/work_creators.html"

    def get(self, request, work_id: int):
        return self._render(_own_work(request, work_id))

    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        typed = " ".join(request.POST.get("byline", "").split())[:200]
        found = pseud_by_byline(typed) if typed else None
        error = ""
        if found is None:
            error = "Please type the pseud or username of the person to invite."
        elif found.problem:
            error = found.problem
        elif found.pseud is None:
            error = f"There is no user or pseud called “{typed}”."
        else:
            try:
                creators.creator_invite(work=work, by=request.user, pseud=found.pseud)
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
        if error:
            return self._render(work, error=error, typed=typed, status=400)
        messages.success(request, f"{found.pseud} was invited to be a co-creator. They are credited once they accept.")
        return redirect("creators:work_creators", work_id=work.pk)

    def _render(self, work: Work, *, error: str = "", typed: str = "", status: int = 200):
        context = {
            "work": work,
            "invitations": creators.work_invitations(work),
            "co_created": len({pseud.user_id for pseud in work.creators.all()}) > 1,
            "error": error,
            "typed": typed,
        }
        return render(self.request, self.template_name, context, status=status)


class InvitationCancelView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        pseud_id = parse_id(request.POST.get("pseud_id"), Pseud)
        if pseud_id is not None:
            creators.creator_invitation_cancel(work=work, by=request.user, pseud_id=pseud_id)
            messages.success(request, "The invitation was withdrawn.")
        return redirect("creators:work_creators", work_id=work.pk)


class CreatorLeaveView(LoginRequiredMixin, View):
    """ "Remove me as co-creator"."""

    http_method_names = ["post"]

    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        try:
            creators.creator_remove_self(work=work, user=request.user)
        except ValidationError as error:
            _messages_from(request, error)
            return redirect("creators:work_creators", work_id=work.pk)
        messages.success(request, f"You are no longer a creator of “{work.title}”.")
        return redirect("accounts:profile", username=request.user.username)


# Co-creator requests -------------------------------------------------------------------------------


class InvitationsView(OwnProfileMixin, View):
    """The co-creator invitations waiting for a user, with Accept and Decline."""

    template_name = "works/creators/invitations.html"

    def get(self, request, username: str):
        invitations = list(creators.pending_invitations(request.user))
        readable = set(
            visible_works(request.user).filter(pk__in=[i.work_id for i in invitations]).values_list("pk", flat=True)
        )
        for invitation in invitations:
            invitation.readable = invitation.work_id in readable
        return render(request, self.template_name, {"profile_user": self.profile_user, "invitations": invitations})

    def post(self, request, username: str):
        work_id = parse_id(request.POST.get("work_id"), Work)
        work = Work.objects.filter(pk=work_id).first() if work_id else None
        action = request.POST.get("action")
        if work is None or action not in ("accept", "decline"):
            messages.error(request, "That invitation is no longer waiting for you.")
            return redirect("creators:invitations", username=request.user.username)
        try:
            if action == "accept":
                creators.creator_invitation_accept(work=work, user=request.user)
                messages.success(request, f"You are now a co-creator of “{work.title}”.")
            else:
                creators.creator_invitation_decline(work=work, user=request.user)
                messages.success(request, f"You declined to be a co-creator of “{work.title}”.")
        except ValidationError as error:
            _messages_from(request, error)
        return redirect("creators:invitations", username=request.user.username)


# Gifts ---------------------------------------------------------------------------------------------


class GiftsView(View):
    """The works given to a user, as the viewer may see them; the user's refused gifts, for them alone."""

    template_name = "works/creators/gifts.html"

    def get(self, request, username: str):
        user = _profile_user(username)
        is_owner = request.user.is_authenticated and request.user.pk == user.pk
        context = {
            "profile_user": user,
            "is_owner": is_owner,
            "page": paginate(request, gifts.gifted_works(viewer=request.user, user=user)),
            "refused": list(gifts.refused_gifts(user)[:50]) if is_owner else [],
        }
        return render(request, self.template_name, context)


class GiftRefuseView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, work_id: int):
        work = visible_works(request.user).filter(pk=work_id).first()
        if work is None:
            raise Http404("No such work.")
        try:
            gifts.gift_refuse(work=work, user=request.user)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, f"You refused “{work.title}” as a gift. It is no longer shown as a gift to you.")
        return redirect("creators:gifts", username=request.user.username)


# Orphaning -----------------------------------------------------------------------------------------


def _keep_pseud(request) -> bool:
    return request.POST.get("use_default") != "true"


class WorkOrphanView(LoginRequiredMixin, View):
    """Orphan one work: a page that says it is for good, then the change."""

    template_name = "works/creators/orphan.html"

    def get(self, request, work_id: int):
        work = _own_work(request, work_id)
        return render(request, self.template_name, {"work": work, "count": 1, "action": request.path})

    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        if request.POST.get("confirm") != "yes":
            context = {
                "work": work,
                "count": 1,
                "action": request.path,
                "unconfirmed": True,
                "use_default": not _keep_pseud(request),
            }
            return render(request, self.template_name, context, status=400)
        creators.work_orphan(work=work, user=request.user, keep_pseud=_keep_pseud(request))
        messages.success(request, f"“{work.title}” was orphaned. It is no longer credited to you.")
        return redirect("accounts:profile", username=request.user.username)


class OrphanAllView(OwnProfileMixin, View):
    """Orphan every work of a user."""

    template_name = "works/creators/orphan.html"

    def _context(self, **extra):
        count = creators.user_credited_work_count(self.request.user)
        return {"work": None, "count": count, "action": self.request.path, **extra}

    def get(self, request, username: str):
        return render(request, self.template_name, self._context())

    def post(self, request, username: str):
        if request.POST.get("confirm") != "yes":
            context = self._context(unconfirmed=True, use_default=not _keep_pseud(request))
            return render(request, self.template_name, context, status=400)
        try:
            moved = creators.works_orphan_all(user=request.user, keep_pseud=_keep_pseud(request))
        except ValidationError as error:
            _messages_from(request, error)
            return redirect("accounts:profile", username=request.user.username)
        messages.success(request, f"{moved} work{'s were' if moved != 1 else ' was'} orphaned.")
        return redirect("accounts:profile", username=request.user.username)


# Related works -------------------------------------------------------------------------------------


class RelatedRequestsView(OwnProfileMixin, View):
    """Works here that link to the user's works: approve a link to show it on their work, or keep it off. A work
    the user's viewer policy does not list is a line that names nothing (see `related.related_requests`)."""

    template_name = "works/creators/related_requests.html"

    def get(self, request, username: str):
        requests = related.related_requests(request.user)
        return render(request, self.template_name, {"profile_user": self.profile_user, "requests": requests})

    def post(self, request, username: str):
        shown = related.related_request_for(user=request.user, link_id=request.POST.get("link_id"))
        action = request.POST.get("action")
        if shown is None or action not in ("approve", "decline"):
            messages.error(request, "That link is no longer there.")
            return redirect(reverse("creators:related_requests", kwargs={"username": request.user.username}))
        link = shown.link
        child = "The work" if shown.withheld else f"“{link.child.title}”"
        try:
            if action == "approve":
                related.related_work_approve(link=link, user=request.user)
                messages.success(request, f"{child} is now listed on “{link.parent.title}”.")
            else:
                related.related_work_decline(link=link, user=request.user)
                messages.success(request, f"{child} is not listed on “{link.parent.title}”.")
        except ValidationError as error:
            _messages_from(request, error)
        return redirect(reverse("creators:related_requests", kwargs={"username": request.user.username}))
