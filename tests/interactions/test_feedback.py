"""The feedback part of the work page: what it shows, what it hides, and what it costs."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from fanfold.accounts.models import Pseud
from fanfold.interactions.models import Comment
from fanfold.interactions.selectors import work_feedback_context
from fanfold.interactions.services import comment_create, comment_delete, kudos_give
from fanfold.works.models import Work
from fanfold.works.selectors import visible_works
from fanfold.works.services import ChapterFields, chapter_add
from fanfold.works.visibility import policy_for
from tests.conftest import client_for
from tests.interactions.conftest import feedback_html, page_request

pytestmark = pytest.mark.django_db


def guest_says(work, text="<p>Hi.</p>", **kwargs) -> Comment:
    return comment_create(
        work=work,
        guest_name="Wanderer",
        guest_email="wanderer@secret.example",
        content=text,
        text_format="html",
        ip_address="198.51.100.4",
        **kwargs,
    )


def test_the_partial_has_its_sections(open_work, reader):
    comment_create(work=open_work, user=reader, content="Nice", text_format="html", ip_address="192.0.2.1")
    html = feedback_html(open_work, user=reader)
    comment = Comment.objects.get()
    assert '<section id="kudos" class="kudos"' in html
    assert '<section id="comments" class="comments"' in html
    assert "Comments (1)" in html
    assert f'<li id="comment_{comment.pk}" class="comment">' in html
    assert f'href="{reverse("accounts:profile", kwargs={"username": "reader"})}"' in html
    assert reverse("interactions:comment_reply", kwargs={"comment_id": comment.pk}) in html


def test_a_guests_email_is_never_shown(open_work, writer):
    comment = guest_says(open_work)
    for viewer in (None, writer):
        html = feedback_html(open_work, user=viewer)
        assert "Wanderer" in html
        assert "wanderer@secret.example" not in html and "secret.example" not in html
    reply_page = reverse("interactions:comment_reply", kwargs={"comment_id": comment.pk})
    assert "secret.example" not in client_for(writer).get(reply_page).content.decode()
    delete_page = reverse("interactions:comment_delete", kwargs={"comment_id": comment.pk})
    assert "secret.example" not in client_for(writer).get(delete_page).content.decode()


@pytest.mark.parametrize(
    ("typed", "gone"),
    [
        ("<script>alert(1)</script><em>kept</em>", "alert(1)"),
        ('<p onclick="steal()">x</p><em>kept</em>', "onclick"),
        ('<a href="javascript:steal()">link</a><em>kept</em>', "javascript:"),
        ('<p style="position:fixed">x</p><em>kept</em>', "style="),
        ('<iframe src="https://evil.example/"></iframe><em>kept</em>', "<iframe"),
        ('<svg onload="steal()"><circle/></svg><em>kept</em>', "<svg"),
    ],
)
def test_comment_html_is_sanitized(open_work, reader, typed, gone):
    comment_create(work=open_work, user=reader, content=typed, text_format="html", ip_address="192.0.2.1")
    stored = Comment.objects.get().content
    assert gone not in stored
    assert "<em>kept</em>" in stored
    html = feedback_html(open_work)
    assert gone not in html and "<em>kept</em>" in html


def test_markdown_comments_are_rendered(open_work, reader):
    comment_create(work=open_work, user=reader, content="So *good*", text_format="markdown", ip_address="192.0.2.1")
    assert "<em>good</em>" in Comment.objects.get().content


def test_a_chapter_page_shows_that_chapters_comments(make_work, writer, reader):
    work = make_work(writer)
    first = work.chapters.get()
    second = chapter_add(work=work, fields=ChapterFields(content="<p>Two.</p>"), post=True)
    say = dict(user=reader, text_format="html", ip_address="192.0.2.1")
    comment_create(work=work, chapter=first, content="About one", **say)
    comment_create(work=work, chapter=second, content="About two", **say)
    one = feedback_html(work, chapter=first)
    assert "About one" in one and "About two" not in one and "Comments (1)" in one
    whole = feedback_html(work)
    assert "About one" in whole and "About two" in whole and "Comments (2)" in whole
    assert f'name="chapter_id" value="{second.pk}"' in feedback_html(work, user=reader, chapter=second)


def test_a_one_chapter_work_shows_all_its_comments_on_its_chapter_page(make_work, writer, reader):
    work = make_work(writer)
    say = dict(user=reader, text_format="html", ip_address="192.0.2.1")
    comment_create(work=work, content="From the whole work", **say)
    comment_create(work=work, chapter=work.chapters.get(), content="From the chapter", **say)
    html = feedback_html(work, chapter=work.chapters.get())
    assert "From the whole work" in html and "From the chapter" in html


def test_creators_see_how_many_comments_await_them(make_work, writer, reader):
    work = make_work(writer, moderate_comments=True)
    comment_create(work=work, user=reader, content="Waiting", text_format="html", ip_address="192.0.2.1")
    queue = reverse("interactions:comments_unreviewed", kwargs={"work_id": work.pk})
    assert "1 comment awaiting your approval" in feedback_html(work, user=writer)
    assert queue not in feedback_html(work, user=reader)


def test_counts_on_the_work_follow_every_change(open_work, reader, writer):
    top = comment_create(work=open_work, user=reader, content="a", text_format="html", ip_address="192.0.2.1")
    comment_create(work=open_work, user=writer, parent=top, content="b", text_format="html", ip_address="192.0.2.2")
    guest_says(open_work)
    kudos_give(work=open_work, user=reader)
    kudos_give(work=open_work, ip_address="198.51.100.1")
    open_work.refresh_from_db()
    assert (open_work.comment_count, open_work.kudos_count) == (3, 2)
    comment_delete(comment=top, user=reader)  # becomes a placeholder: no longer counted
    open_work.refresh_from_db()
    assert open_work.comment_count == 2


def test_feedback_costs_a_fixed_number_of_queries(
    settings, open_work, make_user, writer, django_assert_max_num_queries
):
    settings.COMMENT_RATE_LIMIT = 1000
    readers = [make_user() for _ in range(6)]
    for person in readers:
        Pseud.objects.create(user=person, name=f"{person.username}-alt")
        kudos_give(work=open_work, user=person)
        top = comment_create(work=open_work, user=person, content="Top", text_format="html", ip_address="192.0.2.1")
        reply = comment_create(
            work=open_work, user=writer, parent=top, content="Reply", text_format="html", ip_address="192.0.2.2"
        )
        comment_create(
            work=open_work, user=person, parent=reply, content="Deeper", text_format="html", ip_address="192.0.2.1"
        )
    guest_says(open_work)
    kudos_give(work=open_work, ip_address="198.51.100.1")
    # As the work page loads it: creators prefetched with their users.
    work = visible_works(readers[0]).with_blurb_data().get(pk=open_work.pk)
    for viewer in (readers[0], writer):
        request = page_request(work.get_absolute_url(), user=viewer)
        policy_for(viewer)  # the work page read the work through the viewer's policy already (mutes are in it)
        # The sixth: who, among the creators and commenters, blocked the viewer (no comment form, no Reply).
        with django_assert_max_num_queries(6):
            context = work_feedback_context(request=request, work=work)
            html = render_to_string("interactions/_work_feedback.html", context, request=request)
        assert html.count('<li id="comment_') == 19
        assert "Comments (19)" in html


def test_deep_threads_render(open_work, reader, writer, settings):
    settings.COMMENT_RATE_LIMIT = 1000
    parent = None
    for n in range(120):
        parent = comment_create(
            work=open_work,
            user=reader if n % 2 else writer,
            parent=parent,
            content=f"Level {n}",
            text_format="html",
            ip_address="192.0.2.1",
        )
    html = feedback_html(open_work)
    assert "Level 119" in html
    assert html.count('<ol class="replies">') == html.count("</ol>") - 1 == 119


def test_the_work_row_is_untouched_by_reads(open_work):
    before = Work.objects.values("kudos_count", "comment_count", "hit_count").get(pk=open_work.pk)
    feedback_html(open_work)
    assert Work.objects.values("kudos_count", "comment_count", "hit_count").get(pk=open_work.pk) == before


def test_a_work_page_reads_comments_only_when_the_work_has_some(open_work, client, writer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"{open_work.get_absolute_url()}?view_adult=true").content.decode()
        # The comments themselves (the work's own query asks only whether it has any).
        return html, [query["sql"] for query in captured if query["sql"].startswith('SELECT "interactions_comment"')]

    html, comment_reads = page()
    assert "Comments (0)" in html and comment_reads == []
    pending = guest_says(open_work, text="<p>Waiting for approval.</p>")
    Comment.objects.filter(pk=pending.pk).update(status="pending")
    html, comment_reads = page()
    assert comment_reads and "Waiting for approval" not in html  # read, and still shown only to the creator
    assert "Waiting for approval" in client_for(writer).get(open_work.get_absolute_url()).content.decode()
    guest_says(open_work, text="<p>Lovely.</p>")
    html, _reads = page()
    assert "Lovely." in html and "Comments (1)" in html
