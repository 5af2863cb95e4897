"""Hits: one per visitor per work per day, never for the work's creators or for drafts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanfold.interactions.models import Hit
from fanfold.interactions.services import hit_record
from fanfold.works.models import Work
from tests.interactions.conftest import page_request

pytestmark = pytest.mark.django_db


def hits(work) -> int:
    return Work.objects.values_list("hit_count", flat=True).get(pk=work.pk)


def test_a_reader_counts_once_a_day(make_work, writer, reader):
    work = make_work(writer)
    assert hit_record(work=work, request=page_request(user=reader)) is True
    assert hit_record(work=work, request=page_request(user=reader)) is False
    assert hits(work) == 1
    # The next day counts again.
    Hit.objects.update(day=timezone.now().date() - timedelta(days=1))
    assert hit_record(work=work, request=page_request(user=reader)) is True
    assert hits(work) == 2


def test_guests_are_told_apart_by_address_and_browser(make_work, writer):
    work = make_work(writer)
    assert hit_record(work=work, request=page_request(ip="198.51.100.1", agent="A")) is True
    assert hit_record(work=work, request=page_request(ip="198.51.100.1", agent="A")) is False
    assert hit_record(work=work, request=page_request(ip="198.51.100.1", agent="B")) is True
    assert hit_record(work=work, request=page_request(ip="198.51.100.2", agent="A")) is True
    assert hits(work) == 3
    # No address is stored in the clear.
    assert not Hit.objects.filter(visitor__contains="198.51").exists()


def test_a_reader_counts_separately_for_each_work(make_work, writer, reader):
    one, two = make_work(writer), make_work(writer)
    assert hit_record(work=one, request=page_request(user=reader))
    assert hit_record(work=two, request=page_request(user=reader))
    assert (hits(one), hits(two)) == (1, 1)


def test_creators_do_not_count(make_work, writer):
    work = make_work(writer)
    assert hit_record(work=work, request=page_request(user=writer)) is False
    assert hits(work) == 0 and not Hit.objects.exists()


def test_drafts_do_not_count(make_work, writer, reader):
    draft = make_work(writer, post=False)
    assert hit_record(work=draft, request=page_request(user=reader)) is False
    assert hits(draft) == 0


def test_the_work_in_hand_shows_the_new_count(make_work, writer, reader):
    work = make_work(writer)
    hit_record(work=work, request=page_request(user=reader))
    assert work.hit_count == 1


@pytest.fixture
def batched_hits(settings, monkeypatch):
    """Hits gathered in a batch that only the test writes (its thread would wait an hour)."""
    from fanfold.core import writebehind
    from fanfold.interactions import services

    settings.VISIT_WRITE_BEHIND_SECONDS = 3600
    batch = writebehind.WriteBehind("hits", services.hits_write, interval=3600)
    monkeypatch.setitem(writebehind._buffers, "hits", batch)
    return batch


def test_batched_hits_are_written_together_and_counted_once(make_work, writer, reader, batched_hits):
    one, two = make_work(writer), make_work(writer)
    assert hit_record(work=one, request=page_request(user=reader)) is True
    assert one.hit_count == 1  # the reader's page shows their visit at once
    assert hit_record(work=one, request=page_request(user=reader)) is False  # waiting already
    assert hit_record(work=two, request=page_request(user=reader)) is True
    assert hit_record(work=two, request=page_request(ip="198.51.100.7")) is True
    assert (hits(one), hits(two)) == (0, 0) and not Hit.objects.exists()

    assert batched_hits.flush() == 3
    assert (hits(one), hits(two)) == (1, 2)
    assert Hit.objects.count() == 3
    # Counted once it is stored, in this process or another's.
    assert hit_record(work=one, request=page_request(user=reader)) is False
    assert batched_hits.flush() == 0


def test_a_batch_skips_visits_already_stored_and_works_deleted_meanwhile(make_work, writer, reader, batched_hits):
    from fanfold.interactions.services import hits_write
    from fanfold.works.services import work_delete

    kept, gone = make_work(writer), make_work(writer)
    day = timezone.now().date()
    # Another process wrote the same visit first: it is not counted twice.
    assert hits_write([(kept.pk, f"u{reader.pk}", day)]) == 1
    batched_hits.add((kept.pk, f"u{reader.pk}", day))
    batched_hits.add((kept.pk, "another-visitor", day))
    batched_hits.add((gone.pk, f"u{reader.pk}", day))
    work_delete(work=gone)
    assert batched_hits.flush() == 3
    assert hits(kept) == 2 and Hit.objects.filter(work=kept).count() == 2
    assert not Hit.objects.filter(work_id=gone.pk).exists()
    assert len(batched_hits) == 0


def test_a_batch_the_database_refuses_waits_for_the_next(make_work, writer, reader, batched_hits, monkeypatch):
    from django.db import OperationalError

    from fanfold.interactions import services

    work = make_work(writer)
    hit_record(work=work, request=page_request(user=reader))

    def locked(entries):
        raise OperationalError("database is locked")

    monkeypatch.setattr(batched_hits, "write", locked)
    assert batched_hits.flush() == 0 and len(batched_hits) == 1
    monkeypatch.setattr(batched_hits, "write", services.hits_write)
    assert batched_hits.flush() == 1 and hits(work) == 1


def test_a_reader_turning_pages_is_counted_once_and_asked_about_with_the_work(make_work, writer, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    work = make_work(writer)

    def view() -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/works/{work.pk}/?view_adult=true").content.decode()
        # Reads of the visits themselves (the work's own query asks with an EXISTS of its own).
        return page, [
            query["sql"] for query in captured if query["sql"].startswith('SELECT 1 AS "a" FROM "interactions_hit"')
        ]

    page, visit_reads = view()
    assert '<dd class="hits">1</dd>' in page and visit_reads == []
    page, visit_reads = view()
    assert '<dd class="hits">1</dd>' in page and visit_reads == [] and hits(work) == 1
    # The next day counts again, known as new with the work's own query.
    Hit.objects.update(day=timezone.now().date() - timedelta(days=1))
    page, _reads = view()
    assert '<dd class="hits">2</dd>' in page and hits(work) == 2
