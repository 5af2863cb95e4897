from django.urls import path

from fanfold.works import views

app_name = "works"
urlpatterns = [
    path("", views.WorkListView.as_view(), name="list"),
    path("new/", views.placeholder, name="new"),
    path("drafts/", views.placeholder, name="drafts"),
    path("<int:work_id>/", views.placeholder, name="detail"),
    path("<int:work_id>/chapters/<int:chapter_id>/", views.placeholder, name="chapter"),
]
