"""A reader's history and Marked for Later list (their own only), and the buttons that change them."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from fanfold.accounts.selectors import user_by_username, user_preference
from fanfold.core.forms import parse_id
from fanfold.readings import selectors, services
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works

READINGS_PER_PAGE = 20


def _back(request, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


class OwnListMixin(LoginRequiredMixin):
    """History and Marked for Later are their owner's alone."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        owner = user_by_username(kwargs["username"])
        if owner is None:
            raise Http404("No such user.")
        if owner.pk != request.user.pk:
            raise PermissionDenied("Only its owner can see a reader's history and Marked for Later list.")
        return super().dispatch(request, *args, **kwargs)


class ReadingListView(OwnListMixin, View):
    heading = ""
    template_name = "readings/reading_list.html"

    def readings(self, user):
        raise NotImplementedError

    def get(self, request, username: str):
        page = Paginator(self.readings(request.user), READINGS_PER_PAGE).get_page(request.GET.get("page"))
        rows = selectors.readings_with_works(page.object_list, viewer=request.user)
        context = {"heading": self.heading, "page": page, "rows": rows, "list_name": self.list_name}
        if self.list_name == "history":
            context["history_off"] = not user_preference(request.user).history_enabled
        return render(request, self.template_name, context)


class HistoryView(ReadingListView):
    heading = "History"
    list_name = "history"

    def readings(self, user):
        return selectors.user_history(user)


class MarkedForLaterView(ReadingListView):
    heading = "Marked for Later"
    list_name = "later"

    def readings(self, user):
        return selectors.user_marked_for_later(user)


class HistoryDeleteView(OwnListMixin, View):
    def post(self, request, username: str, work_id: int):
        if parse_id(work_id, Work) is None:
            raise Http404("No such work in your history.")
        services.reading_delete(user=request.user, work_id=work_id)
        messages.success(request, "The work was deleted from your history.")
        return redirect("readings:history", username=request.user.username)


class HistoryClearView(OwnListMixin, View):
    def get(self, request, username: str):
        return render(request, "readings/history_confirm_clear.html")

    def post(self, request, username: str):
        services.readings_clear_history(user=request.user)
        messages.success(request, "Your history is now cleared.")
        return redirect("readings:history", username=request.user.username)


class MarkView(LoginRequiredMixin, View):
    """Mark for Later, or Mark as Read, a work the reader may open."""

    for_later = True

    def post(self, request, work_id: int):
        work = get_object_or_404(visible_works(request.user).only("pk"), pk=work_id)
        if self.for_later:
            services.reading_mark_for_later(user=request.user, work=work)
            messages.success(request, "This work was added to your Marked for Later list.")
        else:
            services.reading_mark_as_read(user=request.user, work=work)
            messages.success(request, "This work was removed from your Marked for Later list.")
        return redirect(_back(request, reverse("works:detail", kwargs={"work_id": work.pk})))


class MarkForLaterView(MarkView):
    for_later = True


class MarkAsReadView(MarkView):
    for_later = False
