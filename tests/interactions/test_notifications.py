"""Emails about comments: to the work's creators, to the author replied to, never about your own words."""

import pytest
from django.conf import settings
from django.urls import reverse

from fanfold.interactions.models import Comment
from fanfold.interactions.services import comment_approve, comment_create

pytestmark = pytest.mark.django_db


def post(work, *, user=None, parent=None, text="<p>Words.</p>", **guest) -> Comment:
    return comment_create(
        work=work, user=user, parent=parent, content=text, text_format="html", ip_address="192.0.2.1", **guest
    )


def test_the_creator_hears_of_a_new_comment(make_work, writer, reader, mailoutbox, django_capture_on_commit_callbacks):
    work = make_work(writer, title="Starlight")
    with django_capture_on_commit_callbacks(execute=True):
        post(work, user=reader, text="<p>Wonderful <em>ending</em>.</p>")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [writer.email]
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Starlight" in mail.subject
    assert "reader" in mail.body and "Wonderful ending." in mail.body


def test_the_parent_author_hears_of_a_reply(
    make_work, make_user, writer, reader, mailoutbox, django_capture_on_commit_callbacks
):
    work = make_work(writer)
    top = post(work, user=reader)
    other = make_user("other")
    with django_capture_on_commit_callbacks(execute=True):
        post(work, user=other, parent=top)
    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted([reader.email, writer.email])
    reply_mail = next(mail for mail in mailoutbox if mail.to == [reader.email])
    assert "Reply" in reply_mail.subject


def test_nobody_hears_of_their_own_comment(make_work, writer, reader, mailoutbox, django_capture_on_commit_callbacks):
    work = make_work(writer)
    with django_capture_on_commit_callbacks(execute=True):
        top = post(work, user=writer)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        reply = post(work, user=reader, parent=top)
    assert [mail.to for mail in mailoutbox] == [[writer.email]]  # one email, not two
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(work, user=reader, parent=reply)  # replying to yourself
    assert [mail.to for mail in mailoutbox] == [[writer.email]]


def test_a_guest_hears_of_a_reply_at_their_email(make_work, writer, mailoutbox, django_capture_on_commit_callbacks):
    work = make_work(writer, comment_permission="everyone")
    top = post(work, guest_name="Wanderer", guest_email="wanderer@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        post(work, user=writer, parent=top)
    assert [mail.to for mail in mailoutbox] == [["wanderer@example.net"]]


def test_a_guests_email_is_not_given_to_the_creator(make_work, writer, mailoutbox, django_capture_on_commit_callbacks):
    work = make_work(writer, comment_permission="everyone")
    with django_capture_on_commit_callbacks(execute=True):
        post(work, guest_name="Wanderer", guest_email="wanderer@example.net")
    assert len(mailoutbox) == 1
    assert "wanderer@example.net" not in mailoutbox[0].body and "Wanderer" in mailoutbox[0].body


def test_moderated_comments_are_announced_when_approved(
    make_work, writer, reader, mailoutbox, django_capture_on_commit_callbacks
):
    work = make_work(writer, moderate_comments=True)
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(work, user=reader)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment, user=writer)
    assert [mail.to for mail in mailoutbox] == [[writer.email]]


def test_nothing_is_sent_when_the_comment_is_refused(
    make_work, writer, client, mailoutbox, django_capture_on_commit_callbacks
):
    work = make_work(writer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interactions:comment_create", kwargs={"work_id": work.pk}), {"content": "Hi"})
    assert mailoutbox == []


def test_the_email_links_to_the_comment_on_the_public_site(
    settings, make_work, writer, reader, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://archive.example.org/"
    work = make_work(writer)
    with django_capture_on_commit_callbacks(execute=True):
        comment = post(work, user=reader)
    assert f"https://archive.example.org{comment.get_absolute_url()}" in mailoutbox[0].body
