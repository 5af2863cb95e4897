"""Signing up: a new account, logged in, with a default pseud; clear errors that keep what was typed."""

import pytest
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


@pytest.mark.django_db
def test_signup_creates_account_logs_in_and_makes_default_pseud(client):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="amy_writes")
    assert user.email == "amy@example.org"
    assert user.default_pseud.name == "amy_writes"
    assert user.preference.view_adult is False
    assert client.get(reverse("accounts:preferences")).status_code == 200
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_password_is_hashed_with_argon2(client):
    client.post(SIGNUP, signup_data())

    user = User.objects.get(username="amy_writes")
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_signup_follows_a_safe_next_and_ignores_an_offsite_one(client):
    response = client.post(SIGNUP + "?next=/works/", signup_data())
    assert response["Location"] == "/works/"

    other = Client()
    response = other.post(
        SIGNUP, {**signup_data(username="bo_b", email="bob@example.org"), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


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
def test_taken_email_in_other_case_is_refused(client, make_user):
    make_user("someone", email="amy@example.org")

    response = client.post(SIGNUP, signup_data(email="AMY@Example.org"))

    assert response.status_code == 200
    assert "That email address already has an account" in response.content.decode()
    assert not User.objects.filter(username="amy_writes").exists()


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
        user_signup(username="Amy", email="AMY@example.org", password="short")

    errors = caught.value.message_dict
    assert errors["username"] == ["The username “Amy” is already taken. Please choose another one."]
    assert errors["email"][0].startswith("That email address already has an account.")
    assert "This password is too short. It must contain at least 8 characters." in errors["password"]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_user_signup_stores_email_lowercased():
    user = user_signup(username=" Bea ", email=" Bea@Example.ORG ", password=PASSWORD)

    assert (user.username, user.email) == ("Bea", "bea@example.org")
