"""`manage.py reconcile_counts`: counters recounted from rows, fixed when wrong, reported with --check."""

import io

import pytest
from django.core.management import CommandError, call_command

from fanfold.interactions.services import comment_create, kudos_give
from fanfold.works.models import Work
from fanfold.works.services import ChapterFields, chapter_add

pytestmark = pytest.mark.django_db


def reconcile(*args) -> str:
    out = io.StringIO()
    call_command("reconcile_counts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def busy_work(make_work, make_user, writer):
    """A posted two-chapter work with two kudos, a published and a pending comment, and no hits."""
    work = make_work(writer, content="<p>one two three</p>", expected_chapters=2)
    chapter_add(work=work, fields=ChapterFields(content="<p>four five</p>"), post=True)
    fans = [make_user(), make_user()]
    for fan in fans:
        kudos_give(work=work, user=fan)
    comment_create(work=work, user=fans[0], content="<p>More!</p>", ip_address="192.0.2.1")
    Work.objects.filter(pk=work.pk).update(moderate_comments=True)
    work.refresh_from_db()
    comment_create(work=work, user=fans[1], content="<p>Waiting.</p>", ip_address="192.0.2.2")
    return work


def counters(work) -> tuple:
    work.refresh_from_db()
    return work.kudos_count, work.comment_count, work.hit_count, work.chapter_count, work.word_count, work.complete


def test_counters_kept_by_the_services_need_no_fixing(busy_work, make_work):
    make_work()
    assert counters(busy_work) == (2, 1, 0, 2, 5, True)
    assert "Nothing to fix: 2 works checked." in reconcile("--check")
    assert "Nothing to fix" in reconcile()


def test_check_reports_wrong_counters_and_changes_nothing(busy_work):
    Work.objects.filter(pk=busy_work.pk).update(kudos_count=1, hit_count=7)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 counters off on 1 of 1 works"):
        call_command("reconcile_counts", "--check", stdout=out)
    assert f"work {busy_work.pk}: kudos_count was 1, counted 2" in out.getvalue()
    assert f"work {busy_work.pk}: hit_count was 7, counted 0" in out.getvalue()
    assert counters(busy_work)[:3] == (1, 1, 7)


def test_every_counter_is_recounted_from_rows_and_fixed(busy_work, make_work):
    healthy = make_work()
    Work.objects.filter(pk=busy_work.pk).update(
        kudos_count=0, comment_count=2, hit_count=3, chapter_count=1, word_count=99, complete=False
    )
    out = reconcile("--batch-size", "1")
    assert "Fixed 5 counters on 1 of 2 works." in out
    assert f"work {healthy.pk}" not in out
    assert counters(busy_work) == (2, 1, 0, 2, 5, True)
    assert "Nothing to fix" in reconcile("--check")


def test_the_work_page_shows_the_fixed_counts(busy_work, writer_client):
    Work.objects.filter(pk=busy_work.pk).update(kudos_count=40)
    reconcile()
    page = writer_client.get(busy_work.get_absolute_url()).content.decode()
    assert '<dd class="kudos">2</dd>' in page


def test_works_in_later_batches_are_checked_too(make_work):
    works = [make_work() for _ in range(5)]
    Work.objects.filter(pk=works[-1].pk).update(kudos_count=3)
    assert "Fixed 1 counter on 1 of 5 works." in reconcile("--batch-size", "2")
    assert counters(works[-1])[0] == 0


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        reconcile("--batch-size", "0")
