"""Every URL of the archive: each app owns its own urls module."""

from django.contrib import admin
from django.urls import include, path

from fanfold.discovery.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("", include("fanfold.discovery.urls")),
    path("", include("fanfold.accounts.urls")),
    path("", include("fanfold.bookmarks.urls")),
    path("works/", include("fanfold.works.urls")),
    path("tags/", include("fanfold.tags.urls")),
    path("", include("fanfold.interactions.urls")),
    path("", include("fanfold.works.creator_urls")),
    path("", include("fanfold.series.urls")),
    path("", include("fanfold.readings.urls")),
]

handler400 = "fanfold.core.views.bad_request"
handler403 = "fanfold.core.views.permission_denied"
handler404 = "fanfold.core.views.page_not_found"
handler500 = "fanfold.core.views.server_error"
