"""Comments: who may comment, threads, editing, deleting, moderation and the rate limit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fanfold.accounts.models import Pseud
from fanfold.interactions.models import Comment, CommentStatus
from fanfold.interactions.services import comment_approve, comment_create, comment_delete, comment_update
from fanfold.works.services import ChapterFields, chapter_add
from tests.conftest import client_for
from tests.interactions.conftest import feedback_html

pytestmark = pytest.mark.django_db


def create_url(work) -> str:
    return reverse("interactions:comment_create", kwargs={"work_id": work.pk})


def say(work, user, text="<p>Lovely.</p>", **kwargs) -> Comment:
    return comment_create(work=work, user=user, content=text, text_format="html", ip_address="192.0.2.1", **kwargs)


def count_of(work) -> int:
    work.refresh_from_db()
    return work.comment_count


# Creating


def test_a_reader_comments_and_lands_on_the_comment(make_work, writer, reader_client):
    work = make_work(writer)
    answer = reader_client.post(create_url(work), {"content": "I loved the ending."})
    comment = Comment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == comment.get_absolute_url()
    assert answer["Location"].endswith(f"#comment_{comment.pk}")
    assert comment.pseud.name == "reader" and comment.content == "<p>I loved the ending.</p>"
    assert count_of(work) == 1


def test_a_guest_comments_with_a_name_and_email(open_work, client):
    answer = client.post(
        create_url(open_work), {"content": "Hello!", "guest_name": "Passerby", "guest_email": "pass@example.net"}
    )
    assert answer.status_code == 302
    comment = Comment.objects.get()
    assert (comment.user, comment.guest_name, comment.guest_email) == (None, "Passerby", "pass@example.net")
    assert count_of(open_work) == 1


def test_a_guest_without_email_is_refused_and_keeps_the_text(open_work, client):
    answer = client.post(create_url(open_work), {"content": "My long careful comment", "guest_name": "Passerby"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Please enter an email address" in page
    assert "My long careful comment" in page and 'value="Passerby"' in page
    assert Comment.objects.count() == 0


def test_an_invalid_guest_email_is_refused_and_kept(open_work, client):
    answer = client.post(
        create_url(open_work), {"content": "Words", "guest_name": "P", "guest_email": "not-an-address"}
    )
    assert answer.status_code == 400
    assert "Please enter a valid email address." in answer.content.decode()
    assert 'value="not-an-address"' in answer.content.decode()


def test_an_empty_comment_is_refused(make_work, writer, reader_client):
    work = make_work(writer)
    answer = reader_client.post(create_url(work), {"content": "   "})
    assert answer.status_code == 400 and "Please write a comment." in answer.content.decode()


def test_a_comment_over_the_limit_is_refused_and_kept(make_work, writer, reader_client):
    work = make_work(writer)
    text = "word " * 2001
    answer = reader_client.post(create_url(work), {"content": text})
    assert answer.status_code == 400
    assert "at most 10,000 characters" in answer.content.decode()
    assert text.strip() in answer.content.decode()
    assert Comment.objects.count() == 0


def test_guests_must_sign_in_on_works_for_registered_users(make_work, writer, client):
    work = make_work(writer)  # "registered" is the default
    answer = client.post(create_url(work), {"content": "Hi", "guest_name": "P", "guest_email": "p@example.net"})
    assert answer.status_code == 400
    assert "Sign in to comment" in answer.content.decode()
    assert "Hi</textarea>" in answer.content.decode()
    assert Comment.objects.count() == 0
    assert "Sign in to comment" in feedback_html(work)
    assert 'name="content"' not in feedback_html(work)


def test_nobody_may_comment_when_comments_are_off(make_work, writer, reader, reader_client):
    work = make_work(writer, comment_permission="nobody")
    with pytest.raises(ValidationError, match="Comments are off for this work"):
        say(work, reader)
    answer = reader_client.post(create_url(work), {"content": "Hi"})
    assert "Comments are off for this work" in answer.content.decode()
    html = feedback_html(work, user=reader)
    assert "Comments are off for this work" in html and 'name="content"' not in html
    assert Comment.objects.count() == 0


def test_the_form_offers_the_right_fields(open_work, writer, reader):
    guest_html = feedback_html(open_work)
    assert 'name="guest_name"' in guest_html and 'name="guest_email"' in guest_html
    assert ">Name<" in guest_html and ">Email<" in guest_html and ">Comment<" in guest_html
    reader_html = feedback_html(open_work, user=reader)
    assert 'name="guest_email"' not in reader_html and 'name="pseud"' not in reader_html
    Pseud.objects.create(user=reader, name="Moonlight")
    assert 'name="pseud"' in feedback_html(open_work, user=reader)
    assert "csrfmiddlewaretoken" in reader_html


def test_a_reader_comments_as_another_of_their_pseuds(make_work, writer, reader, reader_client):
    work = make_work(writer)
    moon = Pseud.objects.create(user=reader, name="Moonlight")
    reader_client.post(create_url(work), {"content": "As the moon.", "pseud": moon.pk})
    assert Comment.objects.get().pseud == moon


def test_nobody_comments_as_someone_elses_pseud(make_work, writer, reader):
    work = make_work(writer)
    with pytest.raises(ValidationError, match="your own pseuds"):
        say(work, reader, pseud=writer.default_pseud)


def test_no_comments_on_drafts(make_work, writer, reader_client):
    draft = make_work(writer, post=False)
    assert reader_client.post(create_url(draft), {"content": "Hi"}).status_code == 404


def test_chapter_comments_go_back_to_the_chapter(make_work, writer, reader_client):
    work = make_work(writer)
    second = chapter_add(work=work, fields=ChapterFields(content="<p>More.</p>"), post=True)
    answer = reader_client.post(create_url(work), {"content": "On two.", "chapter_id": second.pk})
    comment = Comment.objects.get()
    assert comment.chapter == second
    assert answer["Location"] == f"{second.get_absolute_url()}#comment_{comment.pk}"


def test_garbage_ids_are_not_found_not_errors(make_work, writer, reader_client):
    work = make_work(writer)
    assert reader_client.post(create_url(work), {"content": "x", "parent_id": "abc"}).status_code == 404
    assert reader_client.post(create_url(work), {"content": "x", "chapter_id": "99999"}).status_code == 404


# Threads


def test_replies_nest_under_their_parent(open_work, writer, reader, reader_client):
    top = say(open_work, reader, "<p>Top.</p>")
    answer = client_for(writer).post(create_url(open_work), {"content": "Thanks!", "parent_id": top.pk})
    reply = Comment.objects.get(parent=top)
    assert answer["Location"].endswith(f"#comment_{reply.pk}")
    html = feedback_html(open_work)
    thread = html[html.index(f'id="comment_{top.pk}"') :]
    assert thread.index('<ol class="replies">') < thread.index(f'id="comment_{reply.pk}"')
    assert "Comments (2)" in html
    assert count_of(open_work) == 2


def test_the_reply_page_works_without_javascript(open_work, reader, client):
    top = say(open_work, reader, "<p>Top.</p>")
    page = client.get(reverse("interactions:comment_reply", kwargs={"comment_id": top.pk})).content.decode()
    assert "Top." in page and f'name="parent_id" value="{top.pk}"' in page and 'name="guest_email"' in page


def test_a_reply_takes_its_parents_chapter(make_work, writer, reader):
    work = make_work(writer)
    chapter = work.chapters.get()
    top = say(work, reader, chapter=chapter)
    reply = say(work, writer, parent=top)
    assert reply.chapter == chapter


# Editing


def test_edit_your_comment_while_it_has_no_replies(make_work, writer, reader, reader_client):
    work = make_work(writer)
    comment = say(work, reader, "<p>Frist.</p>")
    url = reverse("interactions:comment_edit", kwargs={"comment_id": comment.pk})
    assert "Frist." in reader_client.get(url).content.decode()
    answer = reader_client.post(url, {"content": "<p>First.</p>"})
    assert answer["Location"] == comment.get_absolute_url()
    comment.refresh_from_db()
    assert comment.content == "<p>First.</p>" and comment.edited_at is not None
    assert "Last edited" in feedback_html(work)

    say(work, writer, parent=comment)
    with pytest.raises(ValidationError, match="replied to"):
        comment_update(comment=comment, user=reader, content="Again", text_format="html")
    answer = reader_client.post(url, {"content": "<p>Sneaky change.</p>"})
    assert answer.status_code == 400 and "Sneaky change." in answer.content.decode()
    comment.refresh_from_db()
    assert comment.content == "<p>First.</p>"


def test_only_the_author_edits(make_work, writer, reader, make_user):
    work = make_work(writer)
    comment = say(work, reader)
    url = reverse("interactions:comment_edit", kwargs={"comment_id": comment.pk})
    assert client_for(writer).get(url).status_code == 403
    assert client_for(make_user()).post(url, {"content": "Mine now"}).status_code == 403
    with pytest.raises(PermissionDenied):
        comment_update(comment=comment, user=writer, content="Mine now", text_format="html")


def test_the_edit_link_shows_only_while_allowed(make_work, writer, reader):
    work = make_work(writer)
    comment = say(work, reader)
    edit = reverse("interactions:comment_edit", kwargs={"comment_id": comment.pk})
    assert edit in feedback_html(work, user=reader)
    assert edit not in feedback_html(work, user=writer)
    say(work, writer, parent=comment)
    assert edit not in feedback_html(work, user=reader)


# Deleting


def test_deleting_a_comment_with_replies_leaves_a_placeholder(make_work, writer, reader, reader_client):
    work = make_work(writer)
    top = say(work, reader, "<p>Secret words.</p>")
    say(work, writer, "<p>A reply.</p>", parent=top)
    url = reverse("interactions:comment_delete", kwargs={"comment_id": top.pk})
    assert "Are you sure" in reader_client.get(url).content.decode()
    assert Comment.objects.filter(pk=top.pk, is_deleted=False).exists()  # GET changes nothing
    reader_client.post(url)
    top.refresh_from_db()
    assert top.is_deleted and top.content == ""
    html = feedback_html(work)
    assert "(Previous comment deleted.)" in html and "Secret words." not in html and "A reply." in html
    assert count_of(work) == 1


def test_deleting_a_comment_without_replies_removes_it(make_work, writer, reader, reader_client):
    work = make_work(writer)
    comment = say(work, reader)
    reader_client.post(reverse("interactions:comment_delete", kwargs={"comment_id": comment.pk}))
    assert not Comment.objects.exists()
    assert count_of(work) == 0


def test_a_placeholder_goes_with_its_last_reply(make_work, writer, reader):
    work = make_work(writer)
    top = say(work, reader)
    reply = say(work, writer, parent=top)
    comment_delete(comment=top, user=reader)
    comment_delete(comment=reply, user=writer)
    assert not Comment.objects.exists()


def test_the_creator_may_delete_any_comment_on_their_work(make_work, writer, reader, writer_client):
    work = make_work(writer)
    comment = say(work, reader)
    writer_client.post(reverse("interactions:comment_delete", kwargs={"comment_id": comment.pk}))
    assert not Comment.objects.exists()


def test_others_may_not_delete(make_work, writer, reader, make_user):
    work = make_work(writer)
    comment = say(work, reader)
    url = reverse("interactions:comment_delete", kwargs={"comment_id": comment.pk})
    assert client_for(make_user()).post(url).status_code == 403
    assert Client().post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, user=make_user())
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert url not in feedback_html(work, user=make_user())


# Moderation


def test_moderated_comments_wait_for_the_creator(make_work, make_user, writer, reader, reader_client, writer_client):
    work = make_work(writer, moderate_comments=True)
    answer = reader_client.post(create_url(work), {"content": "<p>Awaiting.</p>"}, follow=True)
    assert "Your comment was submitted and will appear once the creator approves it." in [
        str(m) for m in answer.context["messages"]
    ]
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert count_of(work) == 0
    assert "Awaiting." not in feedback_html(work, user=reader)
    assert "Awaiting." not in feedback_html(work)
    assert "Awaiting." in feedback_html(work, user=writer)

    queue = reverse("interactions:comments_unreviewed", kwargs={"work_id": work.pk})
    assert reader_client.get(queue).status_code == 403
    page = writer_client.get(queue).content.decode()
    assert "Awaiting." in page and "Approve" in page

    approve = reverse("interactions:comment_approve", kwargs={"comment_id": comment.pk})
    assert client_for(make_user()).post(approve).status_code == 404  # others cannot see it at all
    assert reader_client.post(approve).status_code == 403
    writer_client.post(approve, {"next": queue})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert "Awaiting." in feedback_html(work)
    assert count_of(work) == 1


def test_creators_comments_skip_moderation(make_work, writer):
    work = make_work(writer, moderate_comments=True)
    assert say(work, writer).status == CommentStatus.PUBLISHED


def test_only_creators_approve(make_work, writer, reader):
    work = make_work(writer, moderate_comments=True)
    comment = say(work, reader)
    with pytest.raises(PermissionDenied):
        comment_approve(comment=comment, user=reader)


def test_pending_comments_cannot_be_replied_to(make_work, writer, reader):
    work = make_work(writer, moderate_comments=True)
    comment = say(work, reader)
    with pytest.raises(ValidationError, match="can no longer be replied to"):
        say(work, writer, parent=comment)


# Rate limit


def test_too_many_comments_are_refused_and_the_text_kept(settings, make_work, writer, reader, reader_client):
    settings.COMMENT_RATE_LIMIT = 3
    work = make_work(writer)
    for n in range(3):
        assert reader_client.post(create_url(work), {"content": f"Comment {n}"}).status_code == 302
    answer = reader_client.post(create_url(work), {"content": "One more thought"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "You have posted too many comments recently; please wait a few minutes and try again." in page
    assert "One more thought" in page
    assert Comment.objects.count() == 3 and count_of(work) == 3
    # Someone else is not held back.
    other = make_work(writer)
    assert client_for(writer).post(create_url(other), {"content": "Fine"}).status_code == 302


def test_the_rate_limit_counts_guests_by_address(settings, open_work):
    settings.COMMENT_RATE_LIMIT = 2
    guest = {"guest_name": "P", "guest_email": "p@example.net", "content": "Hi"}
    first = Client(REMOTE_ADDR="198.51.100.1")
    assert first.post(create_url(open_work), guest).status_code == 302
    assert first.post(create_url(open_work), guest).status_code == 302
    assert "too many comments" in first.post(create_url(open_work), guest).content.decode()
    assert Client(REMOTE_ADDR="198.51.100.2").post(create_url(open_work), guest).status_code == 302


def test_the_rate_limit_window_passes(settings, make_work, writer, reader):
    settings.COMMENT_RATE_LIMIT = 1
    work = make_work(writer)
    old = say(work, reader)
    with pytest.raises(ValidationError, match="too many comments"):
        say(work, reader)
    Comment.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=old.created_at.year - 1))
    say(work, reader)
