"""The series admin edits and deletes through the series services: text is sanitized, works stay."""

import pytest
from django.test import Client

from fanfold.series.models import Series
from fanfold.works.models import Work


@pytest.fixture
def admin_client_(db, make_user):
    admin = make_user("boss")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_admin_edits_are_sanitized_and_deleting_keeps_the_works(admin_client_, writer, make_work, make_series):
    work = make_work(writer)
    series = make_series(writer, [work])
    url = f"/admin/series/series/{series.pk}/change/"
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.get("/admin/series/series/add/").status_code == 403
    response = admin_client_.post(
        url,
        {
            "title": "Fixed Title",
            "summary": '<p onclick="x()">Kept</p><script>alert(1)</script>',
            "notes": "",
            "series_works-TOTAL_FORMS": "1",
            "series_works-INITIAL_FORMS": "1",
            "series_works-0-id": str(series.series_works.get().pk),
            "series_works-0-series": str(series.pk),
        },
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.title == "Fixed Title"
    assert series.summary == "<p>Kept</p>"

    response = admin_client_.post(f"/admin/series/series/{series.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Series.objects.exists()
    assert Work.objects.filter(pk=work.pk).exists()
