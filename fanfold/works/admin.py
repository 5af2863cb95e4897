"""Admin pages so a maintainer can fix works and chapters by hand.

Saves and deletions here end in the same services as everywhere else: the work's totals, listings and search
text follow what the maintainer changed (the database's change log notes the row itself; see
`discovery.changelog`)."""

from django.contrib import admin, messages

from fanfold.core.admin import ReadOnlyAdmin
from fanfold.works.models import Chapter, CreatorInvitation, Creatorship, Gift, RelatedWork, Work
from fanfold.works.services import work_delete, work_recount, work_set_hidden


class CreatorshipInline(admin.TabularInline):
    model = Creatorship
    raw_id_fields = ["pseud"]
    extra = 0


class ChapterInline(admin.StackedInline):
    model = Chapter
    extra = 0
    fields = ["position", "title", "posted", "published_on", "word_count"]
    readonly_fields = ["word_count"]
    show_change_link = True


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ["title", "posted", "restricted", "hidden", "word_count", "kudos_count", "revised_at"]
    list_filter = ["posted", "restricted", "hidden", "complete", "language"]
    search_fields = ["title", "creators__name", "creators__user__username"]
    raw_id_fields = ["tags"]
    readonly_fields = ["word_count", "chapter_count", "kudos_count", "comment_count", "hit_count", "bookmark_count"]
    inlines = [CreatorshipInline, ChapterInline]
    date_hierarchy = "created_at"
    actions = ["hide_works", "unhide_works"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        work_recount(work=form.instance)

    def delete_model(self, request, obj):
        work_delete(work=obj)

    def delete_queryset(self, request, queryset):
        for work in queryset:
            work_delete(work=work)

    @admin.action(description="Hide selected works (only their creators see them)")
    def hide_works(self, request, queryset):
        for work in queryset:
            work_set_hidden(work=work, hidden=True)
        messages.success(request, f"Hid {queryset.count()} works.")

    @admin.action(description="Unhide selected works")
    def unhide_works(self, request, queryset):
        for work in queryset:
            work_set_hidden(work=work, hidden=False)
        messages.success(request, f"Unhid {queryset.count()} works.")


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "posted", "word_count", "updated_at"]
    list_filter = ["posted"]
    search_fields = ["title", "work__title"]
    raw_id_fields = ["work"]
    readonly_fields = ["word_count"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        work_recount(work=obj.work)

    def delete_model(self, request, obj):
        work = obj.work
        super().delete_model(request, obj)
        work_recount(work=work)

    def delete_queryset(self, request, queryset):
        works = {chapter.work for chapter in queryset.select_related("work")}
        super().delete_queryset(request, queryset)
        for work in works:
            work_recount(work=work)


@admin.register(Gift)
class GiftAdmin(ReadOnlyAdmin):
    list_display = ["work", "recipient", "refused", "created_at"]
    list_filter = ["refused"]
    search_fields = ["work__title", "recipient_name", "pseud__name", "pseud__user__username"]
    list_select_related = ["work", "pseud__user"]


@admin.register(RelatedWork)
class RelatedWorkAdmin(ReadOnlyAdmin):
    list_display = ["child", "parent", "url", "translation", "status", "created_at"]
    list_filter = ["status", "translation"]
    search_fields = ["child__title", "parent__title", "url", "title"]
    list_select_related = ["child", "parent"]


@admin.register(CreatorInvitation)
class CreatorInvitationAdmin(ReadOnlyAdmin):
    list_display = ["work", "pseud", "invited_by", "created_at"]
    search_fields = ["work__title", "pseud__name", "pseud__user__username"]
    list_select_related = ["work", "pseud__user", "invited_by__user"]
