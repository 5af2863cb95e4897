from django.contrib import admin

from fanfold.discovery.models import WorkChange


@admin.register(WorkChange)
class WorkChangeAdmin(admin.ModelAdmin):
    list_display = ["id", "work_id", "created_at"]
    search_fields = ["work_id"]
    date_hierarchy = "created_at"
