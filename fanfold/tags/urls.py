from django.urls import path

from fanfold.discovery import views
from fanfold.tags import views as tag_views

app_name = "tags"
urlpatterns = [
    path("<str:name>/works/", views.TagWorksView.as_view(), name="works"),
    path("autocomplete/", tag_views.autocomplete, name="autocomplete"),
    path("wrangle/", tag_views.WrangleIndexView.as_view(), name="wrangle"),
    path("wrangle/<int:fandom_id>/", tag_views.WrangleFandomView.as_view(), name="wrangle_fandom"),
    path("wrangle/tag/<int:tag_id>/", tag_views.TagWrangleView.as_view(), name="wrangle_tag"),
    path("wrangle/tag/<int:tag_id>/accept/", tag_views.WrangleAcceptView.as_view(), name="wrangle_accept"),
    path("wrangle/tag/<int:tag_id>/canonical/", tag_views.WrangleCanonicalView.as_view(), name="wrangle_canonical"),
]
