"""Reading preferences: saved per user, shown back, and used for times."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from fanfold.accounts.models import Preference
from fanfold.accounts.selectors import user_preference

PREFERENCES = reverse("accounts:preferences")


@pytest.mark.django_db
def test_preferences_page_needs_login(client):
    response = client.get(PREFERENCES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_preferences_page_has_labelled_options(writer_client):
    html = writer_client.get(PREFERENCES).content.decode()

    assert "Show adult works without the warning page" in html
    assert "Show the entire work by default" in html
    assert '<label for="id_time_zone">Time zone</label>' in html
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html


@pytest.mark.django_db
def test_preferences_save_with_a_message(writer_client, writer):
    response = writer_client.post(
        PREFERENCES,
        {"view_adult": "on", "view_full_works": "on", "hide_freeform": "on", "time_zone": "Europe/Berlin"},
        follow=True,
    )

    assert "Your preferences were saved." in response.content.decode()
    preference = Preference.objects.get(user=writer)
    assert preference.view_adult is True
    assert preference.view_full_works is True
    assert preference.hide_freeform is True
    assert preference.hide_warnings is False
    assert preference.time_zone == "Europe/Berlin"
    assert 'value="Europe/Berlin" selected' in response.content.decode()


@pytest.mark.django_db
def test_unknown_time_zone_is_refused(writer_client, writer):
    response = writer_client.post(PREFERENCES, {"view_adult": "on", "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Preference.objects.get(user=writer).view_adult is False


@pytest.mark.django_db
def test_users_without_preferences_get_them_on_save(writer_client, writer):
    Preference.objects.filter(user=writer).delete()
    writer.refresh_from_db()

    assert writer_client.get(PREFERENCES).status_code == 200
    writer_client.post(PREFERENCES, {"hide_warnings": "on", "time_zone": "UTC"})

    assert Preference.objects.get(user=writer).hide_warnings is True


@pytest.mark.django_db
def test_user_preference_defaults_for_guests(writer):
    assert user_preference(AnonymousUser()).view_adult is False
    assert user_preference(writer).pk == writer.preference.pk
