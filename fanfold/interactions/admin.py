"""Admin pages for kudos, comments and hits. A maintainer's edits and deletions here are followed by a
recount of the works they touch, so every counter stays what the rows say."""

from django.contrib import admin

from fanfold.interactions.models import Comment, Hit, Kudos
from fanfold.interactions.services import work_counts_recount


class RecountsWorks(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        work_counts_recount(work_ids=[obj.work_id])

    def delete_model(self, request, obj):
        work_id = obj.work_id
        super().delete_model(request, obj)
        work_counts_recount(work_ids=[work_id])

    def delete_queryset(self, request, queryset):
        work_ids = set(queryset.values_list("work_id", flat=True))
        super().delete_queryset(request, queryset)
        work_counts_recount(work_ids=work_ids)


@admin.register(Kudos)
class KudosAdmin(RecountsWorks):
    list_display = ["work", "user", "ip_address", "created_at"]
    list_select_related = ["work", "user"]
    raw_id_fields = ["work", "user"]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(RecountsWorks):
    list_display = ["__str__", "author_name", "status", "is_deleted", "created_at"]
    list_filter = ["status", "is_deleted"]
    list_select_related = ["pseud__user"]
    search_fields = ["content"]
    raw_id_fields = ["work", "chapter", "parent", "pseud", "user"]
    date_hierarchy = "created_at"


@admin.register(Hit)
class HitAdmin(RecountsWorks):
    list_display = ["work", "visitor", "day"]
    list_select_related = ["work"]
    raw_id_fields = ["work"]
    date_hierarchy = "day"
