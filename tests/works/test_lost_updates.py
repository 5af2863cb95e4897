"""Edits made from a copy read earlier never undo what others did meanwhile: kudos, comments, hits, order."""

import pytest

from fanfold.interactions.models import Comment
from fanfold.interactions.services import comment_create, kudos_give
from fanfold.works.models import Chapter, Work
from fanfold.works.services import (
    ChapterFields,
    WorkFields,
    chapter_add,
    chapter_delete,
    chapter_update,
    chapters_reorder,
    work_update,
)

pytestmark = pytest.mark.django_db


def fields(title: str) -> WorkFields:
    return WorkFields(
        title=title, rating="General Audiences", warnings=["No Archive Warnings Apply"], fandoms=["Original Work"]
    )


@pytest.fixture
def work_with_feedback(make_work, make_user, writer):
    """A work, as its edit page read it, and then two kudos and a comment left by readers."""
    work = make_work(writer)
    read_by_the_edit_page = Work.objects.get(pk=work.pk)
    fans = [make_user(), make_user()]
    for fan in fans:
        kudos_give(work=Work.objects.get(pk=work.pk), user=fan)
    comment_create(work=Work.objects.get(pk=work.pk), user=fans[0], content="<p>Yes!</p>", ip_address="192.0.2.1")
    return read_by_the_edit_page


def test_an_edit_keeps_the_kudos_and_comments_given_since_the_page_was_read(work_with_feedback, writer_client):
    work_update(work=work_with_feedback, fields=fields("Renamed"), chapter=ChapterFields(content="New text here."))
    page = writer_client.get(work_with_feedback.get_absolute_url()).content.decode()
    assert "Renamed" in page
    assert '<dd class="kudos">2</dd>' in page and '<dd class="comments">1</dd>' in page
    assert '<dd class="words">3</dd>' in page


def test_a_plain_save_of_an_old_copy_writes_no_counter_back(work_with_feedback):
    work_with_feedback.hidden = True  # as the admin's change form would
    work_with_feedback.save()
    work = Work.objects.get(pk=work_with_feedback.pk)
    assert work.hidden
    assert (work.kudos_count, work.comment_count, work.chapter_count) == (2, 1, 1)


def test_a_counter_is_saved_when_the_save_names_it(work_with_feedback):
    work_with_feedback.kudos_count = 5
    work_with_feedback.save(update_fields=["kudos_count"])
    assert Work.objects.get(pk=work_with_feedback.pk).kudos_count == 5


def test_editing_a_chapter_read_before_a_reorder_keeps_the_new_order(make_work, writer):
    work = make_work(writer)
    chapter_add(work=work, fields=ChapterFields(content="Second."), post=True)
    first, second = work.chapters.order_by("position")
    chapters_reorder(work=work, chapter_ids=[second.pk, first.pk])
    chapter_update(chapter=first, fields=ChapterFields(content="First, now last, edited."))
    assert list(work.chapters.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_deleting_a_chapter_takes_its_comments_out_of_the_count(make_work, writer, reader):
    work = make_work(writer)
    chapter = chapter_add(work=work, fields=ChapterFields(content="Second."), post=True)
    comment_create(work=work, user=reader, content="<p>On the work.</p>", ip_address="192.0.2.1")
    on_chapter = comment_create(work=work, chapter=chapter, user=reader, content="<p>Here.</p>", ip_address="192.0.2.1")
    comment_create(work=work, parent=on_chapter, user=writer, content="<p>Thanks!</p>", ip_address="192.0.2.2")
    assert Work.objects.get(pk=work.pk).comment_count == 3
    chapter_delete(chapter=Chapter.objects.get(pk=chapter.pk))
    assert Comment.objects.filter(work=work).count() == 1
    assert Work.objects.get(pk=work.pk).comment_count == 1
