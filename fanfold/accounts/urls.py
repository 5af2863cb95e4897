from django.urls import path

from fanfold.accounts import block_views, views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/sent/", views.SignupDoneView.as_view(), name="signup_done"),
    path("activate/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("preferences/muted/", views.MutedUsersView.as_view(), name="muted_users"),
    path("preferences/excluded-tags/", views.ExcludedTagsView.as_view(), name="excluded_tags"),
    path("preferences/blocked/", block_views.BlockedUsersView.as_view(), name="blocked_users"),
    path(
        "preferences/excluded-tags/<int:tag_id>/remove/",
        views.TagExclusionRemoveView.as_view(),
        name="excluded_tag_remove",
    ),
    path("pseuds/new/", views.PseudCreateView.as_view(), name="pseud_new"),
    path("users/<str:username>/", views.ProfileView.as_view(), name="profile"),
    path("users/<str:username>/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("users/<str:username>/mute/", views.MuteView.as_view(), name="mute"),
    path("users/<str:username>/unmute/", views.UnmuteView.as_view(), name="unmute"),
    path("users/<str:username>/block/", block_views.BlockView.as_view(), name="block"),
    path("users/<str:username>/unblock/", block_views.UnblockView.as_view(), name="unblock"),
    path("users/<str:username>/pseuds/", views.PseudListView.as_view(), name="pseuds"),
    path("users/<str:username>/pseuds/<str:pseud>/", views.PseudView.as_view(), name="pseud"),
    path("users/<str:username>/pseuds/<str:pseud>/edit/", views.PseudEditView.as_view(), name="pseud_edit"),
    path(
        "users/<str:username>/pseuds/<str:pseud>/default/",
        views.PseudMakeDefaultView.as_view(),
        name="pseud_make_default",
    ),
    path(
        "users/<str:username>/pseuds/<str:pseud>/delete/",
        views.PseudDeleteView.as_view(),
        name="pseud_delete",
    ),
]
