"""Tag pages: autocomplete for tag fields, and the wrangling pages for tag wranglers."""

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from fanfold.tags import selectors
from fanfold.tags.forms import TagWrangleForm
from fanfold.tags.models import Tag, TagType, name_key, normalize_name
from fanfold.tags.wrangling import (
    tag_add_parent,
    tag_add_sub_tag,
    tag_make_canonical,
    tag_make_synonym,
    tag_rename,
    tag_set_unwrangleable,
)

# Each row asks for a suggestion, which reads the canonical tags of its type: keep a page of them small.
TAGS_PER_PAGE = 50


@require_GET
def autocomplete(request):
    tag_type = request.GET.get("type") or None
    if tag_type is not None and tag_type not in TagType.values:
        known = ", ".join(TagType.values)
        return JsonResponse({"error": f"“{tag_type}” is not a tag type. Use one of: {known}."}, status=400)
    tags = selectors.tags_autocomplete(term=request.GET.get("term", ""), type=tag_type, viewer=request.user)
    results = [{"id": tag.id, "name": tag.name, "type": tag.type, "canonical": tag.canonical} for tag in tags]
    return JsonResponse({"results": results})


class WranglerRequiredMixin(UserPassesTestMixin):
    """Tag wranglers and staff only; a guest is sent to log in, anyone else gets a 403 page."""

    def test_func(self):
        return selectors.user_can_wrangle(self.request.user)


def _redirect_back(request, tag: Tag):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("tags:wrangle_tag", tag_id=tag.id)


class WrangleIndexView(WranglerRequiredMixin, TemplateView):
    template_name = "tags/wrangle_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(fandoms=selectors.fandoms_to_wrangle(), **kwargs)


class WrangleFandomView(WranglerRequiredMixin, TemplateView):
    template_name = "tags/wrangle_fandom.html"

    def get_context_data(self, **kwargs):
        fandom = get_object_or_404(Tag, id=self.kwargs["fandom_id"], type=TagType.FANDOM)
        page = Paginator(selectors.fandom_unwrangled_tags(fandom=fandom), TAGS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            fandom=fandom, page=page, rows=selectors.tags_with_suggestions(list(page.object_list)), **kwargs
        )


class WrangleAcceptView(WranglerRequiredMixin, View):
    """One click: make a tag a synonym of the canonical tag suggested for it."""

    def post(self, request, tag_id: int):
        tag = get_object_or_404(Tag, id=tag_id)
        canonical = Tag.objects.filter(id=_int(request.POST.get("canonical_id"))).first()
        if canonical is None:
            messages.error(request, "That canonical tag no longer exists; choose another on the tag's page.")
            return _redirect_back(request, tag)
        try:
            tag_make_synonym(tag=tag, canonical=canonical)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"“{tag.name}” is now a synonym of “{canonical.name}”.")
        return _redirect_back(request, tag)


class WrangleCanonicalView(WranglerRequiredMixin, View):
    def post(self, request, tag_id: int):
        tag = get_object_or_404(Tag, id=tag_id)
        try:
            tag_make_canonical(tag=tag)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"“{tag.name}” is now canonical.")
        return _redirect_back(request, tag)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Refused(Exception):
    """A wrangling service refused the change asked for in one form field."""

    def __init__(self, field: str, error: ValidationError):
        super().__init__(field)
        self.field = field
        self.error = error


def _named_tag(field: str, name: str) -> Tag:
    tag = selectors.tag_by_name(name)
    if tag is None:
        raise _Refused(field, ValidationError(f"There is no tag called “{normalize_name(name)}”."))
    return tag


def _step(field: str, action) -> None:
    try:
        action()
    except ValidationError as error:
        raise _Refused(field, error) from error


@transaction.atomic
def _wrangle(tag: Tag, data: dict) -> None:
    """Make every change the form asks for, or none of them."""
    rename = normalize_name(data["rename"])
    if rename and rename != tag.name:
        _step("rename", lambda: tag_rename(tag=tag, name=rename))
    current_merger = tag.merger.name if tag.merger_id else ""
    new_merger = data["synonym_of"]
    if name_key(new_merger) and name_key(new_merger) != name_key(current_merger):
        canonical = _named_tag("synonym_of", new_merger)
        _step("synonym_of", lambda: tag_make_synonym(tag=tag, canonical=canonical))
    elif data["canonical"] and not tag.canonical:
        _step("canonical", lambda: tag_make_canonical(tag=tag))
    if data["unwrangleable"] != tag.unwrangleable:
        _step("unwrangleable", lambda: tag_set_unwrangleable(tag=tag, unwrangleable=data["unwrangleable"]))
    if name_key(data["add_meta_tag"]):
        meta = _named_tag("add_meta_tag", data["add_meta_tag"])
        _step("add_meta_tag", lambda: tag_add_sub_tag(meta=meta, sub=tag))
    if name_key(data["add_parent_fandom"]):
        fandom = _named_tag("add_parent_fandom", data["add_parent_fandom"])
        _step("add_parent_fandom", lambda: tag_add_parent(tag=tag, fandom=fandom))


class TagWrangleView(WranglerRequiredMixin, View):
    template_name = "tags/wrangle_tag.html"

    def get(self, request, tag_id: int):
        tag = get_object_or_404(Tag.objects.select_related("merger"), id=tag_id)
        return self._render(tag, TagWrangleForm(initial=TagWrangleForm.initial_for(tag)))

    def post(self, request, tag_id: int):
        tag = get_object_or_404(Tag.objects.select_related("merger"), id=tag_id)
        form = TagWrangleForm(request.POST)
        if form.is_valid():
            try:
                _wrangle(tag, form.cleaned_data)
            except _Refused as refused:
                for message in refused.error.messages:
                    form.add_error(refused.field, message)
            else:
                messages.success(request, f"“{tag.name}” was saved.")
                return redirect("tags:wrangle_tag", tag_id=tag.id)
            # The services changed `tag` in memory before the transaction was rolled back.
            tag.refresh_from_db()
        return self._render(tag, form, status=400)

    def _render(self, tag: Tag, form: TagWrangleForm, status: int = 200):
        context = {
            "tag": tag,
            "form": form,
            "suggestion": selectors.tags_with_suggestions([tag])[0]["suggestion"],
        }
        return render(self.request, self.template_name, context, status=status)
