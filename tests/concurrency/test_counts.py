"""A writer edits a work while readers give kudos, comment and read it, all at once: no count is lost."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.urls import reverse

from fanfold.interactions.models import Comment, Hit, Kudos
from fanfold.works.models import Work
from tests.concurrency.live import Visitor, stat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

READERS = 8
GUESTS = 4
EDITS = 8
COMMENTS_EACH = 2


def edit_form(pseud_id: int, edit: int) -> dict:
    return {
        "pseuds": [pseud_id],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Original Work",
        "title": f"Under Load (revision {edit})",
        "language": "en",
        "expected_chapters": "1",
        "comment_permission": "registered",
        # One more word each time, so the last edit's word count is known.
        "content": " ".join(["word"] * (10 + edit)),
        "text_format": "markdown",
    }


def test_edits_racing_kudos_comments_and_hits_keep_exact_counts(live_server, make_user, make_work, settings):
    settings.COMMENT_RATE_LIMIT = 100
    writer = make_user("racer")
    work = make_work(writer, title="Under Load", content="<p>A first draft.</p>")
    readers = [Visitor(live_server, make_user()) for _ in range(READERS)]
    # Guests are told apart by address and browser; every guest here comes from 127.0.0.1.
    guests = [Visitor(live_server, agent=f"Guest/{number}") for number in range(GUESTS)]
    author = Visitor(live_server, writer)
    page = reverse("works:detail", kwargs={"work_id": work.pk})
    kudos = reverse("interactions:kudos", kwargs={"work_id": work.pk})
    comment = reverse("interactions:comment_create", kwargs={"work_id": work.pk})
    edit = reverse("works:edit", kwargs={"work_id": work.pk})
    start = threading.Barrier(1 + READERS + GUESTS, timeout=30)

    # The threads only speak HTTP: anything they read from the database here would hold a connection open.
    forms = [edit_form(writer.default_pseud.pk, number) for number in range(EDITS)]

    def write():
        start.wait()
        return [author.post(edit, form) for form in forms]

    def read(visitor: Visitor, number: int):
        start.wait()
        answers = [visitor.get(page), visitor.post(kudos, wants_json=True)]
        for reply in range(COMMENTS_EACH):
            answers.append(visitor.post(comment, {"content": f"Reader {number} says {reply}."}))
        answers.append(visitor.get(page))
        return answers

    def browse(visitor: Visitor):
        start.wait()
        return [visitor.get(page), visitor.get(page)]

    with ThreadPoolExecutor(max_workers=1 + READERS + GUESTS) as pool:
        edits = pool.submit(write)
        reads = [pool.submit(read, visitor, number) for number, visitor in enumerate(readers)]
        browsing = [pool.submit(browse, visitor) for visitor in guests]
        edit_answers = edits.result()
        read_answers = [answer for future in reads for answer in future.result()]
        browse_answers = [answer for future in browsing for answer in future.result()]

    assert [answer.status for answer in edit_answers] == [302] * EDITS
    assert all(answer.status < 400 for answer in read_answers + browse_answers), [
        (answer.status, answer.text[:300]) for answer in read_answers + browse_answers if answer.status >= 400
    ]
    acknowledged_kudos = sum(1 for a in read_answers if a.text.startswith("{") and a.json().get("ok"))
    assert acknowledged_kudos == READERS
    assert Kudos.objects.filter(work=work).count() == READERS
    assert Comment.objects.filter(work=work).count() == READERS * COMMENTS_EACH
    # One hit a day per reader and per guest; the writer's own visits do not count.
    assert Hit.objects.filter(work=work).count() == READERS + GUESTS

    shown = author.get(page).text
    assert stat(shown, "kudos") == READERS
    assert stat(shown, "comments") == READERS * COMMENTS_EACH
    assert stat(shown, "hits") == READERS + GUESTS
    assert stat(shown, "words") == 10 + EDITS - 1
    assert f"Under Load (revision {EDITS - 1})" in shown
    work = Work.objects.get(pk=work.pk)
    assert (work.kudos_count, work.comment_count, work.hit_count) == (
        READERS,
        READERS * COMMENTS_EACH,
        READERS + GUESTS,
    )
    # The reconciler, recounting everything from rows, agrees.
    call_command("reconcile_counts", "--check")


TABS = 2
CHAPTERS_EACH = 4


def test_chapters_added_at_once_are_all_counted_and_numbered_once(live_server, make_user, make_work):
    """The writer adds chapters from two tabs at once: each chapter gets its own number and is counted."""
    writer = make_user("two-tabs")
    work = make_work(writer, title="Growing Fast", content="one", expected_chapters=None)
    tabs = [Visitor(live_server, writer) for _ in range(TABS)]
    new_chapter = reverse("works:chapter_new", kwargs={"work_id": work.pk})
    start = threading.Barrier(TABS, timeout=30)

    def add(tab: int):
        start.wait()
        # Tab 0's chapters have two words, tab 1's three, so the total shows that every chapter was counted.
        text = " ".join(["word"] * (2 + tab))
        return [
            tabs[tab].post(new_chapter, {"content": text, "text_format": "markdown", "post": "1"})
            for _ in range(CHAPTERS_EACH)
        ]

    with ThreadPoolExecutor(max_workers=TABS) as pool:
        answers = [answer for answers in pool.map(add, range(TABS)) for answer in answers]

    assert [answer.status for answer in answers] == [302] * TABS * CHAPTERS_EACH
    chapters = 1 + TABS * CHAPTERS_EACH
    assert sorted(work.chapters.values_list("position", flat=True)) == list(range(1, chapters + 1))
    shown = tabs[0].get(reverse("works:detail", kwargs={"work_id": work.pk})).text
    assert f'<dd class="chapters">{chapters}/?</dd>' in shown
    assert stat(shown, "words") == 1 + sum((2 + tab) * CHAPTERS_EACH for tab in range(TABS))
    call_command("reconcile_counts", "--check")
