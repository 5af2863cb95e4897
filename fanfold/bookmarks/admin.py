"""Bookmarks in the site admin: read, and deleted through the services."""

from django.contrib import admin

from fanfold.bookmarks.models import Bookmark, ExternalWork
from fanfold.bookmarks.services import bookmark_delete


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "work", "series", "external_work", "private", "rec", "created_at")
    list_filter = ("private", "rec")
    search_fields = ("title", "user__username")
    raw_id_fields = ("user", "pseud", "work", "series", "external_work")
    readonly_fields = ("user", "pseud", "work", "series", "external_work", "title", "notes", "tags", "private", "rec")

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        bookmark_delete(bookmark=obj, user=obj.user)

    def delete_queryset(self, request, queryset):
        for bookmark in queryset.select_related("user"):
            bookmark_delete(bookmark=bookmark, user=bookmark.user)


@admin.register(ExternalWork)
class ExternalWorkAdmin(admin.ModelAdmin):
    list_display = ("title", "creator", "url", "created_at")
    search_fields = ("title", "creator", "url")
    readonly_fields = ("url_key",)
