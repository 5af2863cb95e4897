from django.urls import path

from fanfold.discovery import views

app_name = "tags"
urlpatterns = [
    path("<str:name>/works/", views.TagWorksView.as_view(), name="works"),
]
