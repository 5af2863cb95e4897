"""Logging in and out, changing a password, and resetting a forgotten one by email."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
RESET = reverse("accounts:password_reset")


def logged_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.mark.django_db
def test_login_with_username_redirects_to_next(client, writer):
    response = client.post(LOGIN, {"username": "writer", "password": PASSWORD, "next": "/works/"})

    assert response.status_code == 302
    assert response["Location"] == "/works/"
    assert logged_in_user_id(client) == writer.pk


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["WRITER", "writer@example.org", "Writer@Example.org"])
def test_login_accepts_username_in_any_case_or_email(client, writer, identifier):
    client.post(LOGIN, {"username": identifier, "password": PASSWORD})

    assert logged_in_user_id(client) == writer.pk


@pytest.mark.django_db
def test_wrong_password_shows_error_and_keeps_username(client, writer):
    response = client.post(LOGIN, {"username": "writer", "password": "not-the-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "do not match an account" in html
    assert 'value="writer"' in html
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_logout_needs_post(writer_client, writer):
    assert writer_client.get(LOGOUT).status_code == 405
    assert logged_in_user_id(writer_client) == writer.pk

    response = writer_client.post(LOGOUT)

    assert response.status_code == 302
    assert logged_in_user_id(writer_client) is None


@pytest.mark.django_db
def test_password_change(writer_client, writer):
    response = writer_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )

    assert response["Location"] == reverse("accounts:password_change_done")
    writer.refresh_from_db()
    assert writer.check_password("a-brand-new-secret-42")
    assert writer.password.startswith("argon2")
    # The session survives the change.
    assert logged_in_user_id(writer_client) == writer.pk


@pytest.mark.django_db
def test_password_change_refuses_wrong_old_password(writer_client, writer):
    response = writer_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    writer.refresh_from_db()
    assert writer.check_password(PASSWORD)


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_reset_for_known_address_emails_a_working_link(client, writer):
    response = client.post(RESET, {"email": "Writer@example.org"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["writer@example.org"]
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)

    # Django swaps the token for a session value and redirects to a set-password form.
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "reset-secret-987", "new_password2": "reset-secret-987"})

    assert response["Location"] == reverse("accounts:password_reset_complete")
    writer.refresh_from_db()
    assert writer.check_password("reset-secret-987")
    # A used link does not work again.
    assert "This link has expired" in Client().get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_reset_for_unknown_address_looks_the_same_and_sends_nothing(client, writer):
    known = client.post(RESET, {"email": "writer@example.org"}, follow=True)
    mail.outbox.clear()

    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.content == known.content
    assert mail.outbox == []
