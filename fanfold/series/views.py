"""Pages of series: a series, a user's series, and its creators' edit, reorder, remove and delete pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from fanfold.accounts.selectors import user_by_username
from fanfold.bookmarks.views import series_bookmark_context
from fanfold.core.forms import parse_id
from fanfold.readings.selectors import marked_work_ids
from fanfold.series import selectors, services
from fanfold.series.forms import SeriesForm
from fanfold.series.models import Series
from fanfold.works.forms import add_service_errors
from fanfold.works.models import Work

SERIES_PER_PAGE = 20


def _own_series(request, series_id: int) -> Series:
    series = selectors.own_series(series_id=series_id, user=request.user)
    if series is None:
        raise Http404("Only a series' creators can change it.")
    return series


class SeriesDetailView(View):
    def get(self, request, series_id: int):
        page = selectors.series_page(series_id=series_id, viewer=request.user)
        if page is None:
            raise Http404("No such series.")
        marked = marked_work_ids(user=request.user, work_ids=[part.work_id for part in page.parts])
        for part in page.parts:
            part.marked_for_later = part.work_id in marked
        context = {"page": page, "series": page.series, **series_bookmark_context(request=request, series=page.series)}
        return render(request, "series/series_detail.html", context)


class UserSeriesView(View):
    def get(self, request, username: str):
        user = user_by_username(username)
        if user is None:
            raise Http404("No such user.")
        series = selectors.user_series(user=user, viewer=request.user)
        page = Paginator(series, SERIES_PER_PAGE).get_page(request.GET.get("page"))
        for one in page:
            one.blurb_creators = selectors.series_blurb_creators(one)
        context = {"profile_user": user, "is_owner": request.user.pk == user.pk, "page": page}
        return render(request, "series/user_series.html", context)


class SeriesEditView(LoginRequiredMixin, View):
    template_name = "series/series_form.html"

    def get(self, request, series_id: int):
        series = _own_series(request, series_id)
        return self._render(SeriesForm(initial=SeriesForm.initial_for(series)), series)

    def post(self, request, series_id: int):
        series = _own_series(request, series_id)
        form = SeriesForm(request.POST)
        if form.is_valid():
            try:
                services.series_update(series=series, fields=form.series_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Series was successfully updated.")
                return redirect(series)
        return self._render(form, series, status=400)

    def _render(self, form, series, status=200):
        return render(self.request, self.template_name, {"form": form, "series": series}, status=status)


class SeriesOrderView(LoginRequiredMixin, View):
    """Reorder a series' works by numbering them (no script needed), and remove works from it."""

    template_name = "series/series_order.html"

    def get(self, request, series_id: int):
        series = _own_series(request, series_id)
        return self._render(series, selectors.series_parts_for_managing(series), {})

    def post(self, request, series_id: int):
        series = _own_series(request, series_id)
        parts = selectors.series_parts_for_managing(series)
        positions: dict[int, int] = {}
        errors = []
        for part in parts:
            raw = request.POST.get(f"position_{part.work_id}", "").strip()
            if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
                errors.append(f"Please give “{part.work.title}” a number.")
            else:
                positions[part.work_id] = int(raw)
        if not errors and sorted(positions.values()) != list(range(1, len(parts) + 1)):
            errors.append(f"Please number the works 1 to {len(parts)}, each number once.")
        if not errors:
            try:
                services.series_reorder(series=series, work_ids=sorted(positions, key=positions.get))
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, "The works of the series were reordered.")
                return redirect(series)
        return self._render(series, parts, request.POST, errors, status=400)

    def _render(self, series, parts, submitted, errors=(), status=200):
        rows = [(part, submitted.get(f"position_{part.work_id}", part.position)) for part in parts]
        context = {"series": series, "rows": rows, "count": len(parts), "errors": errors}
        return render(self.request, self.template_name, context, status=status)


class SeriesRemoveWorkView(LoginRequiredMixin, View):
    def post(self, request, series_id: int, work_id: int):
        series = _own_series(request, series_id)
        if parse_id(work_id, Work) is None:
            raise Http404("No such work in this series.")
        title = series.title
        if services.series_remove_work(series=series, work_id=work_id):
            messages.success(request, f"The work left “{title}”, which had no other works, so the series is gone.")
            return redirect("series:user_series", username=request.user.username)
        messages.success(request, f"The work was removed from “{title}”; the work itself is still there.")
        return redirect("series:order", series_id=series.pk)


class SeriesDeleteView(LoginRequiredMixin, View):
    def get(self, request, series_id: int):
        series = _own_series(request, series_id)
        return render(request, "series/series_confirm_delete.html", {"series": series})

    def post(self, request, series_id: int):
        series = _own_series(request, series_id)
        title = series.title
        services.series_delete(series=series)
        messages.success(request, f"The series “{title}” was deleted. Its works are still there.")
        return redirect(reverse("series:user_series", kwargs={"username": request.user.username}))
