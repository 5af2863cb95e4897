"""What the site admin shares across apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows a maintainer may look at but not change here: their writes go through services with rules (consent,
    blocks, notifications) that a bare admin form would skip."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
