from django.urls import path

from fanfold.discovery import views

app_name = "discovery"
urlpatterns = [
    path("users/<str:username>/works/", views.CreatorWorksView.as_view(), name="creator_works"),
]
