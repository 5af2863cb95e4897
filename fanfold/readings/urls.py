from django.urls import path

from fanfold.readings import views

app_name = "readings"
urlpatterns = [
    path("works/<int:work_id>/mark-for-later/", views.MarkForLaterView.as_view(), name="mark_for_later"),
    path("works/<int:work_id>/mark-as-read/", views.MarkAsReadView.as_view(), name="mark_as_read"),
    path("users/<str:username>/history/", views.HistoryView.as_view(), name="history"),
    path("users/<str:username>/history/clear/", views.HistoryClearView.as_view(), name="history_clear"),
    path(
        "users/<str:username>/history/<int:work_id>/delete/", views.HistoryDeleteView.as_view(), name="history_delete"
    ),
    path("users/<str:username>/marked-for-later/", views.MarkedForLaterView.as_view(), name="marked_for_later"),
]
