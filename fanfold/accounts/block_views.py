"""Pages for blocking: the blocked users page, and the Block and Unblock buttons on a profile."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from fanfold.accounts import blocks, selectors
from fanfold.accounts.forms import BlockForm
from fanfold.accounts.views import _safe_next


def _blocked_message(blocked) -> str:
    return (
        f"You blocked {blocked.username}. They can no longer comment on your works, reply to your comments, "
        "give you gifts or invite you to be a co-creator."
    )


class BlockedUsersView(LoginRequiredMixin, FormView):
    """The users a person blocked, and a form to block one more by username."""

    template_name = "accounts/blocked_users.html"
    form_class = BlockForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            blocked_users=list(blocks.blocked_users(self.request.user)), max_blocks=blocks.MAX_BLOCKS, **kwargs
        )

    def form_valid(self, form):
        blocked = form.cleaned_data["blocked"]
        try:
            blocks.block_add(user=self.request.user, blocked=blocked)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("username", message)
            return self.form_invalid(form)
        messages.success(self.request, _blocked_message(blocked))
        return redirect("accounts:blocked_users")


class BlockView(LoginRequiredMixin, View):
    """The Block button on another user's profile."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        blocked = selectors.user_by_username(kwargs["username"])
        if blocked is None:
            raise Http404("No such user.")
        try:
            blocks.block_add(user=request.user, blocked=blocked)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _blocked_message(blocked))
        return redirect(_safe_next(request) or blocked.get_absolute_url())


class UnblockView(LoginRequiredMixin, View):
    """The Unblock buttons on a profile and on the blocked users page; DELETE does the same."""

    http_method_names = ["post", "delete"]

    def post(self, request, *args, **kwargs):
        return self.delete(request, *args, **kwargs)

    def delete(self, request, *args, **kwargs):
        # Looked up among the person's blocks, so a user deactivated since can still be unblocked.
        blocked = blocks.blocked_user_by_username(user=request.user, username=kwargs["username"])
        if blocked is None:
            messages.info(request, f"You had not blocked “{kwargs['username']}”, so there was nothing to undo.")
        else:
            blocks.block_remove(user=request.user, blocked=blocked)
            messages.success(request, f"You unblocked {blocked.username}.")
        return redirect(_safe_next(request) or reverse("accounts:blocked_users"))
