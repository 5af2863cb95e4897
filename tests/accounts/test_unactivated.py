"""Accounts never activated are removed after ACCOUNT_ACTIVATION_DAYS (if they hold nothing), freeing their
username and email address, by `purge_unactivated_accounts` and at sign-up; their links then say so."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.models import Pseud, User
from fanfold.accounts.services import mute_add, user_create
from tests.accounts.test_signup import SIGNUP, activation_link, signup_data
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

GONE = "This account no longer exists: accounts that are not activated within 14 days"


def unactivated(username: str, *, days_ago: float, email: str | None = None) -> User:
    user = user_create(username=username, email=email or f"{username}@example.org", password=PASSWORD, is_active=False)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - dt.timedelta(days=days_ago))
    return user


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_unactivated_accounts", *args, stdout=out)
    return out.getvalue()


def remaining() -> set[str]:
    return set(User.objects.values_list("username", flat=True))


def test_the_command_removes_only_accounts_never_activated_in_time_that_hold_nothing(make_user, make_work):
    unactivated("forgotten", days_ago=15)
    unactivated("recent", days_ago=13)
    make_user("active")
    closed = make_user("closed")  # signed in once, then deactivated by a maintainer
    User.objects.filter(pk=closed.pk).update(
        is_active=False, last_login=timezone.now(), date_joined=timezone.now() - dt.timedelta(days=400)
    )
    credited = unactivated("credited", days_ago=30)
    make_work(credited, title="Theirs")
    muted = unactivated("muted_one", days_ago=30)
    mute_add(user=make_user("muter"), muted=muted)

    assert purge("--dry-run") == "1 account(s) not activated within 14 days would be removed.\n"
    assert "forgotten" in remaining()

    assert purge() == "Removed 1 account(s) not activated within 14 days.\n"

    assert remaining() == {"recent", "active", "closed", "credited", "muted_one", "muter"}
    assert not Pseud.objects.filter(name="forgotten").exists()
    assert purge() == "Removed 0 account(s) not activated within 14 days.\n"


def test_the_number_of_days_is_a_setting(settings):
    settings.ACCOUNT_ACTIVATION_DAYS = 2
    unactivated("three_days", days_ago=3)
    unactivated("one_day", days_ago=1)

    assert purge() == "Removed 1 account(s) not activated within 2 days.\n"
    assert remaining() == {"one_day"}


def test_signing_up_with_a_released_username_works(client, django_capture_on_commit_callbacks):
    unactivated("amy_writes", days_ago=20, email="someone-else@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data())

    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(username="amy_writes")
    assert user.email == "amy@example.org"
    assert not User.objects.filter(email="someone-else@example.org").exists()
    client.post(activation_link(mail.outbox[-1]))
    assert User.objects.get(pk=user.pk).is_active


def test_a_username_held_by_an_account_still_in_time_stays_taken(client):
    unactivated("amy_writes", days_ago=13, email="someone-else@example.org")

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert "The username “amy_writes” is already taken." in response.content.decode()
    assert User.objects.get(username="amy_writes").email == "someone-else@example.org"


def test_the_same_person_signing_up_after_expiry_gets_a_new_account_with_their_new_password(client):
    old = unactivated("amy_writes", days_ago=20, email="amy@example.org")

    client.post(SIGNUP, signup_data(password="another-long-pass-77", password_confirmation="another-long-pass-77"))

    new = User.objects.get(username="amy_writes")
    assert new.pk != old.pk and new.check_password("another-long-pass-77")


def test_signing_up_again_in_time_gives_the_account_as_many_days_again(client):
    old = unactivated("amy_writes", days_ago=13, email="amy@example.org")

    client.post(SIGNUP, signup_data())

    joined = User.objects.get(pk=old.pk).date_joined
    assert timezone.now() - joined < dt.timedelta(minutes=1)
    purge()
    assert User.objects.filter(pk=old.pk).exists()


def test_the_link_of_a_removed_account_says_so_and_activates_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, signup_data())
    link = activation_link(mail.outbox[-1])
    User.objects.filter(username="amy_writes").update(date_joined=timezone.now() - dt.timedelta(days=15))
    # Not removed yet (the command has not run): the link already says it is gone, and does not activate it.
    assert GONE in client.get(link).content.decode()
    response = client.post(link)
    assert GONE in response.content.decode() and not User.objects.get(username="amy_writes").is_active

    purge()

    page = Client().get(link).content.decode()
    assert GONE in page and "sign up again" in page
    # A link that holds no account number at all is just a bad link.
    assert "This link has expired or was already used" in Client().get("/activate/zzz/abc-def/").content.decode()


def test_an_activated_account_is_never_removed(make_user):
    user = make_user("old_hand")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - dt.timedelta(days=999))
    client_for(user)  # signs in: last_login is set as on a real sign-in

    purge()

    assert User.objects.filter(pk=user.pk).exists()


def test_the_setting_comes_from_the_environment():
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": os.environ.get("PATH", ""), "DEBUG": "1", "ACCOUNT_ACTIVATION_DAYS": "30"}
    env["DJANGO_SETTINGS_MODULE"] = "fanfold.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.ACCOUNT_ACTIVATION_DAYS)"
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "30", done.stderr
