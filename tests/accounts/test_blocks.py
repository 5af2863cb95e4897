"""Blocking: from a profile or the blocked users page, capped with a clear message, and undone by Unblock."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from fanfold.accounts.blocks import MAX_BLOCKS, block_add, block_remove, blocked_users, is_blocked
from fanfold.accounts.models import Block, User

pytestmark = pytest.mark.django_db

BLOCKED = reverse("accounts:blocked_users")


def profile(username: str) -> str:
    return reverse("accounts:profile", kwargs={"username": username})


def test_blocking_from_a_profile_and_unblocking(reader, reader_client, writer):
    page = reader_client.get(profile("writer")).content.decode()
    assert reverse("accounts:block", kwargs={"username": "writer"}) in page

    response = reader_client.post(reverse("accounts:block", kwargs={"username": "writer"}), follow=True)

    assert "You blocked writer." in response.content.decode()
    assert is_blocked(user=reader, blocked=writer) and not is_blocked(user=writer, blocked=reader)
    assert "Unblock" in reader_client.get(profile("writer")).content.decode()
    listing = reader_client.get(BLOCKED).content.decode()
    assert ">writer</a>" in listing and "1 of at most 2000" in listing

    response = reader_client.post(reverse("accounts:unblock", kwargs={"username": "writer"}), follow=True)

    assert "You unblocked writer." in response.content.decode()
    assert not Block.objects.exists()


def test_blocking_by_username_on_the_blocked_users_page(reader, reader_client, writer):
    response = reader_client.post(BLOCKED, {"username": "nobody_here"})
    assert response.status_code == 200
    assert "There is no user called “nobody_here”." in response.content.decode()
    assert 'value="nobody_here"' in response.content.decode()

    response = reader_client.post(BLOCKED, {"username": "Writer"})

    assert response.status_code == 302
    assert list(blocked_users(reader)) == [writer]


def test_nobody_can_block_themselves(reader, reader_client):
    response = reader_client.post(BLOCKED, {"username": "reader"})

    assert "You cannot block yourself." in response.content.decode()
    assert not Block.objects.exists()
    with pytest.raises(IntegrityError):
        Block.objects.create(user=reader, blocked=reader)


def test_blocks_are_capped_with_a_clear_message(reader, reader_client, writer):
    others = User.objects.bulk_create(
        User(username=f"blocked{number}", email=f"blocked{number}@example.org") for number in range(MAX_BLOCKS)
    )
    Block.objects.bulk_create(Block(user=reader, blocked=other) for other in others)

    response = reader_client.post(BLOCKED, {"username": "writer"})

    assert "You have blocked 2,000 users, the most you can. Unblock someone before blocking writer." in (
        response.content.decode()
    )
    assert not is_blocked(user=reader, blocked=writer)
    # Blocking someone already blocked is not a new block, so the cap does not stand in the way.
    assert block_add(user=reader, blocked=others[0]).blocked_id == others[0].pk
    with pytest.raises(ValidationError):
        block_add(user=reader, blocked=writer)


def test_blocking_twice_keeps_one_block_and_unblocking_is_idempotent(reader, writer):
    assert block_add(user=reader, blocked=writer).pk == block_add(user=reader, blocked=writer).pk
    block_remove(user=reader, blocked=writer)
    block_remove(user=reader, blocked=writer)
    assert not Block.objects.exists()


def test_block_buttons_need_a_signed_in_post(client, reader, writer):
    assert client.post(reverse("accounts:block", kwargs={"username": "writer"})).status_code == 302  # to log in
    assert not Block.objects.exists()
    assert client.get(BLOCKED).status_code == 302
