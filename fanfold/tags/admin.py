from django.contrib import admin

from fanfold.bookmarks.services import bookmarks_refile
from fanfold.discovery.services import record_work_changes, search_text_refresh
from fanfold.tags.models import MetaTagging, Tag
from fanfold.tags.wrangling import work_ids_under


class SubTagInline(admin.TabularInline):
    model = MetaTagging
    fk_name = "meta"
    raw_id_fields = ["sub"]
    extra = 0
    verbose_name = "sub tag"
    verbose_name_plural = "sub tags"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "canonical", "merger", "unwrangleable", "created_at"]
    list_filter = ["type", "canonical", "unwrangleable"]
    search_fields = ["name"]
    fields = ["name", "type", "canonical", "merger", "unwrangleable", "parents"]
    raw_id_fields = ["merger"]
    filter_horizontal = ["parents"]
    inlines = [SubTagInline]

    # Edits here skip the wrangling services' checks, but listings must still follow them: the works under
    # the tag before and after the edit are re-read by the discovery index, and the bookmarks filed under it
    # (by their own tags or an external work's) by the bookmark index.
    def save_model(self, request, obj, form, change):
        request.tag_works_before = work_ids_under([obj.pk]) if obj.pk else set()
        request.tag_subs_before = set(obj.sub_taggings.values_list("sub_id", flat=True)) if obj.pk else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tag = form.instance
        affected = request.tag_works_before | work_ids_under([tag.pk])
        if affected:
            record_work_changes(affected)
            search_text_refresh(work_ids=affected, fields=["tag"])
        subs = request.tag_subs_before | set(tag.sub_taggings.values_list("sub_id", flat=True))
        bookmarks_refile(tag_ids=[tag.pk, *subs])
