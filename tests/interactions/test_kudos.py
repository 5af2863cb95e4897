"""Kudos: once per reader, never on your own work, with or without JavaScript."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fanfold.interactions.models import Kudos
from fanfold.interactions.services import kudos_give
from tests.conftest import client_for
from tests.interactions.conftest import feedback_html

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def kudos_url(work) -> str:
    return reverse("interactions:kudos", kwargs={"work_id": work.pk})


def test_a_user_leaves_kudos_once(make_work, writer, reader):
    work = make_work(writer)
    kudos_give(work=work, user=reader)
    with pytest.raises(ValidationError, match="You have already left kudos here"):
        kudos_give(work=work, user=reader)
    work.refresh_from_db()
    assert work.kudos_count == 1
    assert Kudos.objects.filter(work=work).count() == 1


def test_second_kudos_from_the_page_shows_a_message(make_work, writer, reader_client):
    work = make_work(writer)
    first = reader_client.post(kudos_url(work), follow=True)
    assert "Thank you for leaving kudos!" in [str(m) for m in first.context["messages"]]
    second = reader_client.post(kudos_url(work))
    assert second.status_code == 302
    assert second["Location"] == work.get_absolute_url() + "#kudos"
    messages = [str(m) for m in reader_client.get("/").context["messages"]]
    assert "You have already left kudos here. :)" in messages
    work.refresh_from_db()
    assert work.kudos_count == 1


def test_guests_leave_kudos_once_per_address(make_work, writer):
    work = make_work(writer)
    kudos_give(work=work, ip_address="198.51.100.1")
    with pytest.raises(ValidationError, match="already left kudos"):
        kudos_give(work=work, ip_address="198.51.100.1")
    kudos_give(work=work, ip_address="198.51.100.2")
    work.refresh_from_db()
    assert work.kudos_count == 2


def test_guest_kudos_through_the_view_counts_the_address(make_work, writer):
    work = make_work(writer)
    guest = Client(REMOTE_ADDR="198.51.100.7")
    assert guest.post(kudos_url(work), **JSON).json()["ok"] is True
    answer = guest.post(kudos_url(work), **JSON)
    assert answer.status_code == 409
    assert answer.json()["ok"] is False
    assert answer.json()["message"] == "You have already left kudos here. :)"
    assert answer.json()["kudos_count"] == 1
    assert Client(REMOTE_ADDR="198.51.100.8").post(kudos_url(work), **JSON).json()["kudos_count"] == 2


def test_no_kudos_on_your_own_work(make_work, writer, writer_client):
    work = make_work(writer)
    with pytest.raises(ValidationError, match="You can't leave kudos on your own work."):
        kudos_give(work=work, user=writer)
    answer = writer_client.post(kudos_url(work), **JSON)
    assert answer.status_code == 403
    assert answer.json()["message"] == "You can't leave kudos on your own work."
    work.refresh_from_db()
    assert work.kudos_count == 0


def test_guests_cannot_leave_kudos_on_restricted_works(make_work, writer, client):
    work = make_work(writer, restricted=True)
    with pytest.raises(ValidationError, match="sign in"):
        kudos_give(work=work, ip_address="198.51.100.1")
    # Guests cannot see the work at all, so the page does not exist for them.
    assert client.post(kudos_url(work)).status_code == 404
    assert Kudos.objects.count() == 0


def test_no_kudos_on_drafts(make_work, writer, reader, reader_client):
    draft = make_work(writer, post=False)
    with pytest.raises(ValidationError, match="draft"):
        kudos_give(work=draft, user=reader)
    assert reader_client.post(kudos_url(draft)).status_code == 404
    assert Kudos.objects.count() == 0


def test_json_answer_for_scripts(make_work, writer, reader_client):
    work = make_work(writer)
    answer = reader_client.post(
        kudos_url(work), {"next": work.get_absolute_url()}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert answer.status_code == 200
    data = answer.json()
    assert (data["ok"], data["message"], data["kudos_count"]) == (True, "Thank you for leaving kudos!", 1)
    # The kudos section as it now stands, for the page to swap in: the new name, the button gone.
    assert '<section id="kudos"' in data["html"] and ">reader</a>" in data["html"]
    assert "hidden>Kudos ♥" in data["html"]
    assert f'name="next" value="{work.get_absolute_url()}"' in data["html"]


def test_kudos_needs_a_csrf_token(make_work, writer, reader):
    work = make_work(writer)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(kudos_url(work)).status_code == 403
    assert Kudos.objects.count() == 0


def test_kudos_is_post_only(make_work, writer, reader_client):
    work = make_work(writer)
    assert reader_client.get(kudos_url(work)).status_code == 405


def test_the_page_lists_who_left_kudos(make_work, make_user, writer):
    work = make_work(writer)
    fans = [make_user(f"fan{i}") for i in range(3)]
    for fan in fans:
        kudos_give(work=work, user=fan)
    kudos_give(work=work, ip_address="198.51.100.1")
    kudos_give(work=work, ip_address="198.51.100.2")
    html = feedback_html(work, ip="192.0.2.1")
    assert "5 kudos" in html
    for fan in fans:
        assert f'href="{reverse("accounts:profile", kwargs={"username": fan.username})}"' in html
    assert "and 2 guests left kudos" in html
    assert "Kudos ♥" in html


def test_the_kudos_button_is_hidden_from_creators_and_after_kudos(make_work, writer, reader):
    work = make_work(writer)
    assert '<button type="submit">Kudos ♥</button>' in feedback_html(work, user=reader)
    assert "Kudos ♥" not in feedback_html(work, user=writer)
    kudos_give(work=work, user=reader)
    html = feedback_html(work, user=reader)
    assert '<button type="submit" hidden>Kudos ♥</button>' in html and "You left kudos on this work." in html


def test_kudos_redirect_goes_back_to_the_chapter_page(make_work, writer, reader):
    work = make_work(writer)
    chapter = work.chapters.get()
    answer = client_for(reader).post(kudos_url(work), {"next": chapter.get_absolute_url()})
    assert answer["Location"] == chapter.get_absolute_url() + "#kudos"
    # A `next` off the site is ignored.
    answer = Client(REMOTE_ADDR="198.51.100.3").post(kudos_url(work), {"next": "https://evil.example/"})
    assert answer["Location"] == work.get_absolute_url() + "#kudos"
