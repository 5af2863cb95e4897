"""A tag's page: the works tagged with it."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from fanfold.tags.models import Tag, name_key, tag_name_from_url
from fanfold.works.selectors import listed_works
from fanfold.works.views import paginate


class TagWorksView(TemplateView):
    template_name = "works/work_list.html"

    def get_context_data(self, name: str, **kwargs):
        tag = get_object_or_404(Tag, key=name_key(tag_name_from_url(name)))
        works = listed_works(self.request.user).filter(tags=tag).order_by("-revised_at", "-id")
        return super().get_context_data(
            tag=tag, page=paginate(self.request, works), heading=f"Works in {tag.name}", **kwargs
        )
