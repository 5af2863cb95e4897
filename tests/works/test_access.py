"""Who may see which works: drafts only their creators, restricted works only signed-in users."""

import pytest
from django.test import Client
from django.urls import reverse

from fanfold.works.models import Work
from fanfold.works.selectors import visible_works

pytestmark = pytest.mark.django_db


def listing_pages(work):
    """Every page built so far that lists works, for a work's fandom."""
    fandom = work.fandoms[0]
    return [reverse("home"), reverse("works:list"), fandom.get_absolute_url()]


@pytest.fixture
def draft(make_work, writer):
    return make_work(writer, title="Secret Draft Title", post=False, fandoms=["Draft Fandom"])


@pytest.fixture
def restricted(make_work, writer):
    return make_work(writer, title="Members Only Title", restricted=True, fandoms=["Quiet Fandom"])


def test_draft_is_invisible_to_everyone_but_its_creator(draft, writer_client, reader_client, client):
    chapter = draft.chapters.get()
    for other in (client, reader_client):
        assert other.get(draft.get_absolute_url()).status_code == 404
        assert other.get(chapter.get_absolute_url()).status_code == 404
        for url in listing_pages(draft):
            page = other.get(url)
            assert "Secret Draft Title" not in page.content.decode()
    assert writer_client.get(draft.get_absolute_url()).status_code == 200
    assert "Secret Draft Title" in writer_client.get(reverse("works:drafts")).content.decode()
    # Drafts are not listed even for their creator: they live on the drafts page.
    assert "Secret Draft Title" not in writer_client.get(reverse("works:list")).content.decode()


def test_draft_is_not_in_anyones_drafts_but_the_creators(draft, reader_client):
    assert "Secret Draft Title" not in reader_client.get(reverse("works:drafts")).content.decode()


def test_restricted_work_is_invisible_to_guests(restricted, client, reader_client):
    response = client.get(restricted.get_absolute_url())
    assert response.status_code == 403
    page = response.content.decode()
    assert "only available to signed-in users" in page
    assert "Members Only Title" not in page and "Once upon a time" not in page
    for url in listing_pages(restricted):
        assert "Members Only Title" not in client.get(url).content.decode()
    assert "Members Only Title" in reader_client.get(restricted.get_absolute_url()).content.decode()
    assert "Members Only Title" in reader_client.get(reverse("works:list")).content.decode()


def test_restricted_chapter_url_is_also_closed_to_guests(restricted, client):
    chapter = restricted.chapters.get()
    assert client.get(chapter.get_absolute_url()).status_code == 403


def test_hidden_work_is_seen_by_its_creator_only(make_work, writer, writer_client, reader_client, client):
    work = make_work(writer, title="Hidden Away")
    Work.objects.filter(pk=work.pk).update(hidden=True)
    assert reader_client.get(work.get_absolute_url()).status_code == 404
    assert client.get(work.get_absolute_url()).status_code == 404
    assert writer_client.get(work.get_absolute_url()).status_code == 200


def test_visible_works_selector(make_work, writer, reader, draft, restricted):
    from django.contrib.auth.models import AnonymousUser

    public = make_work(writer, title="Public")
    assert set(visible_works(AnonymousUser())) == {public}
    assert set(visible_works(reader)) == {public, restricted}
    assert set(visible_works(writer)) == {public, restricted, draft}


def test_unknown_work_is_a_friendly_404(client):
    response = client.get("/works/999999/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_junk_page_numbers_do_not_break_listings(client, make_work):
    make_work()
    for page in ("0", "-1", "abc", "99999"):
        assert client.get(reverse("works:list"), {"page": page}).status_code == 200


def test_guest_cannot_read_draft_chapter_of_posted_work(make_work, writer, writer_client):
    work = make_work(writer)
    writer_client.post(
        reverse("works:chapter_new", kwargs={"work_id": work.pk}),
        {"content": "Draft chapter text", "text_format": "html", "draft": "1"},
    )
    draft_chapter = work.chapters.get(posted=False)
    guest = Client()
    assert guest.get(draft_chapter.get_absolute_url()).status_code == 404
    assert "Draft chapter text" not in guest.get(work.get_absolute_url() + "?view_full_work=true").content.decode()
