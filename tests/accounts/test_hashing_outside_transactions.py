"""Passwords are hashed outside write transactions: on SQLite a transaction holds the one write lock, and a
hash takes a few hundred milliseconds on purpose, so every other writer would wait for it."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, QuickArgon2PasswordHasher

pytestmark = pytest.mark.django_db(transaction=True)

hashed_inside_a_transaction: list[bool] = []


class RecordingHasher(QuickArgon2PasswordHasher):
    def encode(self, password, salt):
        hashed_inside_a_transaction.append(connection.in_atomic_block)
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def recording_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.RecordingHasher"]
    hashed_inside_a_transaction.clear()


def test_sign_up_hashes_before_its_transaction():
    data = {"username": "amy", "email": "amy@example.org", "password": PASSWORD, "password_confirmation": PASSWORD}
    assert Client().post(reverse("accounts:signup"), data).status_code == 302

    assert hashed_inside_a_transaction == [False]


def test_changing_and_resetting_a_password_hash_outside_transactions(make_user):
    user = make_user("amy")
    hashed_inside_a_transaction.clear()
    client = Client()
    client.force_login(user)
    changed = {"old_password": PASSWORD, "new_password1": "a-new-secret-4321", "new_password2": "a-new-secret-4321"}
    assert client.post(reverse("accounts:password_change"), changed).status_code == 302

    Client().post(reverse("accounts:password_reset"), {"email": "amy@example.org"})
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    reset = Client()
    form_url = reset.get(link)["Location"]
    assert (
        reset.post(form_url, {"new_password1": "reset-secret-987", "new_password2": "reset-secret-987"}).status_code
        == 302
    )

    assert len(hashed_inside_a_transaction) == 2
    assert not any(hashed_inside_a_transaction)
