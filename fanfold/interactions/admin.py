from django.contrib import admin

from fanfold.interactions.models import Comment, Hit, Kudos


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ["work", "user", "ip_address", "created_at"]
    list_select_related = ["work", "user"]
    raw_id_fields = ["work", "user"]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author_name", "status", "is_deleted", "created_at"]
    list_filter = ["status", "is_deleted"]
    list_select_related = ["pseud__user"]
    search_fields = ["content"]
    raw_id_fields = ["work", "chapter", "parent", "pseud", "user"]
    date_hierarchy = "created_at"


@admin.register(Hit)
class HitAdmin(admin.ModelAdmin):
    list_display = ["work", "visitor", "day"]
    list_select_related = ["work"]
    raw_id_fields = ["work"]
    date_hierarchy = "day"
