"""Admin pages so a maintainer can fix a series by hand; edits and deletions go through the series services."""

from django.contrib import admin

from fanfold.series.models import Series, SeriesWork
from fanfold.series.services import SeriesFields, series_delete, series_update


class SeriesWorkInline(admin.TabularInline):
    model = SeriesWork
    fields = ["position", "work"]
    readonly_fields = ["position", "work"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "complete", "updated_at"]
    list_filter = ["complete"]
    search_fields = ["title", "creators__name", "creators__user__username"]
    fields = ["title", "summary", "notes", "complete"]
    inlines = [SeriesWorkInline]

    def has_add_permission(self, request):
        return False  # a series begins from a work's posting or edit form

    def save_model(self, request, obj, form, change):
        fields = SeriesFields(
            title=obj.title, summary=obj.summary, notes=obj.notes, complete=obj.complete
        )  # sanitized again on the way in
        series_update(series=obj, fields=fields)

    def delete_model(self, request, obj):
        series_delete(series=obj)

    def delete_queryset(self, request, queryset):
        for series in queryset:
            series_delete(series=series)
