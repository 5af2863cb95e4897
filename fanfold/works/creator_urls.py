from django.urls import path

from fanfold.works import creator_views as views

app_name = "creators"
urlpatterns = [
    path("works/<int:work_id>/creators/", views.WorkCreatorsView.as_view(), name="work_creators"),
    path("works/<int:work_id>/creators/cancel/", views.InvitationCancelView.as_view(), name="invitation_cancel"),
    path("works/<int:work_id>/creators/leave/", views.CreatorLeaveView.as_view(), name="leave"),
    path("works/<int:work_id>/orphan/", views.WorkOrphanView.as_view(), name="orphan_work"),
    path("works/<int:work_id>/gift/refuse/", views.GiftRefuseView.as_view(), name="gift_refuse"),
    path("users/<str:username>/co-creator-requests/", views.InvitationsView.as_view(), name="invitations"),
    path("users/<str:username>/gifts/", views.GiftsView.as_view(), name="gifts"),
    path("users/<str:username>/orphan/", views.OrphanAllView.as_view(), name="orphan_all"),
    path("users/<str:username>/related-works/", views.RelatedRequestsView.as_view(), name="related_requests"),
]
