"""Comments and blocking: a blocked user cannot comment on the blocker's works nor reply to their comments
(told why, their text kept), while what they wrote before stays. Comments by a muted user are one collapsed
line for the reader who muted them, in place, so threads keep their shape."""

import pytest
from django.urls import reverse

from fanfold.accounts.blocks import block_add
from fanfold.accounts.services import mute_add
from fanfold.interactions.models import Comment
from fanfold.interactions.services import comment_create
from fanfold.works.models import Creatorship
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MUTED_LINE = "A comment from a user you muted."


@pytest.fixture
def troll(make_user):
    return make_user("troll")


def comment_url(work) -> str:
    return reverse("interactions:comment_create", args=[work.pk])


def test_a_blocked_user_cannot_comment_and_their_old_comments_stay(make_work, writer, troll):
    work = make_work(writer, title="Quiet Place")
    comment_create(work=work, user=troll, content="Before the block.")
    block_add(user=writer, blocked=troll)
    client = client_for(troll)

    page = client.get(work.get_absolute_url()).content.decode()
    assert "Sorry, you have been blocked by one or more of this work&#x27;s creators." in page
    assert 'name="content"' not in page  # no comment form
    assert "Before the block." in page

    response = client.post(comment_url(work), {"content": "After the block.", "text_format": "html"})

    assert response.status_code == 400
    shown = response.content.decode()
    assert "Sorry, you have been blocked by one or more of this work&#x27;s creators." in shown
    assert "After the block." in shown  # kept for them to copy
    assert list(Comment.objects.values_list("content", flat=True)) == ["<p>Before the block.</p>"]
    work.refresh_from_db()
    assert work.comment_count == 1


def test_a_block_on_a_co_creator_closes_their_work_too(make_work, writer, troll, make_user):
    partner = make_user("partner")
    work = make_work(writer)
    Creatorship.objects.create(work=work, pseud=partner.default_pseud, position=1)
    block_add(user=partner, blocked=troll)

    response = client_for(troll).post(comment_url(work), {"content": "Hi.", "text_format": "html"})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_blocked_user_cannot_reply_to_the_blockers_comments(make_work, make_user, reader, troll):
    work = make_work(make_user("host"), title="Common Ground", comment_permission="everyone")
    mine = comment_create(work=work, user=reader, content="My thoughts.")
    other = comment_create(work=work, user=make_user("bystander"), content="Other thoughts.")
    block_add(user=reader, blocked=troll)
    client = client_for(troll)

    page = client.get(work.get_absolute_url()).content.decode()
    assert reverse("interactions:comment_reply", args=[mine.pk]) not in page
    assert reverse("interactions:comment_reply", args=[other.pk]) in page
    reply_page = client.get(reverse("interactions:comment_reply", args=[mine.pk])).content.decode()
    assert "Sorry, you have been blocked by that user" in reply_page

    response = client.post(comment_url(work), {"content": "A reply.", "parent_id": mine.pk, "text_format": "html"})

    assert response.status_code == 400
    assert "Sorry, you have been blocked by that user" in response.content.decode()
    assert not Comment.objects.filter(parent=mine).exists()
    # Commenting on the work itself, or replying to someone else, is still open to them.
    response = client.post(comment_url(work), {"content": "Elsewhere.", "parent_id": other.pk, "text_format": "html"})
    assert response.status_code == 302
    assert Comment.objects.filter(parent=other).exists()


def test_a_muted_users_comments_collapse_in_place_for_the_reader_who_muted_them(make_work, writer, reader, troll):
    work = make_work(writer, title="Threads", comment_permission="everyone")
    loud = comment_create(work=work, user=troll, content="Something loud.")
    comment_create(work=work, user=writer, parent=loud, content="A calm answer.")
    comment_create(work=work, user=reader, content="A kind word.")
    mute_add(user=reader, muted=troll)

    page = client_for(reader).get(work.get_absolute_url()).content.decode()

    assert MUTED_LINE in page
    assert "Something loud." not in page and "troll" not in page
    assert "A calm answer." in page and "A kind word." in page  # the thread keeps its reply
    assert f'id="comment_{loud.pk}"' in page  # in its place, not renumbered away
    assert "Comments (3)" in page
    assert reverse("interactions:comment_reply", args=[loud.pk]) not in page
    # Everyone else reads it as before.
    other = client_for(writer).get(work.get_absolute_url()).content.decode()
    assert "Something loud." in other and MUTED_LINE not in other


def test_muting_a_works_creator_leaves_the_readers_own_comments_alone(make_work, writer, reader):
    work = make_work(writer)
    comment_create(work=work, user=reader, content="My own words.")
    mute_add(user=reader, muted=writer)

    page = client_for(reader).get(work.get_absolute_url()).content.decode()

    assert "My own words." in page and MUTED_LINE not in page


def test_the_reply_page_of_a_muted_users_comment_stays_collapsed(make_work, writer, reader, troll):
    work = make_work(writer, comment_permission="everyone")
    comment = comment_create(work=work, user=troll, content="Something the reader chose not to see.")
    mute_add(user=reader, muted=troll)
    client = client_for(reader)

    page = client.get(reverse("interactions:comment_reply", args=[comment.pk])).content.decode()
    assert MUTED_LINE in page
    assert "Something the reader chose not to see." not in page
    assert "unmute them to reply" in page and 'name="content"' not in page

    response = client.post(comment_url(work), {"content": "A reply.", "text_format": "html", "parent_id": comment.pk})
    assert response.status_code == 400
    assert "Something the reader chose not to see." not in response.content.decode()
    assert Comment.objects.count() == 1
    # Anyone else still sees it and may reply.
    assert (
        "Something the reader chose not to see."
        in client_for(writer).get(reverse("interactions:comment_reply", args=[comment.pk])).content.decode()
    )
