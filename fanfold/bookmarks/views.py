"""Bookmark pages: the filtered listings (all, a user's, a work's, a series', a tag's) and making, editing and
deleting a bookmark."""

from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from fanfold.bookmarks import services
from fanfold.bookmarks.forms import BookmarkForm, ExternalWorkForm
from fanfold.bookmarks.index import BOOKMARKER_TAGS
from fanfold.bookmarks.models import Bookmark
from fanfold.bookmarks.query import BookmarkFilterForm
from fanfold.bookmarks.selectors import (
    bookmark_for_owner,
    bookmark_of,
    bookmarks_in_order,
    bookmarks_search,
    external_work_for_editor,
    listed_bookmarks,
    pseuds_of,
    series_bookmark_total,
    tag_names,
)
from fanfold.core.forms import parse_id
from fanfold.core.middleware import wrote_recently
from fanfold.series.selectors import listed_series
from fanfold.tags.models import Tag, TagType, name_key, tag_name_from_url
from fanfold.tags.selectors import visible_tags
from fanfold.works.forms import add_service_errors
from fanfold.works.selectors import visible_works

FACETS_SHOWN = 10
FACETS_MORE = 50
NOT_SAVED = "Your bookmark could not be saved just now; please try again."
# Facet key -> (the parameter that includes a tag of it, the filter's field it fills).
_FACET_PARAMS = {
    TagType.RATING: ("rating", "ratings"),
    TagType.WARNING: ("warning", "warnings"),
    TagType.CATEGORY: ("category", "categories"),
    TagType.FANDOM: ("tag", "include_tags"),
    TagType.RELATIONSHIP: ("tag", "include_tags"),
    TagType.CHARACTER: ("tag", "include_tags"),
    TagType.FREEFORM: ("tag", "include_tags"),
    BOOKMARKER_TAGS: ("bookmark_tag", "bookmark_tags"),
}
_FACET_LABELS = [*TagType.choices, (BOOKMARKER_TAGS, "Bookmarker's Tags")]


class FacetRow(NamedTuple):
    tag_id: int
    name: str
    count: int
    included: bool
    excluded: bool


def bookmark_context(*, request, work) -> dict:
    """What the work page's Bookmark button needs: the reader's own bookmark of the work, if any."""
    return {"own_bookmark": bookmark_of(user=request.user, work=work)}


def series_bookmark_context(*, request, series) -> dict:
    """What the series page's Bookmark button needs: the reader's own bookmark of it, and how many they see."""
    return {
        "own_bookmark": bookmark_of(user=request.user, series=series),
        "series_bookmark_total": series_bookmark_total(
            series=series, viewer=request.user, fresh=wrote_recently(request)
        ),
    }


class BookmarkListView(TemplateView):
    """Bookmarks, or (in subclasses) a user's, a work's or a tag's, filtered by the query string."""

    template_name = "bookmarks/bookmark_list.html"

    def base(self) -> tuple[str, dict]:
        """The page's heading and the filter parts its path fixes."""
        return "Bookmarks", {}

    def get_context_data(self, **kwargs):
        request = self.request
        heading, fixed = self.base()
        form = BookmarkFilterForm(request.GET)
        problems = form.problems()
        bookmark_filter = form.to_filter(**fixed)
        other_work = _tag_ids_named(request.user, form.names("other_tags"), problems)
        other_own = _tag_ids_named(request.user, form.names("other_bookmark_tags"), problems)
        searched = bookmark_filter.replace(
            include_tags=tuple(sorted({*bookmark_filter.include_tags, *other_work})),
            bookmark_tags=tuple(sorted({*bookmark_filter.bookmark_tags, *other_own})),
        )
        if len(other_own) < len(form.names("other_bookmark_tags")) or len(other_work) < len(form.names("other_tags")):
            searched = searched.replace(include_tags=(*searched.include_tags, 0))  # a tag nobody has: nothing matches
        result = bookmarks_search(
            bookmark_filter=searched, viewer=request.user, facet_limit=FACETS_MORE, fresh=wrote_recently(request)
        )
        bookmarks = bookmarks_in_order(request.user, result.bookmark_ids)
        query = request.GET.copy()
        pages = {}
        for name, page in (("previous_query", result.page - 1), ("next_query", result.page + 1)):
            if 1 <= page <= result.page_count and page != result.page:
                query["page"] = str(page)
                pages[name] = query.urlencode()
        return super().get_context_data(
            heading=heading,
            bookmarks=bookmarks,
            result=result,
            form=form,
            bookmark_filter=bookmark_filter,
            filter_errors=problems,
            facets=_facet_groups(result.facets, searched),
            first_shown=(result.page - 1) * result.page_size + 1,
            last_shown=(result.page - 1) * result.page_size + len(bookmarks),
            **pages,
            **kwargs,
        )


class UserBookmarksView(BookmarkListView):
    def base(self):
        user = get_object_or_404(get_user_model(), username__iexact=self.kwargs["username"], is_active=True)
        self.extra_context = {"owner": user}
        return f"Bookmarks by {user.username}", {"user_ids": (user.pk,)}


class WorkBookmarksView(BookmarkListView):
    def base(self):
        work = get_object_or_404(visible_works(self.request.user), pk=self.kwargs["work_id"])
        self.extra_context = {"work": work}
        return f"Bookmarks of {work.title}", {"work_id": work.pk}


class SeriesBookmarksView(BookmarkListView):
    def base(self):
        series = get_object_or_404(listed_series(self.request.user), pk=self.kwargs["series_id"])
        self.extra_context = {"series": series}
        return f"Bookmarks of {series.title}", {"series_id": series.pk}


class TagBookmarksView(BookmarkListView):
    def base(self):
        key = name_key(tag_name_from_url(self.kwargs["name"]))
        tag = visible_tags(self.request.user).filter(key=key).first()
        if tag is None:
            # A bookmarker's own tag may be on no work at all; it is known to whoever sees a bookmark with it.
            tag = Tag.objects.filter(key=key, pk__in=_bookmark_tags(self.request.user)).first()
        if tag is None:
            raise Http404("No such tag.")
        self.extra_context = {"tag": tag}
        return f"Bookmarks in {tag.name}", {"any_tags": (tag.merger_id or tag.pk,)}


def _tag_ids_named(viewer, names: list[str], problems: list[str]) -> list[int]:
    """The filter tags of tags typed by name (a synonym filters as its canonical tag), among the tags the viewer
    may know of: those on works they may open, and those on bookmarks they may see."""
    if not names:
        return []
    keys = {name_key(name): name for name in names}
    known = Q(pk__in=visible_tags(viewer).values("pk")) | Q(pk__in=_bookmark_tags(viewer))
    found = {
        key: merger or pk
        for key, pk, merger in Tag.objects.filter(known, key__in=keys).values_list("key", "pk", "merger_id")
    }
    missing = [name for key, name in keys.items() if key not in found]
    if missing:
        problems.append("No bookmarks are tagged " + ", ".join(f"“{name}”" for name in missing) + ".")
    return list(found.values())


def _bookmark_tags(viewer):
    return Bookmark.tags.through.objects.filter(bookmark__in=listed_bookmarks(viewer)).values("tag_id")


def _facet_groups(facets, bookmark_filter) -> list[dict]:
    """For each facet key: its top tags with counts, the rest behind "show more", and every selected tag with
    its count wherever it ranks."""
    selected = {
        key: {
            "included": set(getattr(bookmark_filter, field)),
            "excluded": set(
                bookmark_filter.exclude_bookmark_tags if key == BOOKMARKER_TAGS else bookmark_filter.exclude_tags
            ),
        }
        for key, (_param, field) in _FACET_PARAMS.items()
    }
    wanted = {key: list(counts[:FACETS_MORE]) for key, counts in facets.items()}
    for key, chosen in selected.items():
        listed = {tag_id for tag_id, _count in wanted.get(key, [])}
        for tag_id in sorted((chosen["included"] | chosen["excluded"]) - listed):
            counts = facets.get(key)
            wanted.setdefault(key, []).append((tag_id, counts.count_of(tag_id) if counts is not None else 0))
    names = tag_names({tag_id for rows in wanted.values() for tag_id, _count in rows})
    groups = []
    for key, label in _FACET_LABELS:
        param, _field = _FACET_PARAMS[key]
        included, excluded = selected[key]["included"], selected[key]["excluded"]
        rows = [
            FacetRow(tag_id, names[tag_id][0], count, tag_id in included, tag_id in excluded)
            for tag_id, count in wanted.get(key, [])
            # Work tags of every type share `tag`: a selected one shows under its own type only.
            if tag_id in names and (key == BOOKMARKER_TAGS or names[tag_id][1] == key)
        ]
        groups.append(
            {
                "type": key,
                "label": label,
                "param": param,
                "exclude_param": "exclude_bookmark_tag" if key == BOOKMARKER_TAGS else "exclude",
                "top": rows[:FACETS_SHOWN],
                "more": rows[FACETS_SHOWN:],
            }
        )
    return groups


# Making, editing and deleting ---------------------------------------------------------------------------


class _TargetBookmarkView(LoginRequiredMixin, View):
    """Bookmark a work or a series (`kind`), or edit one's bookmark of it: one per reader per target."""

    template_name = "bookmarks/bookmark_form.html"
    kind: str

    def target(self, request, pk: int):
        raise NotImplementedError

    def get(self, request, **kwargs):
        target = self.target(request, kwargs[f"{self.kind}_id"])
        existing = bookmark_of(user=request.user, **{self.kind: target})
        form = BookmarkForm(initial=_initial(existing, request.user), pseuds=pseuds_of(request.user))
        return self._render(form, target, existing)

    def post(self, request, **kwargs):
        target = self.target(request, kwargs[f"{self.kind}_id"])
        form = BookmarkForm(request.POST, pseuds=pseuds_of(request.user))
        if form.is_valid():
            try:
                services.bookmark_save(user=request.user, fields=form.bookmark_fields(), **{self.kind: target})
            except ValidationError as error:
                add_service_errors(form, error)
            except DatabaseError:
                form.add_error(None, NOT_SAVED)
            else:
                messages.success(request, "Your bookmark was saved.")
                return redirect(target)
        return self._render(form, target, bookmark_of(user=request.user, **{self.kind: target}), status=400)

    def _render(self, form, target, existing, status=200):
        context = {
            "form": form,
            self.kind: target,
            "bookmark": existing,
            "action": reverse(f"bookmarks:{self.kind}_new", args=[target.pk]),
        }
        return render(self.request, self.template_name, context, status=status)


class WorkBookmarkView(_TargetBookmarkView):
    kind = "work"

    def target(self, request, pk: int):
        return get_object_or_404(visible_works(request.user).filter(posted=True), pk=pk)


class SeriesBookmarkView(_TargetBookmarkView):
    kind = "series"

    def target(self, request, pk: int):
        return get_object_or_404(listed_series(request.user), pk=pk)


class ExternalBookmarkView(LoginRequiredMixin, View):
    """Bookmark a work hosted elsewhere."""

    template_name = "bookmarks/bookmark_form.html"

    def get(self, request):
        form = BookmarkForm(initial=_initial(None, request.user), pseuds=pseuds_of(request.user))
        return self._render(form, ExternalWorkForm())

    def post(self, request):
        form = BookmarkForm(request.POST, pseuds=pseuds_of(request.user))
        external = ExternalWorkForm(request.POST)
        if form.is_valid() and external.is_valid():
            try:
                bookmark = services.bookmark_save(
                    user=request.user, external=external.external_fields(), fields=form.bookmark_fields()
                )
            except ValidationError as error:
                _add_errors(form, external, error)
            except DatabaseError:
                form.add_error(None, NOT_SAVED)
            else:
                messages.success(request, "Your bookmark was saved.")
                return redirect(bookmark)
        return self._render(form, external, status=400)

    def _render(self, form, external, status=200):
        context = {"form": form, "external_form": external, "action": reverse("bookmarks:external_new")}
        return render(self.request, self.template_name, context, status=status)


class ExternalWorkEditView(LoginRequiredMixin, View):
    """Edit an external work; only the reader who added it may (anyone else gets a 404)."""

    template_name = "bookmarks/external_work_form.html"

    def _own(self, request, external_work_id):
        external = external_work_for_editor(user=request.user, external_work_id=external_work_id)
        if external is None:
            raise Http404("No such external work of yours.")
        return external

    def get(self, request, external_work_id):
        external = self._own(request, external_work_id)
        return self._render(ExternalWorkForm(initial=ExternalWorkForm.initial_for(external)), external)

    def post(self, request, external_work_id):
        external = self._own(request, external_work_id)
        form = ExternalWorkForm(request.POST)
        if form.is_valid():
            try:
                services.external_work_update(external_work=external, user=request.user, fields=form.external_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            except DatabaseError:
                form.add_error(None, "The external work could not be saved just now; please try again.")
            else:
                messages.success(request, "The external work was updated.")
                return redirect("bookmarks:user", username=request.user.username)
        return self._render(form, external, status=400)

    def _render(self, form, external, status=200):
        context = {"form": form, "external_work": external}
        return render(self.request, self.template_name, context, status=status)


def _add_errors(form, external, error: ValidationError) -> None:
    """A service's errors on whichever of the two forms has the field they are about."""
    if not hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return
    for field, errors in error.error_dict.items():
        target = external if field in external.fields else form
        add_service_errors(target, ValidationError({field: errors}))


def _initial(bookmark: Bookmark | None, user) -> dict:
    if bookmark is None:
        return {"pseud": user.default_pseud.pk}
    return {
        "pseud": bookmark.pseud_id,
        "notes": bookmark.notes,
        "tags": ", ".join(tag.name for tag in bookmark.tags.all()),
        "rec": bookmark.rec,
        "private": bookmark.private,
    }


class BookmarkDetailView(View):
    """One bookmark, as its listings show it."""

    def get(self, request, bookmark_id):
        found = bookmarks_in_order(request.user, [bookmark_id]) if parse_id(bookmark_id, Bookmark) else []
        if not found:
            raise Http404("No such bookmark.")
        return render(request, "bookmarks/bookmark_detail.html", {"bookmark": found[0]})


class BookmarkEditView(LoginRequiredMixin, View):
    template_name = "bookmarks/bookmark_form.html"

    def _own(self, request, bookmark_id) -> Bookmark:
        bookmark = bookmark_for_owner(user=request.user, bookmark_id=bookmark_id)
        if bookmark is None:
            raise Http404("No such bookmark of yours.")
        return bookmark

    def get(self, request, bookmark_id):
        bookmark = self._own(request, bookmark_id)
        form = BookmarkForm(initial=_initial(bookmark, request.user), pseuds=pseuds_of(request.user))
        return self._render(form, bookmark)

    def post(self, request, bookmark_id):
        bookmark = self._own(request, bookmark_id)
        form = BookmarkForm(request.POST, pseuds=pseuds_of(request.user))
        if form.is_valid():
            try:
                services.bookmark_update(bookmark=bookmark, user=request.user, fields=form.bookmark_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            except DatabaseError:
                form.add_error(None, NOT_SAVED)
            else:
                messages.success(request, "Your bookmark was updated.")
                return redirect(bookmark)
        return self._render(form, bookmark, status=400)

    def _render(self, form, bookmark, status=200):
        context = {
            "form": form,
            "bookmark": bookmark,
            "work": bookmark.work,
            "series": bookmark.series,
            "action": reverse("bookmarks:edit", args=[bookmark.pk]),
        }
        return render(self.request, self.template_name, context, status=status)


class BookmarkDeleteView(LoginRequiredMixin, View):
    """GET asks "are you sure?"; POST (from that page) or DELETE deletes."""

    def get(self, request, bookmark_id):
        bookmark = bookmark_for_owner(user=request.user, bookmark_id=bookmark_id)
        if bookmark is None:
            raise Http404("No such bookmark of yours.")
        return render(request, "bookmarks/confirm_delete.html", {"bookmark": bookmark})

    def post(self, request, bookmark_id):
        bookmark = bookmark_for_owner(user=request.user, bookmark_id=bookmark_id)
        if bookmark is None:
            raise Http404("No such bookmark of yours.")
        services.bookmark_delete(bookmark=bookmark, user=request.user)
        messages.success(request, "Your bookmark was deleted.")
        return redirect("bookmarks:user", username=request.user.username)

    def delete(self, request, bookmark_id):
        return self.post(request, bookmark_id)
