"""Throttles on signing in, password-reset emails and sign-ups: per account or email, and per address."""

import re
import time
import types

import django_ratelimit.core
import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from fanfold.core.cache import AtomicDatabaseCache
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
SIGNUP = reverse("accounts:signup")


def from_address(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """Hold the throttles' clock still: windows are fixed, and a test crossing a window's end would see its
    count start again (in life, an attacker gains at most one more window's worth of attempts by that)."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))


def later(monkeypatch, seconds: int) -> None:
    """Move the throttles' clock on, as if `seconds` had passed."""
    now = django_ratelimit.core.time.time() + seconds
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))


def assert_throttled(response, message: str) -> int:
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert f"{message}; try again in {wait} second" in response.content.decode()
    return wait


def test_six_quick_sign_ins_are_throttled_and_then_even_the_right_password_is_refused(client, writer, monkeypatch):
    for _ in range(5):
        response = client.post(LOGIN, {"username": "writer", "password": "wrong-guess"})
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()

    response = client.post(LOGIN, {"username": "writer", "password": "wrong-guess"})
    wait = assert_throttled(response, "Too many sign-in attempts")
    assert 1 <= wait <= 20
    # What was typed is kept.
    assert 'value="writer"' in response.content.decode()

    response = client.post(LOGIN, {"username": "writer", "password": PASSWORD})
    assert_throttled(response, "Too many sign-in attempts")
    assert "_auth_user_id" not in client.session

    # Once the window has passed, the right password works again.
    later(monkeypatch, 21)
    response = client.post(LOGIN, {"username": "writer", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == writer.pk


def test_guesses_at_one_account_are_counted_across_addresses_and_spellings(writer):
    identifiers = ["writer", "WRITER", "writer@example.org", "Writer@Example.org", "writer"]
    for n, identifier in enumerate(identifiers):
        response = from_address(f"198.51.100.{n}").post(LOGIN, {"username": identifier, "password": "nope"})
        assert response.status_code == 200

    response = from_address("203.0.113.9").post(LOGIN, {"username": "writer", "password": PASSWORD})
    assert_throttled(response, "Too many sign-in attempts")
    # Another account is not held up by the attack on this one.
    assert from_address("203.0.113.10").post(LOGIN, {"username": "reader", "password": "x"}).status_code == 200


def test_one_address_trying_many_accounts_is_throttled(make_user):
    make_user("victim")
    client = from_address("198.51.100.7")
    for n in range(5):
        assert client.post(LOGIN, {"username": f"guess{n}", "password": "nope"}).status_code == 200

    assert_throttled(client.post(LOGIN, {"username": "victim", "password": PASSWORD}), "Too many sign-in attempts")
    # Other addresses sign in to that account as usual.
    assert from_address("198.51.100.8").post(LOGIN, {"username": "victim", "password": PASSWORD}).status_code == 302


def test_ipv6_addresses_in_one_slash_64_share_a_throttle():
    for n in range(5):
        from_address(f"2001:db8:1:2::{n + 1}").post(LOGIN, {"username": f"guess{n}", "password": "nope"})

    response = from_address("2001:db8:1:2:ffff::9").post(LOGIN, {"username": "other", "password": "nope"})
    assert_throttled(response, "Too many sign-in attempts")
    assert from_address("2001:db8:1:3::1").post(LOGIN, {"username": "other", "password": "x"}).status_code == 200


def test_password_reset_emails_are_limited_per_address_asked_for(writer, settings):
    settings.PASSWORD_RESET_RATE = "3/h"
    for n in range(3):
        response = from_address(f"198.51.100.{n}").post(RESET, {"email": "writer@example.org"})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3

    response = from_address("198.51.100.9").post(RESET, {"email": "Writer@Example.org"})
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 3600
    html = response.content.decode()
    assert re.search(r"Too many password reset requests; try again in \d+ (seconds|minutes)\.", html)
    assert 'value="Writer@Example.org"' in html
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_per_address_they_come_from(settings):
    settings.PASSWORD_RESET_IP_RATE = "2/h"
    client = from_address("198.51.100.3")
    for n in range(2):
        assert client.post(RESET, {"email": f"someone{n}@example.org"}).status_code == 302

    assert client.post(RESET, {"email": "another@example.org"}).status_code == 429
    assert from_address("198.51.100.4").post(RESET, {"email": "another@example.org"}).status_code == 302


def test_sign_ups_are_limited_per_address(settings):
    settings.SIGNUP_RATE = "2/h"
    client = from_address("198.51.100.5")
    for n in range(2):
        data = {"username": f"new{n}", "email": f"new{n}@example.org", "password": PASSWORD}
        assert client.post(SIGNUP, {**data, "password_confirmation": PASSWORD}).status_code == 302

    data = {"username": "new9", "email": "new9@example.org", "password": PASSWORD, "password_confirmation": PASSWORD}
    response = client.post(SIGNUP, data)
    assert response.status_code == 429
    assert "Too many sign-ups from your address; try again in" in response.content.decode()
    assert 'value="new9"' in response.content.decode() and 'value="new9@example.org"' in response.content.decode()
    assert from_address("198.51.100.6").post(SIGNUP, data).status_code == 302


def test_the_throttle_cache_is_shared_through_the_database_and_counts_exactly():
    cache = caches["throttle"]
    assert isinstance(cache, AtomicDatabaseCache)
    assert cache.add("attempts", 0, 60)
    for _ in range(7):
        cache.incr("attempts")
    assert cache.get("attempts") == 7
    # An increment keeps the entry's expiry, where Django's own would reset it to the default timeout.
    cache.set("short", 1, 1)
    cache.incr("short")
    time.sleep(2.1)
    assert cache.get("short") is None
    with pytest.raises(ValueError):
        cache.incr("short")


def test_the_admin_log_in_page_is_throttled_too(make_user):
    admin = make_user("boss")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = from_address("198.51.100.20")
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "boss", "password": "guess"})
        assert response.status_code == 200

    # Over the limit the right password fails too, and the one attempt was counted once per request.
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert from_address("198.51.100.21").post(LOGIN, {"username": "boss", "password": PASSWORD}).status_code == 429


def test_one_attempt_on_the_log_in_page_counts_once(writer):
    client = from_address("198.51.100.30")
    for _ in range(4):
        client.post(LOGIN, {"username": "writer", "password": "guess"})

    assert client.post(LOGIN, {"username": "writer", "password": PASSWORD}).status_code == 302


def test_when_the_throttle_cache_fails_sign_ins_are_refused_and_it_is_logged(writer, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("no such key")

    monkeypatch.setattr(AtomicDatabaseCache, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(AtomicDatabaseCache, "incr", broken)

    response = Client().post(LOGIN, {"username": "writer", "password": PASSWORD})

    assert_throttled(response, "Too many sign-in attempts")
    assert any(r.levelname == "ERROR" and "throttle cache failed" in r.getMessage() for r in caplog.records)
