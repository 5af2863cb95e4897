"""A post or edit the database fails to save comes back filled in, with a message: nothing typed is lost."""

import pytest
from django.db import IntegrityError, OperationalError
from django.urls import reverse

from fanfold.works import services
from fanfold.works.models import Work
from fanfold.works.views import NOT_SAVED

pytestmark = pytest.mark.django_db

TYPED = "Three hours of writing that must not vanish"


def form_data(writer, **overrides) -> dict:
    return {
        "pseuds": [writer.default_pseud.pk],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Original Work",
        "freeforms": "A Tag Nobody Has Used Yet",
        "title": "The Unsaved Work",
        "language": "en",
        "expected_chapters": "1",
        "comment_permission": "registered",
        "content": TYPED,
        "text_format": "markdown",
        "post": "1",
    } | overrides


def failing(error):
    def fail(**kwargs):
        raise error

    return fail


@pytest.mark.parametrize("error", [IntegrityError("duplicate key"), OperationalError("database is locked")])
def test_a_new_work_the_database_fails_to_save_comes_back_filled(monkeypatch, writer, writer_client, error):
    monkeypatch.setattr(services, "work_create", failing(error))
    answer = writer_client.post(reverse("works:new"), form_data(writer))
    page = answer.content.decode()
    assert answer.status_code == 400
    assert NOT_SAVED.split(":")[0] in page
    assert TYPED in page and 'value="The Unsaved Work"' in page and "A Tag Nobody Has Used Yet" in page
    assert not Work.objects.exists()


def test_an_edit_the_database_fails_to_save_comes_back_filled(monkeypatch, make_work, writer, writer_client):
    work = make_work(writer)
    monkeypatch.setattr(services, "work_update", failing(OperationalError("database is locked")))
    answer = writer_client.post(reverse("works:edit", kwargs={"work_id": work.pk}), form_data(writer))
    assert answer.status_code == 400
    assert TYPED in answer.content.decode()


def test_a_chapter_the_database_fails_to_save_comes_back_filled(monkeypatch, make_work, writer, writer_client):
    work = make_work(writer)
    monkeypatch.setattr(services, "chapter_add", failing(OperationalError("database is locked")))
    answer = writer_client.post(
        reverse("works:chapter_new", kwargs={"work_id": work.pk}), {"content": TYPED, "text_format": "markdown"}
    )
    assert answer.status_code == 400
    assert TYPED in answer.content.decode() and NOT_SAVED.split(":")[0] in answer.content.decode()
    assert work.chapters.count() == 1
