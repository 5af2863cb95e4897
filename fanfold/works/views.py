"""Pages for reading, posting and editing works and chapters."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from fanfold.accounts.models import ProfileLink
from fanfold.bookmarks.views import bookmark_context
from fanfold.interactions.selectors import (
    visit_of,
    work_comment_flag,
    work_feedback_context,
    work_kudos_flags,
    work_visit_flag,
)
from fanfold.interactions.services import hit_record
from fanfold.readings.services import reading_record
from fanfold.series.forms import WorkSeriesForm
from fanfold.series.selectors import work_in_series_flag, work_series_places
from fanfold.series.work_form import work_form_series_context, work_series_join_from_form
from fanfold.works import services
from fanfold.works.association_forms import AssociationsForm
from fanfold.works.associations import work_associations_set
from fanfold.works.forms import ChapterForm, WorkForm, add_service_errors
from fanfold.works.models import Chapter, Work
from fanfold.works.people import work_people_context, work_people_flags
from fanfold.works.selectors import (
    restricted_work_exists,
    visible_chapter_list,
    visible_works,
    work_drafts,
    work_people_attach,
    work_people_rows,
)

logger = logging.getLogger(__name__)

WORKS_PER_PAGE = 20
# A reader who chose to see adult works is not asked again until their browser closes. A cookie rather than
# the session: a guest then needs no session at all, so reading costs no session query.
ADULT_COOKIE = "fanfold_view_adult"


def paginate(request, queryset, per_page: int = WORKS_PER_PAGE):
    """One page of `queryset` for ?page=N; an out-of-range or junk page number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class DraftsView(LoginRequiredMixin, TemplateView):
    template_name = "works/drafts.html"

    def get_context_data(self, **kwargs):
        drafts = work_drafts(self.request.user).order_by("-updated_at", "-id")
        return super().get_context_data(page=paginate(self.request, drafts), **kwargs)


# Reading -------------------------------------------------------------------------------------------


def _work_for_reading(request, work_id: int, visit: tuple | None = None) -> Work:
    """The work `work_id` as the viewer may open it, with its tags, creators and flags, in one query; with
    `visit`, also whether that visit is stored already (`work_visit_flag`)."""
    # Only the columns the page shows: making model objects is most of a work page's cost. Creators' profile
    # links are read only for creators who show some (`_creator_link_users`).
    queryset = visible_works(request.user).annotate(
        **work_people_rows(),
        **work_people_flags(),
        **work_in_series_flag(),
        **work_comment_flag(),
        **work_kudos_flags(request),
        **(work_visit_flag(visit) if visit else {}),
    )
    return work_people_attach(get_object_or_404(queryset, pk=work_id))


def _needs_adult_gate(request, work: Work) -> bool:
    if not work.is_adult or work.is_created_by(request.user):
        return False
    if request.GET.get("view_adult") == "true" or request.COOKIES.get(ADULT_COOKIE) == "1":
        return False
    preference = getattr(request.user, "preference", None) if request.user.is_authenticated else None
    return not (preference and preference.view_adult)


def _preference(request):
    if request.user.is_authenticated:
        return getattr(request.user, "preference", None)
    return None


class WorkReadView(View):
    """A work: the first chapter (or the whole work), or one chapter, behind the adult gate."""

    def get(self, request, work_id: int, chapter_id: int | None = None):
        visit = visit_of(request)
        try:
            work = _work_for_reading(request, work_id, visit)
        except Http404:
            if not request.user.is_authenticated and restricted_work_exists(work_id):
                return render(request, "works/restricted.html", {"work_id": work_id}, status=403)
            raise
        if _needs_adult_gate(request, work):
            path = request.get_full_path()
            proceed = path + ("&" if "?" in path else "?") + "view_adult=true"
            return render(request, "works/adult_gate.html", {"work": work, "proceed": proceed})

        chapters = visible_chapter_list(work=work, viewer=request.user)
        if not chapters:
            raise Http404("This work has no chapters you can read.")
        preference = _preference(request)
        if chapter_id is not None:
            current = next((c for c in chapters if c.pk == chapter_id), None)
            if current is None:
                raise Http404("No such chapter.")
            entire = False
        else:
            view_full = request.GET.get("view_full_work")
            if view_full is None:
                view_full = "true" if preference and preference.view_full_works else "false"
            entire = view_full == "true" or len(chapters) == 1
            current = None if entire else chapters[0]
        shown = chapters if current is None else [current]

        hit_record(work=work, request=request, visit=visit)
        marked_for_later = reading_record(work=work, user=request.user, preference=preference)
        index = chapters.index(current) if current else 0
        context = {
            "work": work,
            "chapters": chapters,
            "shown_chapters": shown,
            "current": current,
            "entire": entire,
            "previous_chapter": chapters[index - 1] if current and index > 0 else None,
            "next_chapter": chapters[index + 1] if current and index + 1 < len(chapters) else None,
            "is_creator": work.is_created_by(request.user),
            "preference": preference,
            "creator_link_users": _creator_link_users(work),
            "marked_for_later": marked_for_later,
            "series_places": work_series_places(work=work, viewer=request.user),
        }
        context.update(work_feedback_context(request=request, work=work, chapter=current, chapters=chapters))
        context.update(work_people_context(work=work, viewer=request.user))
        context.update(bookmark_context(request=request, work=work))
        response = render(request, "works/work_detail.html", context)
        if work.is_adult and request.GET.get("view_adult") == "true" and request.COOKIES.get(ADULT_COOKIE) != "1":
            response.set_cookie(ADULT_COOKIE, "1", secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response


def _creator_link_users(work: Work) -> list:
    """The work's creators who show their profile links on their works and have some, with the links (one
    query, none when nobody has any)."""
    users = []
    for pseud in work.creators.all():
        if pseud.user.show_links_on_works and pseud.has_links and pseud.user not in users:
            users.append(pseud.user)
    prefetch_related_objects(users, Prefetch("profile_links", queryset=ProfileLink.objects.order_by("position", "id")))
    return users


# Writing -------------------------------------------------------------------------------------------


NOT_SAVED = (
    "Sorry, the archive could not save this just now. Nothing you typed is lost: it is all below. "
    "Please try again in a moment."
)


def _not_saved(form) -> None:
    """A database failure the writer could not have prevented: their form comes back filled, with why."""
    logger.exception("Saving a work or chapter failed")
    form.add_error(None, NOT_SAVED)


def _own_work(request, work_id: int) -> Work:
    """A work the signed-in user is a creator of; others get a 404, as if it were not there."""
    work = _work_for_reading(request, work_id)
    if not work.is_created_by(request.user):
        raise Http404("Only a work's creators can change it.")
    return work


def _own_chapter(request, work: Work, chapter_id: int) -> Chapter:
    return get_object_or_404(work.chapters, pk=chapter_id)


class WorkCreateView(LoginRequiredMixin, View):
    template_name = "works/work_form.html"

    def get(self, request):
        self.series_form = WorkSeriesForm(user=request.user)
        return self._render(WorkForm(user=request.user), AssociationsForm(user=request.user))

    def post(self, request):
        form = WorkForm(request.POST, user=request.user)
        associations = AssociationsForm(request.POST, user=request.user)
        self.series_form = WorkSeriesForm(request.POST, user=request.user)
        post = "post" in request.POST
        if all([form.is_valid(), associations.is_valid(), self.series_form.is_valid()]):
            try:
                with transaction.atomic():  # the work and its co-creators, gifts and links, or none of them
                    work = services.work_create(
                        pseuds=list(form.cleaned_data["pseuds"]),
                        fields=form.work_fields(),
                        chapter=form.chapter_fields(),
                        post=post,
                    )
                    work_associations_set(
                        work=work,
                        by=request.user,
                        associations=associations.associations(),
                        request_host=request.get_host(),
                    )
            except ValidationError as error:
                if rest := associations.take_errors(error):
                    add_service_errors(form, rest)
            except DatabaseError:
                _not_saved(form)
            else:
                # A draft's preview says what it is in its own banner: one banner, not two.
                work_series_join_from_form(request, self.series_form, work)
                if post:
                    messages.success(request, "Work was successfully posted.")
                return redirect(work)
        return self._render(form, associations, status=400)

    def _render(self, form, associations, status=200):
        context = {"form": form, "associations": associations, "heading": "Post new work", "new": True}
        context.update(work_form_series_context(self.series_form))
        return render(self.request, self.template_name, context, status=status)


class WorkEditView(LoginRequiredMixin, View):
    """Edit a work's details; for a one-shot, its text too."""

    template_name = "works/work_form.html"

    def _setup(self, request, work_id):
        work = _own_work(request, work_id)
        chapters = list(work.chapters.all())
        first = chapters[0] if len(chapters) == 1 else None
        return work, first

    def get(self, request, work_id: int):
        work, first = self._setup(request, work_id)
        form = WorkForm(user=request.user, include_text=first is not None, initial=WorkForm.initial_for(work, first))
        self.series_form = WorkSeriesForm(user=request.user)
        return self._render(form, AssociationsForm(user=request.user, work=work), work)

    def post(self, request, work_id: int):
        work, first = self._setup(request, work_id)
        form = WorkForm(request.POST, user=request.user, include_text=first is not None)
        associations = AssociationsForm(request.POST, user=request.user, work=work)
        self.series_form = WorkSeriesForm(request.POST, user=request.user)
        if all([form.is_valid(), associations.is_valid(), self.series_form.is_valid()]):
            try:
                with transaction.atomic():  # the edit and its co-creators, gifts and links, or none of them
                    services.work_update(
                        work=work,
                        pseuds=list(form.cleaned_data["pseuds"]),
                        fields=form.work_fields(),
                        chapter=form.chapter_fields() if first is not None else None,
                    )
                    work_associations_set(
                        work=work,
                        by=request.user,
                        associations=associations.associations(),
                        request_host=request.get_host(),
                    )
                    if "post" in request.POST and not work.posted:
                        services.work_post(work=work)
            except ValidationError as error:
                if rest := associations.take_errors(error):
                    add_service_errors(form, rest)
            except DatabaseError:
                _not_saved(form)
            else:
                work_series_join_from_form(request, self.series_form, work)
                if work.posted:
                    messages.success(request, "Work was successfully updated.")
                return redirect(work)
        return self._render(form, associations, work, status=400)

    def _render(self, form, associations, work, status=200):
        context = {
            "form": form,
            "associations": associations,
            "work": work,
            "heading": f"Edit “{work.title}”",
            "new": False,
        }
        context.update(work_form_series_context(self.series_form, work, viewer=self.request.user))
        return render(self.request, self.template_name, context, status=status)


class WorkPostView(LoginRequiredMixin, View):
    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        services.work_post(work=work)
        messages.success(request, "Work was successfully posted.")
        return redirect(work)


class ConfirmDeleteView(LoginRequiredMixin, View):
    template_name = "works/confirm_delete.html"

    def get(self, request, **kwargs):
        return render(request, self.template_name, self.describe(request, **kwargs))

    def post(self, request, **kwargs):
        return self.delete(request, **kwargs)


class WorkDeleteView(ConfirmDeleteView):
    def describe(self, request, work_id):
        work = _own_work(request, work_id)
        return {"work": work, "what": f"the work “{work.title}”", "cancel": work.get_absolute_url()}

    def delete(self, request, work_id):
        work = _own_work(request, work_id)
        title = work.title
        services.work_delete(work=work)
        messages.success(request, f"“{title}” was deleted.")
        return redirect("home")


class ChapterDeleteView(ConfirmDeleteView):
    def describe(self, request, work_id, chapter_id):
        work = _own_work(request, work_id)
        chapter = _own_chapter(request, work, chapter_id)
        return {"work": work, "what": f"{chapter.display_title} of “{work.title}”", "cancel": work.get_absolute_url()}

    def delete(self, request, work_id, chapter_id):
        work = _own_work(request, work_id)
        chapter = _own_chapter(request, work, chapter_id)
        try:
            services.chapter_delete(chapter=chapter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The chapter was deleted.")
        return redirect(work)


class ChapterFormView(LoginRequiredMixin, View):
    """Add a chapter (no chapter_id) or edit one."""

    template_name = "works/chapter_form.html"

    def get(self, request, work_id: int, chapter_id: int | None = None):
        work = _own_work(request, work_id)
        chapter = _own_chapter(request, work, chapter_id) if chapter_id else None
        initial = ChapterForm.initial_for(chapter) if chapter else {}
        return self._render(ChapterForm(initial=initial), work, chapter)

    def post(self, request, work_id: int, chapter_id: int | None = None):
        work = _own_work(request, work_id)
        chapter = _own_chapter(request, work, chapter_id) if chapter_id else None
        form = ChapterForm(request.POST)
        if form.is_valid():
            try:
                if chapter is None:
                    chapter = services.chapter_add(work=work, fields=form.chapter_fields(), post="post" in request.POST)
                else:
                    services.chapter_update(chapter=chapter, fields=form.chapter_fields())
                    if "post" in request.POST and not chapter.posted:
                        services.chapter_post(chapter=chapter)
            except ValidationError as error:
                add_service_errors(form, error)
            except DatabaseError:
                _not_saved(form)
            else:
                if chapter.posted:
                    messages.success(request, "Chapter was successfully posted.")
                elif work.posted:  # a draft work's banner says it already
                    messages.success(request, "Chapter saved as a draft.")
                return redirect(chapter)
        return self._render(form, work, chapter, status=400)

    def _render(self, form, work, chapter, status=200):
        context = {"form": form, "work": work, "chapter": chapter}
        return render(self.request, self.template_name, context, status=status)


class ChapterPostView(LoginRequiredMixin, View):
    def post(self, request, work_id: int, chapter_id: int):
        work = _own_work(request, work_id)
        chapter = _own_chapter(request, work, chapter_id)
        try:
            services.chapter_post(chapter=chapter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Chapter was successfully posted.")
        return redirect(chapter)


class ChapterReorderView(LoginRequiredMixin, View):
    template_name = "works/chapter_reorder.html"

    def get(self, request, work_id: int):
        work = _own_work(request, work_id)
        return self._render(work, list(work.chapters.all()), {})

    def _render(self, work, chapters, submitted, errors=(), status=200):
        rows = [(chapter, submitted.get(f"position_{chapter.pk}", chapter.position)) for chapter in chapters]
        context = {"work": work, "rows": rows, "count": len(chapters), "errors": errors}
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, work_id: int):
        work = _own_work(request, work_id)
        chapters = list(work.chapters.all())
        positions = {}
        errors = []
        for chapter in chapters:
            raw = request.POST.get(f"position_{chapter.pk}", "")
            try:
                positions[chapter.pk] = int(raw)
            except ValueError:
                errors.append(f"Please give {chapter.display_title} a number.")
        if not errors and sorted(positions.values()) != list(range(1, len(chapters) + 1)):
            errors.append(f"Please number the chapters 1 to {len(chapters)}, each number once.")
        if errors:
            return self._render(work, chapters, request.POST, errors, status=400)
        services.chapters_reorder(work=work, chapter_ids=sorted(positions, key=positions.get))
        messages.success(request, "Chapters were reordered.")
        return HttpResponseRedirect(reverse("works:detail", kwargs={"work_id": work.pk}) + "?view_full_work=true")
