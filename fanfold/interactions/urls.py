from django.urls import path

from fanfold.interactions import views

app_name = "interactions"
urlpatterns = [
    path("works/<int:work_id>/kudos/", views.kudos_create, name="kudos"),
    path("works/<int:work_id>/comments/", views.comment_create, name="comment_create"),
    path("works/<int:work_id>/comments/unreviewed/", views.comments_unreviewed, name="comments_unreviewed"),
    path("comments/<int:comment_id>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/approve/", views.comment_approve, name="comment_approve"),
]
