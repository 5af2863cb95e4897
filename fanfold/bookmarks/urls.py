from django.urls import path

from fanfold.bookmarks import views

app_name = "bookmarks"
urlpatterns = [
    path("bookmarks/", views.BookmarkListView.as_view(), name="list"),
    path("bookmarks/<int:bookmark_id>/", views.BookmarkDetailView.as_view(), name="detail"),
    path("bookmarks/<int:bookmark_id>/edit/", views.BookmarkEditView.as_view(), name="edit"),
    path("bookmarks/<int:bookmark_id>/delete/", views.BookmarkDeleteView.as_view(), name="delete"),
    path("external_works/new/", views.ExternalBookmarkView.as_view(), name="external_new"),
    path("external_works/<int:external_work_id>/edit/", views.ExternalWorkEditView.as_view(), name="external_edit"),
    path("users/<str:username>/bookmarks/", views.UserBookmarksView.as_view(), name="user"),
    path("works/<int:work_id>/bookmarks/", views.WorkBookmarksView.as_view(), name="work"),
    path("works/<int:work_id>/bookmarks/new/", views.WorkBookmarkView.as_view(), name="work_new"),
    path("series/<int:series_id>/bookmarks/", views.SeriesBookmarksView.as_view(), name="series"),
    path("series/<int:series_id>/bookmarks/new/", views.SeriesBookmarkView.as_view(), name="series_new"),
    path("tags/<str:name>/bookmarks/", views.TagBookmarksView.as_view(), name="tag"),
]
