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
