"""The change log at the bottom: every write to a work's row is noted by the database, counters are applied in
place, late commits are never skipped, and neither the log nor the index grows without bound."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from fanfold.discovery import index as discovery_index
from fanfold.discovery.changelog import COUNTER_COLUMNS, COUNTS, IGNORED_COLUMNS, WORK, prune_changes
from fanfold.discovery.index import DiscoveryIndex, get_index
from fanfold.discovery.models import WorkChange
from fanfold.discovery.query import WorkFilter
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


def listed_ids(index, *, signed_in: bool = True, **filters) -> list[int]:
    return index.search(WorkFilter(**filters), signed_in=signed_in, page_size=1_000).work_ids


def changes_of(work_id: int) -> list[str]:
    return list(WorkChange.objects.filter(work_id=work_id).order_by("id").values_list("kind", flat=True))


def test_a_bare_update_of_a_work_row_reaches_the_index_without_any_service(make_work):
    """A maintainer's shell, a bulk update or the admin: no path can forget to note the change."""
    work = make_work(title="Out There")
    other = make_work(title="Still Here")
    index = DiscoveryIndex.build()
    assert set(listed_ids(index, signed_in=False)) == {work.pk, other.pk}

    Work.objects.filter(pk=work.pk).update(restricted=True)
    index.catch_up()
    assert listed_ids(index, signed_in=False) == [other.pk]
    assert set(listed_ids(index, signed_in=True)) == {work.pk, other.pk}

    hidden = Work.objects.get(pk=other.pk)
    hidden.hidden = True
    hidden.save()  # a full save, as the admin's change form does
    index.catch_up()
    assert listed_ids(index, signed_in=True) == [work.pk]

    Work.objects.filter(pk=work.pk).delete()
    index.catch_up()
    assert listed_ids(index, signed_in=True) == []


def test_every_listing_column_of_a_work_is_watched(make_work):
    """A change to any column but the counters is noted as a whole change; a new column the triggers do not
    compare (SQLite's name them) fails here until a migration calls `install_triggers` again."""
    work = make_work(title="Watched", published_on=dt.date(2020, 1, 1))
    new_values = {
        "title": "Changed",
        "summary": "<p>New</p>",
        "notes": "<p>New</p>",
        "end_notes": "<p>New</p>",
        "language": "de",
        "expected_chapters": 7,
        "complete": True,
        "posted": False,
        "restricted": True,
        "hidden": True,
        "comment_permission": "nobody",
        "moderate_comments": True,
        "published_on": dt.date(2021, 2, 2),
        "revised_at": timezone.now() - dt.timedelta(days=3),
        "created_at": timezone.now() - dt.timedelta(days=4),
        "word_count": 12345,
        "chapter_count": 9,
    }
    watched = [
        field.attname
        for field in Work._meta.concrete_fields
        if field.column not in COUNTER_COLUMNS + IGNORED_COLUMNS and not field.primary_key
    ]
    assert sorted(watched) == sorted(new_values), "a new column of works: say here what changing it means"
    work.refresh_from_db()
    for name, value in new_values.items():
        if isinstance(value, bool):
            value = not getattr(work, name)
        WorkChange.objects.all().delete()
        Work.objects.filter(pk=work.pk).update(**{name: value})
        assert changes_of(work.pk) == [WORK], name
    for name in COUNTER_COLUMNS:
        WorkChange.objects.all().delete()
        Work.objects.filter(pk=work.pk).update(**{name: F(name) + 1})
        assert changes_of(work.pk) == [COUNTS], name
    WorkChange.objects.all().delete()
    Work.objects.filter(pk=work.pk).update(updated_at=timezone.now())
    assert changes_of(work.pk) == [], "a save that changes nothing a listing shows is not a change"


def test_counter_changes_are_written_in_place_and_the_index_does_not_grow(make_work):
    works = [make_work(title=f"Work {n}") for n in range(6)]
    index = DiscoveryIndex.build()
    docs = index.doc_count

    for round_number in range(50):
        work = works[round_number % len(works)]
        Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + (2 if work.pk == works[2].pk else 1))
        Work.objects.filter(pk=work.pk).update(hit_count=F("hit_count") + 3)
        index.catch_up()

    assert index.doc_count == docs == len(index), "a kudos or a hit leaves no tombstone"
    expected = sorted(works, key=lambda w: (Work.objects.get(pk=w.pk).kudos_count, w.pk), reverse=True)
    assert listed_ids(index, sort="kudos_count") == [w.pk for w in expected]
    assert listed_ids(index, sort="kudos_count")[0] == works[2].pk
    ascending = listed_ids(index, sort="hit_count", direction="asc")
    hits = [Work.objects.get(pk=pk).hit_count for pk in ascending]
    assert hits == sorted(hits)
    # Range filters read the same columns.
    most = Work.objects.get(pk=works[2].pk).kudos_count
    assert index.search(WorkFilter(), signed_in=True, ranges=[("kudos_count", most, most)]).work_ids == [works[2].pk]


def test_the_index_compacts_itself_once_tombstones_pile_up(make_work, monkeypatch):
    monkeypatch.setattr(discovery_index, "COMPACT_MIN_TOMBSTONES", 20)
    works = [make_work(title=f"Work {n}") for n in range(5)]
    discovery_index.reset_index()
    index = get_index(max_lag=0)
    started = []
    monkeypatch.setattr(discovery_index.SHARED, "start_compacting", lambda: started.append(True))
    for round_number in range(5):
        for work in works:
            Work.objects.filter(pk=work.pk).update(title=f"Work {work.pk} edit {round_number}")
        get_index(max_lag=0)
    assert index.tombstones >= 20 and index.wants_compacting()
    assert started, "the background compaction was asked for"

    discovery_index.compact_index()
    compact = get_index(max_lag=0)
    assert compact is not index
    assert compact.tombstones == 0 and compact.doc_count == 5
    assert sorted(listed_ids(compact, sort="title", direction="asc")) == sorted(w.pk for w in works)


def test_old_change_notes_are_pruned_and_a_stale_index_rebuilds(make_work, settings):
    work = make_work(title="Pruned")
    WorkChange.objects.filter(work_id=work.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    recent = WorkChange.objects.create(work_id=work.pk)
    assert prune_changes(older_than=dt.timedelta(days=1)) >= 1
    assert list(WorkChange.objects.values_list("pk", flat=True)) == [recent.pk]

    first = get_index(max_lag=0)
    assert get_index(max_lag=0) is first
    settings.CHANGE_LOG_RETENTION_SECONDS = 0
    assert get_index(max_lag=0) is not first, "notes it never read may be gone: it reads the works again"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_long_after_newer_ones_were_read_is_still_applied(make_work, monkeypatch):
    """A save that waits on a lock commits its change note after notes with higher ids were read."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite commits one writer at a time, so notes commit in id order")
    slow_work = make_work(title="Slow transaction")
    quick_work = make_work(title="Quick transaction")
    index = DiscoveryIndex.build()
    noted, release = threading.Event(), threading.Event()

    def slow_save():
        try:
            with transaction.atomic():
                Work.objects.filter(pk=slow_work.pk).update(hidden=True)
                noted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_save)
    thread.start()
    assert noted.wait(timeout=10)
    Work.objects.filter(pk=quick_work.pk).update(title="Quick, and committed first")
    index.catch_up()
    assert set(listed_ids(index)) == {slow_work.pk, quick_work.pk}
    slow_id = WorkChange.objects.filter(work_id=quick_work.pk).latest("pk").pk

    # Whatever the clock says: nothing about the reader depends on time.
    later = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    release.set()
    thread.join(timeout=30)
    assert WorkChange.objects.filter(work_id=slow_work.pk, pk__lt=slow_id).exists(), "its note has the lower id"
    index.catch_up()
    assert listed_ids(index) == [quick_work.pk]
    assert index.catch_up() == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_counters_in_place_sort_exactly_as_a_fresh_index_does(make_work, seed):
    """Ties, works replaced by a whole re-read and then counted, counts going down as well as up."""
    import random

    rng = random.Random(seed)
    works = [make_work(title=f"Work {n}") for n in range(12)]
    index = DiscoveryIndex.build()
    for _ in range(60):
        work = rng.choice(works)
        if rng.random() < 0.2:
            Work.objects.filter(pk=work.pk).update(title=f"Retitled {rng.random()}")  # a whole re-read
        column = rng.choice(COUNTER_COLUMNS)
        Work.objects.filter(pk=work.pk).update(**{column: rng.choice([0, 1, 1, 2, 3])})
        index.catch_up()
    fresh = DiscoveryIndex.build()
    for column in COUNTER_COLUMNS:
        for direction in ("asc", "desc"):
            assert listed_ids(index, sort=column, direction=direction) == listed_ids(
                fresh, sort=column, direction=direction
            ), (column, direction)
            ranges = [(column, 1, 2)]
            assert (
                index.search(WorkFilter(), signed_in=True, ranges=ranges).total
                == fresh.search(WorkFilter(), signed_in=True, ranges=ranges).total
            )


def test_kudos_hits_and_comments_through_the_archive_leave_no_tombstones(make_work, make_user):
    from tests.conftest import client_for

    work = make_work(title="Popular", comment_permission="everyone")
    index = get_index(max_lag=0)
    docs = index.doc_count
    for n in range(5):
        reader = client_for(make_user(f"fan{n}"))
        reader.get(f"/works/{work.pk}/")
        reader.post(f"/works/{work.pk}/kudos/")
        reader.post(f"/works/{work.pk}/comments/", {"content": f"Lovely {n}."})
    index = get_index(max_lag=0)
    assert index.doc_count == docs
    stored = Work.objects.get(pk=work.pk)
    assert (stored.kudos_count, stored.hit_count, stored.comment_count) == (5, 5, 5)
    assert index.search(WorkFilter(), signed_in=True, ranges=[("kudos_count", 5, 5)]).work_ids == [work.pk]
    assert index.search(WorkFilter(), signed_in=True, ranges=[("comment_count", 5, 5)]).work_ids == [work.pk]


def test_whoever_just_changed_something_sees_it_at_once_and_everyone_else_within_the_lag(
    make_work, make_user, client, settings
):
    import re
    import time

    from tests.conftest import client_for

    def kudos_shown(some_client) -> str:
        html = some_client.get("/works/").content.decode()
        return re.search(r'<dd class="kudos">([^<]*)</dd>', html).group(1)

    settings.GUEST_LISTING_LAG_SECONDS = 0.5
    work = make_work(title="Kudos go here")
    giver, onlooker = client_for(make_user()), client_for(make_user())
    assert kudos_shown(client) == kudos_shown(giver) == kudos_shown(onlooker) == "0"
    assert giver.post(f"/works/{work.pk}/kudos/").status_code == 302
    assert kudos_shown(giver) == "1", "the reader who left kudos sees them counted at once"
    assert "fanfold_wrote" not in onlooker.cookies
    time.sleep(0.6)
    assert kudos_shown(client) == kudos_shown(onlooker) == "1"


def test_a_work_named_twice_in_one_batch_of_counters_is_moved_once(make_work):
    works = [make_work(title=f"Work {n}") for n in range(3)]
    index = DiscoveryIndex.build()
    index.apply_counts([(works[0].pk, 5, 0, 0, 0), (works[0].pk, 9, 0, 0, 0), (works[1].pk, 7, 0, 0, 0)])
    assert listed_ids(index, sort="kudos_count") == [works[0].pk, works[1].pk, works[2].pk]
    # Large listings walk the counter sort orders themselves: every doc stands in each once, in key order.
    for (sort, by_id_asc), order in index._orders.items():
        assert sorted(order.tolist()) == list(range(index.doc_count)), (sort, by_id_asc)
        key = index._sort_key(sort, by_id_asc)
        assert [key(doc) for doc in order.tolist()] == sorted(key(doc) for doc in order.tolist()), sort
    # Later changes to the same work still find it where the sorts put it.
    index.apply_counts([(works[0].pk, 1, 0, 0, 0)])
    assert listed_ids(index, sort="kudos_count") == [works[1].pk, works[0].pk, works[2].pk]
    assert index.search(WorkFilter(), signed_in=True, ranges=[("kudos_count", 1, 1)]).work_ids == [works[0].pk]


def test_while_one_thread_catches_up_guests_go_on_and_a_signed_in_reader_waits_for_a_later_catch_up(
    make_work, monkeypatch
):
    """A catch-up reads the database; a listing in another thread must not queue behind it unless it needs
    what it may bring (a reader looking for their own change)."""
    make_work(title="Before")
    index = get_index(max_lag=0)
    reading, release = threading.Event(), threading.Event()
    catch_ups = []
    real_catch_up = DiscoveryIndex.catch_up

    def slow_catch_up(self):
        catch_ups.append(threading.current_thread().name)
        if threading.current_thread().name == "slow":
            reading.set()
            assert release.wait(10)
        return real_catch_up(self)

    monkeypatch.setattr(DiscoveryIndex, "catch_up", slow_catch_up)
    slow = threading.Thread(target=lambda: get_index(max_lag=0), name="slow")
    slow.start()
    assert reading.wait(10)
    # A guest's catch-up is due (its lag has passed), but another thread is at it: the guest goes on.
    monkeypatch.setattr(discovery_index.SHARED, "caught_up", discovery_index.SHARED.caught_up - 60)
    assert get_index(max_lag=1.0) is index
    assert catch_ups == ["slow"]

    waited = []
    reader = threading.Thread(target=lambda: waited.append(get_index(max_lag=0)), name="reader")
    reader.start()
    reader.join(0.3)
    assert reader.is_alive(), "a signed-in reader waits for the catch-up in progress"
    release.set()
    slow.join(10)
    reader.join(10)
    # The catch-up in progress began before the reader asked, so the reader caught up again itself.
    assert waited == [index] and catch_ups == ["slow", "reader"]


@pytest.mark.django_db(transaction=True)
def test_a_thread_of_each_process_catches_up_so_that_no_request_has_to(make_work, settings):
    settings.INDEX_CATCH_UP_IN_BACKGROUND = True
    settings.GUEST_LISTING_LAG_SECONDS = 0.2
    index = get_index(max_lag=0.2)  # a guest's listing: the process's catch-up thread starts
    make_work(title="Seen without asking")
    waited = 0.0
    while not listed_ids(index, signed_in=False) and waited < 5:
        time.sleep(0.05)
        waited += 0.05
    assert listed_ids(index, signed_in=False), "the thread applied the change; no request asked for it"
    threads = [thread for thread in threading.enumerate() if thread.name == "discovery-catch-up"]
    assert len(threads) == 1
    settings.INDEX_CATCH_UP_IN_BACKGROUND = False
    threads[0].join(2)
    assert not threads[0].is_alive(), "the thread stops when the setting is off"
