from django.urls import path

from fanfold.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.placeholder, name="signup"),
    path("login/", views.placeholder, name="login"),
    path("logout/", views.placeholder, name="logout"),
    path("preferences/", views.placeholder, name="preferences"),
    path("users/<str:username>/", views.placeholder, name="profile"),
    path("users/<str:username>/pseuds/<str:pseud>/", views.placeholder, name="pseud"),
]
