from django.urls import path

from fanfold.series import views

app_name = "series"
urlpatterns = [
    path("series/<int:series_id>/", views.SeriesDetailView.as_view(), name="detail"),
    path("series/<int:series_id>/edit/", views.SeriesEditView.as_view(), name="edit"),
    path("series/<int:series_id>/order/", views.SeriesOrderView.as_view(), name="order"),
    path("series/<int:series_id>/delete/", views.SeriesDeleteView.as_view(), name="delete"),
    path(
        "series/<int:series_id>/works/<int:work_id>/remove/", views.SeriesRemoveWorkView.as_view(), name="remove_work"
    ),
    path("users/<str:username>/series/", views.UserSeriesView.as_view(), name="user_series"),
]
