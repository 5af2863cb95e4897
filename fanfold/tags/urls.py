from django.urls import path

from fanfold.tags import views

app_name = "tags"
urlpatterns = [
    path("<str:name>/works/", views.TagWorksView.as_view(), name="works"),
]
