from django.urls import path

from fanfold.discovery.views import WorkListView
from fanfold.works import views

app_name = "works"
urlpatterns = [
    path("", WorkListView.as_view(), name="list"),
    path("new/", views.WorkCreateView.as_view(), name="new"),
    path("drafts/", views.DraftsView.as_view(), name="drafts"),
    path("<int:work_id>/", views.WorkReadView.as_view(), name="detail"),
    path("<int:work_id>/edit/", views.WorkEditView.as_view(), name="edit"),
    path("<int:work_id>/post/", views.WorkPostView.as_view(), name="post"),
    path("<int:work_id>/delete/", views.WorkDeleteView.as_view(), name="delete"),
    path("<int:work_id>/chapters/new/", views.ChapterFormView.as_view(), name="chapter_new"),
    path("<int:work_id>/chapters/order/", views.ChapterReorderView.as_view(), name="chapter_reorder"),
    path("<int:work_id>/chapters/<int:chapter_id>/", views.WorkReadView.as_view(), name="chapter"),
    path("<int:work_id>/chapters/<int:chapter_id>/edit/", views.ChapterFormView.as_view(), name="chapter_edit"),
    path("<int:work_id>/chapters/<int:chapter_id>/post/", views.ChapterPostView.as_view(), name="chapter_post"),
    path("<int:work_id>/chapters/<int:chapter_id>/delete/", views.ChapterDeleteView.as_view(), name="chapter_delete"),
]
