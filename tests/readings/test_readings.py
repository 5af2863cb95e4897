"""History and Marked for Later: what a reader's visits leave, what they can delete, and that nobody else ever
sees it."""

import datetime
import re

import pytest
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.services import preference_update
from fanfold.readings.models import Reading
from fanfold.readings.services import reading_mark_for_later
from fanfold.works.services import WorkFields, work_delete, work_set_hidden, work_update
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _history(client, user) -> str:
    return client.get(reverse("readings:history", kwargs={"username": user.username})).content.decode()


def _later(client, user) -> str:
    return client.get(reverse("readings:marked_for_later", kwargs={"username": user.username})).content.decode()


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', html)


def test_reading_a_work_records_it_and_counts_visits(writer, make_work, reader, reader_client):
    first, second = make_work(writer, title="First Read"), make_work(writer, title="Second Read")
    reader_client.get(first.get_absolute_url())
    reader_client.get(second.get_absolute_url())
    reader_client.get(first.get_absolute_url())

    assert Reading.objects.get(user=reader, work=first).visit_count == 2
    page = _history(reader_client, reader)
    assert _titles(page) == ["First Read", "Second Read"]  # newest visit first
    assert "Visited 2 times" in page
    assert re.search(r"Visited 1 time(?!s)", page)


def test_guests_creators_and_drafts_leave_no_history(writer, writer_client, make_work, client, reader, reader_client):
    work = make_work(writer)
    draft = make_work(writer, post=False)
    client.get(work.get_absolute_url())
    writer_client.get(work.get_absolute_url())
    writer_client.get(draft.get_absolute_url())
    assert not Reading.objects.exists()


def test_delete_one_entry_and_clear_all_after_confirming(writer, make_work, reader, reader_client):
    works = [make_work(writer, title=f"Read {n}") for n in range(3)]
    for work in works:
        reader_client.get(work.get_absolute_url())
    reading_mark_for_later(user=reader, work=works[2])

    delete = reverse("readings:history_delete", kwargs={"username": "reader", "work_id": works[0].pk})
    assert reader_client.get(delete).status_code == 405
    reader_client.post(delete)
    assert _titles(_history(reader_client, reader)) == ["Read 2", "Read 1"]

    clear = reverse("readings:history_clear", kwargs={"username": "reader"})
    assert "Are you sure" in reader_client.get(clear).content.decode()
    assert len(_titles(_history(reader_client, reader))) == 2  # asking does not clear
    reader_client.post(clear)
    assert _titles(_history(reader_client, reader)) == []
    assert "Your history is empty" in _history(reader_client, reader)
    assert _titles(_later(reader_client, reader)) == ["Read 2"]  # the Marked for Later list stays


def test_turning_history_off_stops_recording(writer, make_work, reader, reader_client):
    work = make_work(writer, title="Unrecorded")
    response = reader_client.post(
        reverse("accounts:preferences"),
        {"time_zone": "UTC"},  # every box unticked: history off
    )
    assert response.status_code == 302
    reader_client.get(work.get_absolute_url())
    assert not Reading.objects.exists()
    assert "Your history is turned off" in _history(reader_client, reader)

    preference_update(
        user=reader,
        view_adult=False,
        hide_warnings=False,
        hide_freeform=False,
        view_full_works=False,
        time_zone="UTC",
        history_enabled=True,
    )
    reader_client.get(work.get_absolute_url())
    assert _titles(_history(reader_client, reader)) == ["Unrecorded"]


def test_preferences_page_offers_the_history_switch(reader_client):
    page = reader_client.get(reverse("accounts:preferences")).content.decode()
    assert "Keep a history of the works I read" in page


def test_nobody_else_sees_a_readers_lists(writer, make_work, reader, reader_client, make_user, client):
    reader_client.get(make_work(writer).get_absolute_url())
    other = client_for(make_user())
    for name in ("readings:history", "readings:marked_for_later", "readings:history_clear"):
        url = reverse(name, kwargs={"username": "reader"})
        assert other.get(url).status_code == 403
        assert client.get(url).status_code == 302  # to log in
    assert other.post(reverse("readings:history_clear", kwargs={"username": "reader"})).status_code == 403
    assert Reading.objects.filter(user=reader).count() == 1
    assert other.get(reverse("readings:history", kwargs={"username": "nobody-here"})).status_code == 404


def test_mark_for_later_and_mark_as_read_from_the_work_page(writer, make_work, reader, reader_client):
    work = make_work(writer, title="Later, Maybe")
    page = reader_client.get(work.get_absolute_url()).content.decode()
    assert "Mark for Later" in page and "Mark as Read" not in page

    response = reader_client.post(
        reverse("readings:mark_for_later", kwargs={"work_id": work.pk}), {"next": work.get_absolute_url()}
    )
    assert response.status_code == 302 and response["Location"] == work.get_absolute_url()
    page = reader_client.get(work.get_absolute_url()).content.decode()
    assert "Mark as Read" in page
    assert _titles(_later(reader_client, reader)) == ["Later, Maybe"]

    reader_client.post(reverse("readings:mark_as_read", kwargs={"work_id": work.pk}), {"next": "https://evil.example/"})
    assert _titles(_later(reader_client, reader)) == []
    assert "You have not marked any works for later" in _later(reader_client, reader)
    assert _titles(_history(reader_client, reader)) == ["Later, Maybe"]  # the visits stay in the history


def test_marking_without_reading_leaves_no_history_line(writer, make_work, reader, reader_client):
    work = make_work(writer, title="Unread")
    reader_client.post(reverse("readings:mark_for_later", kwargs={"work_id": work.pk}))
    reader_client.post(reverse("readings:mark_for_later", kwargs={"work_id": work.pk}))
    assert _titles(_history(reader_client, reader)) == []
    assert _titles(_later(reader_client, reader)) == ["Unread"]
    reader_client.post(reverse("readings:mark_as_read", kwargs={"work_id": work.pk}))
    assert not Reading.objects.exists()


def test_marking_needs_a_work_the_reader_may_open_and_a_post(writer, make_work, reader_client, client):
    draft = make_work(writer, post=False)
    assert reader_client.post(reverse("readings:mark_for_later", kwargs={"work_id": draft.pk})).status_code == 404
    assert reader_client.post(reverse("readings:mark_for_later", kwargs={"work_id": 10**18})).status_code == 404
    work = make_work(writer)
    assert reader_client.get(reverse("readings:mark_for_later", kwargs={"work_id": work.pk})).status_code == 405
    assert client.post(reverse("readings:mark_for_later", kwargs={"work_id": work.pk})).status_code == 302
    assert not Reading.objects.exists()


def test_blurbs_in_the_lists_carry_the_buttons(writer, make_work, reader, reader_client):
    work = make_work(writer, title="Buttons")
    reader_client.get(work.get_absolute_url())
    history = _history(reader_client, reader)
    assert "Mark for Later" in history and "Delete from History" in history
    reading_mark_for_later(user=reader, work=work)
    assert "Mark as Read" in _later(reader_client, reader)


@pytest.mark.parametrize("change", ["draft", "hidden", "restricted_for_guest_none", "deleted"])
def test_works_the_reader_can_no_longer_see_are_unavailable_rows(writer, make_work, reader, reader_client, change):
    work = make_work(writer, title="Vanishing Title")
    reader_client.get(work.get_absolute_url())
    reading_mark_for_later(user=reader, work=work)
    if change == "draft":
        work.__class__.objects.filter(pk=work.pk).update(posted=False)
    elif change == "hidden":
        work_set_hidden(work=work, hidden=True)
    elif change == "restricted_for_guest_none":
        # Restricted works stay open to signed-in readers: still shown in full.
        fields = WorkFields(
            title=work.title, rating="General Audiences", warnings=["No Archive Warnings Apply"],
            fandoms=["Original Work"], restricted=True,
        )  # fmt: skip
        work_update(work=work, pseuds=[writer.default_pseud], fields=fields)
    else:
        work_delete(work=work)
    for page in (_history(reader_client, reader), _later(reader_client, reader)):
        if change == "restricted_for_guest_none":
            assert "Vanishing Title" in page
        elif change == "deleted":
            assert "Vanishing Title" not in page and "unavailable" not in page
        else:
            assert "Vanishing Title" not in page
            assert "This work is unavailable." in page


def test_lists_load_in_a_fixed_number_of_queries(writer, make_work, reader, reader_client):
    def count_for(n):
        for i in range(n):
            work = make_work(writer, title=f"Q{n}-{i}", freeforms=[f"Tag {i}"])
            reader_client.get(work.get_absolute_url())
            reading_mark_for_later(user=reader, work=work)
        counts = []
        for url_name in ("readings:history", "readings:marked_for_later"):
            with CaptureQueriesContext(connection) as queries:
                reader_client.get(reverse(url_name, kwargs={"username": "reader"}))
            counts.append(len(queries))
        return counts

    assert count_for(2) == count_for(8)


def test_a_failing_database_costs_the_history_line_not_the_page(writer, make_work, reader_client, monkeypatch):
    work = make_work(writer, title="Still Readable")

    def refuse(*args, **kwargs):
        raise DatabaseError("database is locked")

    original = CursorWrapper.execute

    def execute(self, sql, params=None):
        if "INSERT INTO readings_reading" in sql:
            refuse()
        return original(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    response = reader_client.get(work.get_absolute_url())
    assert response.status_code == 200 and "Still Readable" in response.content.decode()
    assert not Reading.objects.exists()


def test_last_visit_time_moves_on(writer, make_work, reader, reader_client):
    work = make_work(writer)
    reader_client.get(work.get_absolute_url())
    Reading.objects.update(last_visited_at=timezone.now() - datetime.timedelta(days=3))
    reader_client.get(work.get_absolute_url())
    reading = Reading.objects.get()
    assert reading.visit_count == 2
    assert timezone.now() - reading.last_visited_at < datetime.timedelta(minutes=1)


def test_batched_visits_count_every_visit_and_keep_the_latest_time(writer, make_work, reader, settings, monkeypatch):
    from fanfold.core import writebehind
    from fanfold.readings.services import reading_record, readings_write

    settings.VISIT_WRITE_BEHIND_SECONDS = 3600
    batch = writebehind.WriteBehind("readings", readings_write, interval=3600)
    monkeypatch.setitem(writebehind._buffers, "readings", batch)
    work, gone = make_work(writer), make_work(writer)
    reading_mark_for_later(user=reader, work=work)
    earlier = timezone.now() - datetime.timedelta(days=1)
    Reading.objects.filter(user=reader, work=work).update(visit_count=4, last_visited_at=earlier)

    # The page learns at once whether the work is marked; the visit itself waits for the batch.
    assert reading_record(work=work, user=reader) is True
    assert reading_record(work=work, user=reader) is True
    reading_record(work=gone, user=reader)
    assert Reading.objects.get(user=reader, work=work).visit_count == 4
    work_delete(work=gone)

    assert batch.flush() == 3
    reading = Reading.objects.get(user=reader, work=work)
    assert reading.visit_count == 6 and reading.marked_for_later
    assert reading.last_visited_at > earlier
    assert not Reading.objects.filter(work_id=gone.pk).exists()
