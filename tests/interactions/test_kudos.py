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


def test_a_work_page_reads_its_kudos_line_with_the_work(make_work, make_user, writer, reader, monkeypatch):
    """The work page asks for the first names and whether this viewer left kudos with the work itself: the
    same line, in the order kudos were left, for users and for guests by address, and no kudos query."""
    import datetime
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fanfold.interactions import selectors

    work = make_work(writer)
    fans = [make_user(name) for name in ("zed", "amy", "mo")]
    for fan in [*fans, reader]:
        kudos_give(work=work, user=fan)
    kudos_give(work=work, ip_address="198.51.100.1")
    # Left in the order zed, amy, mo, reader, whatever their ids: backdate amy's to be first.
    Kudos.objects.filter(user=fans[1]).update(created_at=timezone.now() - datetime.timedelta(days=1))

    def page(client) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as captured:
            html = client.get(f"{work.get_absolute_url()}?view_adult=true").content.decode()
        line = re.search(r'<p class="kudos-givers">(.*?)</p>', html, re.S).group(1)
        return html, line, sum('"interactions_kudos"' in query["sql"] for query in captured)

    html, line, kudos_queries = page(Client(REMOTE_ADDR="198.51.100.1"))
    assert re.findall(r">(\w+)</a>", line) == ["amy", "zed", "mo", reader.username]
    assert "and 1 guest left kudos" in line and "5 kudos" in html
    assert "You left kudos on this work." in html  # this address did
    assert kudos_queries == 1  # the work's own query, which reads them

    html, _line, _queries = page(Client(REMOTE_ADDR="198.51.100.7"))
    assert "You left kudos on this work." not in html  # another address did not
    html, _line, _queries = page(client_for(reader))
    assert "You left kudos on this work." in html
    html, _line, _queries = page(client_for(fans[0]))
    assert "You left kudos on this work." in html
    html, _line, _queries = page(client_for(make_user("newcomer")))
    assert "You left kudos on this work." not in html

    # More users than are named: the first ones, and how many more, counted from the rows.
    monkeypatch.setattr(selectors, "KUDOS_NAMES_SHOWN", 2)
    html, line, _queries = page(Client(REMOTE_ADDR="198.51.100.7"))
    assert re.findall(r">(\w+)</a>", line) == ["amy", "zed"]
    assert "and 2 more users and 1 guest left kudos" in line
