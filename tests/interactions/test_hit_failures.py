"""A work page is served when its hit cannot be counted: reading must not fail because counting failed."""

import logging

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client

from fanfold.interactions import services
from fanfold.interactions.models import Hit
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


def hits(work) -> int:
    return Work.objects.values_list("hit_count", flat=True).get(pk=work.pk)


def failing_hit_write(error):
    def write(entries):
        raise error

    return write


@pytest.mark.parametrize(
    "error", [OperationalError("attempt to write a readonly database"), OperationalError("database is locked")]
)
def test_a_failed_hit_write_still_serves_the_work_and_is_logged(make_work, writer, monkeypatch, caplog, error):
    work = make_work(writer, title="The Lighthouse Keeper", content="<p>The lamp turned all night.</p>")
    monkeypatch.setattr(services, "hits_write", failing_hit_write(error))

    with caplog.at_level(logging.ERROR, logger="fanfold.interactions.services"):
        response = Client().get(work.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "The Lighthouse Keeper" in html and "The lamp turned all night." in html
    assert hits(work) == 0
    [record] = [r for r in caplog.records if r.name == "fanfold.interactions.services"]
    assert record.levelno == logging.ERROR and f"hit on work {work.pk}" in record.getMessage()
    assert record.exc_info[1] is error


def test_a_bug_in_the_hit_write_is_not_hidden(make_work, writer, monkeypatch):
    work = make_work(writer)
    monkeypatch.setattr(services, "hits_write", failing_hit_write(ProgrammingError("no such column: visitor")))

    with pytest.raises(ProgrammingError):
        Client().get(work.get_absolute_url())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite can make its connection read-only in place")
def test_a_read_only_sqlite_database_still_serves_the_work(make_work, writer):
    work = make_work(writer, title="The Lighthouse Keeper")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        response = Client().get(work.get_absolute_url())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")

    assert response.status_code == 200
    assert "The Lighthouse Keeper" in response.content.decode()
    assert hits(work) == 0 and not Hit.objects.exists()
    # Once writable again, the next guest's visit counts.
    Client(REMOTE_ADDR="198.51.100.1").get(work.get_absolute_url())
    assert hits(work) == 1
