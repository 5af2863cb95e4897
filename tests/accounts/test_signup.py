"""Signing up: a new account activated from an emailed link, with a default pseud; clear errors that keep
what was typed; never a word on whether an email address has an account."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fanfold.accounts.models import User
from fanfold.accounts.services import user_signup
from tests.conftest import PASSWORD

SIGNUP = reverse("accounts:signup")


def signup_data(**overrides):
    data = {
        "username": "amy_writes",
        "email": "amy@example.org",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_signup_page_has_labelled_fields(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    html = response.content.decode()
    for field_id, label in [
        ("id_username", "Username"),
        ("id_email", "Email"),
        ("id_password", "Password"),
        ("id_password_confirmation", "Confirm password"),
    ]:
        assert f'<label for="{field_id}">{label}</label>' in html


def activation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/activate/\S+)", message.body).group(1)


@pytest.mark.django_db
def test_signup_emails_a_link_that_activates_the_account_and_logs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data())

    assert response["Location"] == reverse("accounts:signup_done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    user = User.objects.get(username="amy_writes")
    assert user.email == "amy@example.org"
    assert user.default_pseud.name == "amy_writes"
    assert user.preference.view_adult is False
    # Not yet active: the password alone does not log in.
    assert not user.is_active
    assert not client.login(username="amy_writes", password=PASSWORD)

    [message] = mail.outbox
    assert message.to == ["amy@example.org"]
    link = activation_link(message)
    # Opening the link (as a mail scanner would) changes nothing; the button does.
    assert "Activate my account" in client.get(link).content.decode()
    assert not User.objects.get(pk=user.pk).is_active
    response = client.post(link)

    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "Welcome to Fanfold, amy_writes!" in client.get(reverse("home")).content.decode()
    # A used link does not work again.
    assert "This link has expired or was already used" in Client().get(link).content.decode()
    assert Client().post(link).status_code == 200


@pytest.mark.django_db
def test_password_is_hashed_with_argon2(client):
    client.post(SIGNUP, signup_data())

    user = User.objects.get(username="amy_writes")
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_activation_follows_a_safe_next_and_ignores_an_offsite_one(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP + "?next=/works/", signup_data())
        Client().post(
            SIGNUP, {**signup_data(username="bo_b", email="bob@example.org"), "next": "https://evil.example/"}
        )

    amy, bob = (activation_link(message) for message in mail.outbox)
    assert client.post(amy)["Location"] == "/works/"
    assert Client().post(bob)["Location"] == reverse("home")


@pytest.mark.django_db
def test_taken_username_in_other_case_is_refused_and_input_kept(client, make_user):
    make_user("Amy")

    response = client.post(SIGNUP, signup_data(username="amy", email="other@example.org"))

    assert response.status_code == 200
    assert "The username “amy” is already taken" in response.content.decode()
    assert 'value="amy"' in response.content.decode()
    assert 'value="other@example.org"' in response.content.decode()
    assert not User.objects.filter(username="amy").exists()


@pytest.mark.django_db
def test_every_problem_is_shown_at_once(client, make_user):
    make_user("Amy")

    response = client.post(
        SIGNUP, signup_data(username="AMY", email="not-an-email", password="12345678", password_confirmation="x")
    )

    html = response.content.decode()
    assert "The username “AMY” is already taken" in html
    assert "Please enter a valid email address" in html
    assert "This password is entirely numeric." in html
    assert "The two passwords do not match" in html


@pytest.mark.django_db
def test_a_taken_email_looks_like_a_sign_up_and_its_owner_is_told(
    client, make_user, django_capture_on_commit_callbacks
):
    owner = make_user("someone", email="amy@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(SIGNUP, signup_data(email="AMY@Example.org"), follow=True)
        fresh = Client().post(SIGNUP, signup_data(username="bo_b", email="bob@example.org"), follow=True)

    # Whoever typed the address cannot tell it has an account.
    assert taken.redirect_chain == [(reverse("accounts:signup_done"), 302)]
    assert taken.content == fresh.content
    assert not User.objects.filter(username="amy_writes").exists()
    # Its owner is told, with their username and the way back in; no account or password changes.
    told = next(message for message in mail.outbox if message.to == ["amy@example.org"])
    assert "already has an account: your username is someone" in told.body
    assert "/password/reset/" in told.body and "/login/" in told.body
    assert User.objects.get(pk=owner.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_signing_up_again_before_activating_sends_a_new_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, signup_data())
        again = client.post(SIGNUP, signup_data())

    assert again["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(username="amy_writes").count() == 1
    first, second = mail.outbox
    assert second.to == ["amy@example.org"]
    assert client.post(activation_link(second))["Location"] == reverse("home")
    # Someone else still cannot have the name.
    response = Client().post(SIGNUP, signup_data(email="other@example.org"))
    assert "The username “amy_writes” is already taken" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("73918462051", "This password is entirely numeric."),
        ("amy_writes1", "The password is too similar to the username."),
    ],
)
def test_weak_password_is_refused_with_validator_message(client, password, message):
    response = client.post(SIGNUP, signup_data(password=password, password_confirmation=password))

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="amy_writes"' in html
    assert 'value="amy@example.org"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_mismatched_confirmation_is_refused(client):
    response = client.post(SIGNUP, signup_data(password_confirmation=PASSWORD + "x"))

    assert "The two passwords do not match" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_bad_email_is_refused(client):
    response = client.post(SIGNUP, signup_data(email="amy-at-example"))

    html = response.content.decode()
    assert "Please enter a valid email address" in html
    assert 'value="amy-at-example"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("al", "Usernames must be 3 to 40 characters long (this one is 2)."),
        ("a" * 41, "Usernames must be 3 to 40 characters long (this one is 41)."),
        ("amy writes", "Usernames can contain only letters (a–z), numbers and underscores (_)."),
        ("amy-writes", "Usernames can contain only letters (a–z), numbers and underscores (_)."),
        ("amy@home", "Usernames can contain only letters (a–z), numbers and underscores (_)."),
    ],
)
def test_bad_usernames_are_refused(client, username, message):
    response = client.post(SIGNUP, signup_data(username=username))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_without_csrf_token_is_rejected():
    client = Client(enforce_csrf_checks=True)

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_csrf_token_works_under_csrf_checks():
    client = Client(enforce_csrf_checks=True)
    client.get(SIGNUP)

    response = client.post(SIGNUP, {**signup_data(), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 302
    assert User.objects.filter(username="amy_writes").exists()


@pytest.mark.django_db
def test_user_signup_service_enforces_the_rules_without_the_form(make_user):
    make_user("amy")

    with pytest.raises(ValidationError) as caught:
        user_signup(username="Amy", email="not-an-email", password="short", site_url="")

    errors = caught.value.message_dict
    assert errors["username"] == ["The username “Amy” is already taken. Please choose another one."]
    assert errors["email"] == ["Please enter a valid email address, like name@example.org."]
    assert "This password is too short. It must contain at least 8 characters." in errors["password"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_user_signup_stores_email_lowercased():
    user = user_signup(username=" Bea ", email=" Bea@Example.ORG ", password=PASSWORD, site_url="")

    assert (user.username, user.email) == ("Bea", "bea@example.org")


@pytest.mark.django_db
@pytest.mark.parametrize(
    # (A NUL in any address is refused before it gets here: tests/core/test_middleware.py.)
    "uidb64",
    ["MQ", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ", "LTE", "AA", "YQ", "not-base64!", "%C3%BC"],
)
def test_a_wrong_activation_link_says_so_and_never_fails(client, make_user, uidb64):
    make_user()

    for method in (client.get, client.post):
        response = method(f"/activate/{uidb64}/dj5h07-34358ea463a8eb7e0f8bf83cad743923/")
        assert response.status_code == 200
        # A link naming no account reads as one whose account was removed (`test_unactivated`).
        page = response.content.decode()
        assert "This link has expired or was already used" in page or "This account no longer exists" in page
