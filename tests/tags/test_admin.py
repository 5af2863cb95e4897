"""The tag admin shows the wrangling fields, and edits made there still reach listings."""

import pytest
from django.test import Client

from fanfold.discovery.models import WorkChange
from fanfold.tags.models import Tag


@pytest.fixture
def admin_client_(db, make_user):
    admin = make_user("boss")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_change_page_shows_wrangling_fields_and_saving_notes_the_works(admin_client_, make_work):
    work = make_work(freeforms=["Fluff"])
    fluff = Tag.objects.get(name="Fluff")
    page = admin_client_.get(f"/admin/tags/tag/{fluff.pk}/change/")
    assert page.status_code == 200
    for field in ("canonical", "merger", "parents", "unwrangleable", "sub tags"):
        assert field in page.content.decode().lower()

    WorkChange.objects.all().delete()
    response = admin_client_.post(
        f"/admin/tags/tag/{fluff.pk}/change/",
        {
            "name": "Fluff",
            "type": "freeform",
            "canonical": "on",
            "merger": "",
            "sub_taggings-TOTAL_FORMS": "0",
            "sub_taggings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=fluff.pk).canonical
    assert list(WorkChange.objects.values_list("work_id", flat=True)) == [work.pk]


def test_a_synonym_made_in_the_admin_files_bookmarks_under_the_canonical_tag_at_once(
    admin_client_, make_work, make_user
):
    from fanfold.bookmarks.query import BookmarkFilter
    from fanfold.bookmarks.selectors import bookmarks_search
    from fanfold.bookmarks.services import BookmarkFields, bookmark_save
    from fanfold.tags.wrangling import tag_make_canonical

    reader = make_user("shelver")
    bookmark_save(
        user=reader,
        work=make_work(title="Kept"),
        fields=BookmarkFields(tags=("floofy",)),
    )
    fluff = Tag.objects.create(name="Fluff", type="freeform")
    tag_make_canonical(tag=fluff)
    floofy = Tag.objects.get(name="floofy")
    viewer = make_user("viewer")

    def under_fluff() -> int:
        return bookmarks_search(bookmark_filter=BookmarkFilter(bookmark_tags=(fluff.pk,)), viewer=viewer).total

    assert under_fluff() == 0
    response = admin_client_.post(
        f"/admin/tags/tag/{floofy.pk}/change/",
        {
            "name": "floofy",
            "type": "freeform",
            "merger": str(fluff.pk),
            "sub_taggings-TOTAL_FORMS": "0",
            "sub_taggings-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert under_fluff() == 1
