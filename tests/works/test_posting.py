"""Posting, editing and deleting works and chapters through the pages a writer uses."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.works.models import Chapter, Work

pytestmark = pytest.mark.django_db

SECTIONS = "i.\n\nThe first part.\n\nii.\n\nThe second part.\n\n* * *\n\nAfter the break."


def work_form_data(**overrides):
    data = {
        "rating": "Explicit",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Sherlock Holmes - Arthur Conan Doyle",
        "categories": ["M/M"],
        "relationships": "Sherlock Holmes/John Watson",
        "characters": "Sherlock Holmes, John Watson",
        "freeforms": "Fluff, Case Fic",
        "title": "The Adventure of the Empty Teacup",
        "summary": "A mystery, of sorts.",
        "notes": "Beginning notes.",
        "end_notes": "Thank you for reading!",
        "language": "en",
        "expected_chapters": "1",
        "published_on": "",
        "comment_permission": "registered",
        "chapter_title": "",
        "content": SECTIONS,
        "text_format": "markdown",
        "post": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def form_data(writer):
    return work_form_data(pseuds=[writer.default_pseud.pk])


def test_writer_posts_a_one_shot_with_sections(writer_client, writer, form_data):
    response = writer_client.post(reverse("works:new"), form_data)
    work = Work.objects.get()
    assert response.status_code == 302
    assert response.url == work.get_absolute_url()
    assert work.posted and work.complete and work.chapters_display == "1/1"
    assert work.published_on == datetime.date.today()
    assert {t.name for t in work.relationships} == {"Sherlock Holmes/John Watson"}
    assert {t.name for t in work.freeforms} == {"Fluff", "Case Fic"}
    chapter = work.chapters.get()
    assert "<p>ii.</p>" in chapter.content and '<p role="separator" align="center">* * *</p>' in chapter.content
    page = writer_client.get(work.get_absolute_url()).content.decode()
    assert "The Adventure of the Empty Teacup" in page
    assert "After the break." in page and "Thank you for reading!" in page
    assert list(work.creators.all()) == [writer.default_pseud]


def test_word_count_counts_the_text(writer_client, form_data):
    writer_client.post(reverse("works:new"), form_data | {"content": "one two three four five"})
    assert Work.objects.get().word_count == 5


def test_draft_is_saved_previewed_then_posted(writer_client, form_data):
    form_data.pop("post")
    response = writer_client.post(reverse("works:new"), form_data | {"preview": "1"})
    work = Work.objects.get()
    assert not work.posted and work.published_on is None
    preview = writer_client.get(response.url).content.decode()
    assert "This is a draft" in preview and "After the break." in preview
    assert work.title in writer_client.get(reverse("works:drafts")).content.decode()
    writer_client.post(reverse("works:post", kwargs={"work_id": work.pk}))
    work.refresh_from_db()
    assert work.posted and work.chapters.get().posted and work.chapter_count == 1


@pytest.mark.parametrize(
    ("change", "field_message"),
    [
        ({"title": "x" * 256}, "Title must be at most 255 characters"),
        ({"fandoms": ""}, "Please add at least one fandom."),
        ({"fandoms": " , "}, "Please add at least one fandom."),
        ({"rating": ""}, "Please choose a rating."),
        ({"warnings": []}, "Please choose at least one archive warning."),
        ({"summary": "s" * 1251}, "Summary must be at most 1,250 characters"),
        ({"notes": "n" * 5001}, "Notes must be at most 5,000 characters"),
        ({"content": ""}, "This field is required."),
        ({"freeforms": "good, bad*tag"}, "contains characters tags cannot use"),
        ({"freeforms": ", ".join(f"tag {n}" for n in range(80))}, "at most 75"),
        ({"expected_chapters": "0"}, "greater than or equal to 1"),
        ({"published_on": "2999-01-01"}, "cannot be in the future"),
        ({"freeforms": "Explicit"}, "is a rating"),
    ],
)
def test_bad_input_is_explained_and_what_was_typed_is_kept(writer_client, form_data, change, field_message):
    response = writer_client.post(reverse("works:new"), form_data | change)
    page = response.content.decode()
    assert response.status_code == 400
    assert field_message in page
    assert "everything you typed is still here" in page
    # The text the writer typed comes back in the form.
    if "content" not in change:
        assert "After the break." in page
    if "title" not in change:
        assert "The Adventure of the Empty Teacup" in page
    assert not Work.objects.exists()


def test_chapter_text_limit(writer_client, form_data):
    response = writer_client.post(reverse("works:new"), form_data | {"content": "a" * 510_001})
    assert response.status_code == 400
    assert "Chapter text must be at most 510,000 characters" in response.content.decode()


def test_cannot_post_as_someone_elses_pseud(writer_client, form_data, reader):
    response = writer_client.post(reverse("works:new"), form_data | {"pseuds": [reader.default_pseud.pk]})
    assert response.status_code == 400
    assert not Work.objects.exists()


def test_backdated_publication(writer_client, form_data):
    writer_client.post(reverse("works:new"), form_data | {"published_on": "2020-02-29"})
    work = Work.objects.get()
    assert work.published_on == datetime.date(2020, 2, 29)
    assert "2020-02-29" in writer_client.get(work.get_absolute_url()).content.decode()


def test_posting_needs_login(client):
    response = client.get(reverse("works:new"))
    assert response.status_code == 302 and "/login/" in response.url


def test_posting_form_requires_csrf(writer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    response = client.post(reverse("works:new"), work_form_data(pseuds=[writer.default_pseud.pk]))
    assert response.status_code == 403
    assert not Work.objects.exists()


def test_edit_work_keeps_text_and_updates_tags(writer_client, make_work, writer):
    work = make_work(writer, title="Old title", fandoms=["Old Fandom"])
    edit_url = reverse("works:edit", kwargs={"work_id": work.pk})
    page = writer_client.get(edit_url).content.decode()
    assert "Old title" in page and "Old Fandom" in page
    data = work_form_data(pseuds=[writer.default_pseud.pk], title="New title", fandoms="New Fandom")
    data.pop("post")
    response = writer_client.post(edit_url, data | {"update": "1"})
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "New title"
    assert [t.name for t in work.fandoms] == ["New Fandom"]


def test_others_cannot_edit_or_delete(reader_client, make_work, writer):
    work = make_work(writer)
    for name in ("works:edit", "works:delete", "works:chapter_new", "works:chapter_reorder"):
        assert reader_client.get(reverse(name, kwargs={"work_id": work.pk})).status_code == 404
    assert reader_client.post(reverse("works:delete", kwargs={"work_id": work.pk})).status_code == 404
    assert Work.objects.filter(pk=work.pk).exists()


def test_multi_chapter_work(writer_client, make_work, writer):
    work = make_work(writer, expected_chapters=None, content="Chapter one text.")
    assert work.chapters_display == "1/?" and not work.complete
    new_url = reverse("works:chapter_new", kwargs={"work_id": work.pk})
    data = {"chapter_title": "The Middle", "content": "Chapter two text.", "text_format": "html", "post": "1"}
    writer_client.post(new_url, data)
    draft_data = {"chapter_title": "Unfinished", "content": "Not yet.", "text_format": "html", "draft": "1"}
    writer_client.post(new_url, draft_data)
    work.refresh_from_db()
    assert work.chapters_display == "2/?"
    draft = work.chapters.get(title="Unfinished")
    assert not draft.posted
    # A reader sees two chapters and not the draft.
    reader = Client()
    entire = reader.get(work.get_absolute_url() + "?view_full_work=true").content.decode()
    assert "Chapter two text." in entire and "Unfinished" not in entire
    assert reader.get(draft.get_absolute_url()).status_code == 404
    # Chapter by chapter: the first page shows chapter 1 only, with a link to the next.
    first = reader.get(work.get_absolute_url()).content.decode()
    assert "Chapter one text." in first and "Chapter two text." not in first and "Next Chapter" in first
    writer_client.post(reverse("works:chapter_post", kwargs={"work_id": work.pk, "chapter_id": draft.pk}))
    work.refresh_from_db()
    assert work.chapter_count == 3


def test_reorder_and_delete_chapters(writer_client, make_work, writer):
    work = make_work(writer, content="First.")
    for text in ("Second.", "Third."):
        writer_client.post(
            reverse("works:chapter_new", kwargs={"work_id": work.pk}),
            {"content": text, "text_format": "html", "post": "1"},
        )
    first, second, third = work.chapters.order_by("position")
    url = reverse("works:chapter_reorder", kwargs={"work_id": work.pk})
    bad = writer_client.post(
        url, {f"position_{first.pk}": "1", f"position_{second.pk}": "1", f"position_{third.pk}": "x"}
    )
    assert bad.status_code == 400 and "a number" in bad.content.decode()
    writer_client.post(url, {f"position_{first.pk}": "3", f"position_{second.pk}": "1", f"position_{third.pk}": "2"})
    assert [c.content for c in work.chapters.order_by("position")] == [
        "<p>Second.</p>",
        "<p>Third.</p>",
        "<p>First.</p>",
    ]
    delete_url = reverse("works:chapter_delete", kwargs={"work_id": work.pk, "chapter_id": third.pk})
    assert "Are you sure" in writer_client.get(delete_url).content.decode()
    writer_client.post(delete_url)
    assert [c.position for c in work.chapters.all()] == [1, 2]
    work.refresh_from_db()
    assert work.chapter_count == 2


def test_last_chapter_cannot_be_deleted(writer_client, make_work, writer):
    work = make_work(writer)
    chapter = work.chapters.get()
    response = writer_client.post(
        reverse("works:chapter_delete", kwargs={"work_id": work.pk, "chapter_id": chapter.pk}), follow=True
    )
    assert "delete the whole work instead" in response.content.decode()
    assert Chapter.objects.filter(pk=chapter.pk).exists()


def test_delete_work_with_confirmation(writer_client, make_work, writer):
    work = make_work(writer, title="Doomed")
    url = reverse("works:delete", kwargs={"work_id": work.pk})
    assert "Are you sure you want to delete the work “Doomed”" in writer_client.get(url).content.decode()
    response = writer_client.post(url, follow=True)
    assert "“Doomed” was deleted." in response.content.decode()
    assert not Work.objects.filter(pk=work.pk).exists()


def test_backdated_work_is_not_shown_as_updated_today(make_work):
    work = make_work(published_on=datetime.date(2021, 6, 1))
    assert work.revised_at.date() == datetime.date(2021, 6, 1)


def test_fixed_tags_survive_a_flushed_database(transactional_db, make_work):
    # Transactional tests empty the database between tests; the ratings must come back every time.
    work = make_work(rating="Mature")
    assert work.rating.name == "Mature"
