"""Titles, names and labels stay on one line, so their emails are sent and their pages read right."""

import pytest

from fanfold.accounts.models import ProfileLink, Pseud
from fanfold.core.forms import SingleLineCharField
from fanfold.core.text import single_line
from fanfold.interactions.models import Comment
from fanfold.interactions.services import comment_create
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Two\r\nLines", "Two Lines"),
        ("Two\n\n\nLines", "Two Lines"),
        ("Old\rMac", "Old Mac"),
        ("Unicode\u2028line\u2029breaks\x85too", "Unicode line breaks too"),
        ("  Trailing\n", "Trailing"),
        ("One line", "One line"),
    ],
)
def test_line_breaks_become_one_space(typed, kept):
    assert SingleLineCharField().clean(typed) == kept
    assert single_line(typed).strip() == kept


def test_a_work_title_and_chapter_title_typed_over_two_lines_are_saved_on_one(writer, writer_client):
    response = writer_client.post(
        "/works/new/",
        {
            "title": "Lanterns\r\nin the Rain",
            "chapter_title": "The\nBeginning",
            "rating": "General Audiences",
            "warnings": "No Archive Warnings Apply",
            "fandoms": "Original Work",
            "pseuds": str(writer.default_pseud.pk),
            "content": "<p>Words.</p>",
            "text_format": "html",
            "language": "en",
            "comment_permission": "everyone",
            "post": "1",
        },
    )
    assert response.status_code == 302
    work = Work.objects.get()
    assert work.title == "Lanterns in the Rain"
    assert work.chapters.get().title == "The Beginning"


def test_a_pseud_name_and_link_label_are_saved_on_one_line(writer, writer_client):
    response = writer_client.post("/pseuds/new/", {"name": "Ink\r\nwell", "description": "", "text_format": "html"})
    assert response.status_code == 302
    assert Pseud.objects.filter(user=writer, name="Ink well").exists()
    response = writer_client.post(
        f"/users/{writer.username}/edit/",
        {
            "bio": "",
            "text_format": "html",
            "links-TOTAL_FORMS": "1",
            "links-INITIAL_FORMS": "0",
            "links-0-label": "my\ntumblr",
            "links-0-url": "https://example.org/\r\n",
            "links-0-ORDER": "1",
        },
    )
    assert response.status_code == 302
    link = ProfileLink.objects.get(user=writer)
    assert link.label == "my tumblr"
    assert "\n" not in link.url


def test_a_guest_name_is_saved_on_one_line(make_work, writer, client):
    work = make_work(writer, comment_permission="everyone")
    response = client.post(
        f"/works/{work.pk}/comments/",
        {"guest_name": "Passing\r\nStranger", "guest_email": "stranger@example.net", "content": "Lovely."},
    )
    assert response.status_code == 302
    assert Comment.objects.get().guest_name == "Passing Stranger"


def test_a_title_with_a_line_break_still_gets_its_email(
    make_work, writer, reader, mailoutbox, django_capture_on_commit_callbacks
):
    # Saved before titles kept to one line, or through a path without the form.
    work = make_work(writer)
    Work.objects.filter(pk=work.pk).update(title="Lanterns\r\nin the Rain")
    work.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(work=work, user=reader, content="<p>Lovely.</p>", text_format="html", ip_address="192.0.2.1")
    assert len(mailoutbox) == 1
    assert "Lanterns in the Rain" in mailoutbox[0].subject
