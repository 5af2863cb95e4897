"""Admin pages so a maintainer can fix works and chapters by hand."""

from django.contrib import admin

from fanfold.works.models import Chapter, Creatorship, Work


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


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "posted", "word_count", "updated_at"]
    list_filter = ["posted"]
    search_fields = ["title", "work__title"]
    raw_id_fields = ["work"]
    readonly_fields = ["word_count"]
