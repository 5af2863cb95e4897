"""Profiles: the page everyone sees, and the editor only its owner may use."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fanfold.accounts.models import ProfileLink
from fanfold.accounts.services import LinkFields, profile_update, pseud_create
from fanfold.works.models import Work


def profile_url(username: str) -> str:
    return reverse("accounts:profile", kwargs={"username": username})


def edit_url(username: str) -> str:
    return reverse("accounts:profile_edit", kwargs={"username": username})


def edit_data(links=(), *, bio="", text_format="html", show_links_on_works=False, initial=0):
    """A POST of the profile editor with `links` as (label, url, position) rows."""
    data = {
        "bio": bio,
        "text_format": text_format,
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": str(initial),
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "1000",
    }
    if show_links_on_works:
        data["show_links_on_works"] = "on"
    for index, (label, url, position) in enumerate(links):
        data[f"links-{index}-label"] = label
        data[f"links-{index}-url"] = url
        data[f"links-{index}-ORDER"] = str(position)
    return data


# The profile page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_profile_shows_pseuds_bio_and_links_in_order_with_nofollow(client, writer):
    pseud_create(user=writer, name="Night Owl")
    profile_update(
        user=writer,
        bio="I write *about* owls.",
        text_format="markdown",
        show_links_on_works=False,
        links=[LinkFields("tumblr", "https://writer.tumblr.com"), LinkFields("prompts", "https://example.org/p")],
    )

    html = client.get(profile_url("writer")).content.decode()

    assert "<h1>writer</h1>" in html
    assert "Night Owl" in html
    assert "<p>I write <em>about</em> owls.</p>" in html
    tumblr = '<a href="https://writer.tumblr.com" rel="nofollow">tumblr</a>'
    prompts = '<a href="https://example.org/p" rel="nofollow">prompts</a>'
    assert tumblr in html and prompts in html
    assert html.index(tumblr) < html.index(prompts)


@pytest.mark.django_db
def test_profile_lists_the_users_visible_works_only(client, writer, reader, make_work):
    make_work(writer, title="Posted Story")
    make_work(writer, title="Secret Draft", post=False)
    make_work(writer, title="Members Only", restricted=True)
    make_work(reader, title="Someone Else's")

    guest_html = client.get(profile_url("writer")).content.decode()

    assert "Posted Story" in guest_html
    assert "Secret Draft" not in guest_html
    assert "Members Only" not in guest_html
    assert "Someone Else&#x27;s" not in guest_html and "Someone Else's" not in guest_html


@pytest.mark.django_db
def test_profile_works_are_paginated_twenty_a_page(client, writer, make_work):
    for number in range(21):
        make_work(writer, title=f"Story {number:02d}")
    Work.objects.filter(title="Story 00").update(revised_at="2001-01-01T00:00:00Z")

    first = client.get(profile_url("writer")).content.decode()
    second = client.get(profile_url("writer") + "?page=2").content.decode()

    assert sum(f"Story {n:02d}" in first for n in range(21)) == 20
    assert "Story 00" not in first
    assert "Story 00" in second
    assert "Page 2 of 2" in second


@pytest.mark.django_db
def test_profile_queries_do_not_grow_with_the_number_of_works(client, writer, make_work):
    make_work(writer, title="One")
    with CaptureQueriesContext(connection) as few:
        client.get(profile_url("writer"))
    for number in range(5):
        make_work(writer, title=f"More {number}")

    with CaptureQueriesContext(connection) as many:
        response = client.get(profile_url("writer"))

    assert "More 4" in response.content.decode()
    assert len(many) == len(few)


@pytest.mark.django_db
def test_unknown_user_is_404(client, db):
    assert client.get(profile_url("nobody")).status_code == 404


@pytest.mark.django_db
def test_profile_url_in_other_case_redirects_to_the_real_name(client, writer):
    response = client.get(profile_url("WRITER"))

    assert response.status_code == 302
    assert response["Location"] == profile_url("writer")


# The editor ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_saves_links_in_the_chosen_order(writer_client, writer):
    response = writer_client.post(
        edit_url("writer"),
        edit_data([("prompts", "https://example.org/p", 2), ("tumblr", "writer.tumblr.com", 1), ("", "", "")]),
    )

    assert response["Location"] == profile_url("writer")
    assert [(link.label, link.url) for link in writer.profile_links.all()] == [
        ("tumblr", "https://writer.tumblr.com"),
        ("prompts", "https://example.org/p"),
    ]


@pytest.mark.django_db
def test_editor_shows_existing_links_and_removes_ticked_ones(writer_client, writer):
    profile_update(
        user=writer,
        bio="",
        show_links_on_works=False,
        links=[LinkFields("tumblr", "https://writer.tumblr.com"), LinkFields("prompts", "https://example.org/p")],
    )
    page = writer_client.get(edit_url("writer")).content.decode()
    assert 'value="https://writer.tumblr.com"' in page
    assert 'value="prompts"' in page

    data = edit_data([("tumblr", "https://writer.tumblr.com", 1), ("prompts", "https://example.org/p", 2)], initial=2)
    data["links-0-DELETE"] = "on"
    writer_client.post(edit_url("writer"), data)

    assert list(writer.profile_links.values_list("label", flat=True)) == ["prompts"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi", "ftp://x.org/"])
def test_editor_rejects_non_web_links_and_keeps_input(writer_client, writer, url):
    response = writer_client.post(
        edit_url("writer"), edit_data([("tumblr", "https://writer.tumblr.com", 1), ("evil", url, 2)], bio="My bio")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Links must be web addresses starting with http:// or https://." in html
    assert 'value="evil"' in html
    assert 'value="https://writer.tumblr.com"' in html
    assert "My bio" in html
    assert not ProfileLink.objects.exists()
    writer.refresh_from_db()
    assert writer.bio == ""


@pytest.mark.django_db
def test_editor_needs_both_label_and_address(writer_client, writer):
    response = writer_client.post(edit_url("writer"), edit_data([("tumblr", "", 1)]))

    assert "Please enter the address the link goes to." in response.content.decode()
    assert not ProfileLink.objects.exists()


@pytest.mark.django_db
def test_editor_refuses_more_than_twenty_links(writer_client, writer):
    links = [(f"link {n}", f"https://example.org/{n}", n) for n in range(1, 22)]

    response = writer_client.post(edit_url("writer"), edit_data(links))

    assert response.status_code == 200
    assert "You can have at most 20 profile links; you entered 21." in response.content.decode()
    assert not ProfileLink.objects.exists()


@pytest.mark.django_db
def test_editor_survives_a_post_without_the_links_management_form(writer_client, writer):
    response = writer_client.post(edit_url("writer"), {"bio": "Hello", "text_format": "html"})

    assert response.status_code == 200
    assert "Hello" in response.content.decode()


@pytest.mark.django_db
def test_bio_is_sanitized(writer_client, writer):
    bio = (
        '<p>Hello <em>reader</em> <a href="https://example.org" onclick="steal()">site</a>'
        '<script>alert("x")</script><span style="color:red">red</span>'
        '<a href="javascript:alert(1)">bad</a></p>'
        '<iframe src="https://evil.example"></iframe><svg onload="alert(1)"><circle/></svg>'
    )

    writer_client.post(edit_url("writer"), edit_data(bio=bio))

    writer.refresh_from_db()
    assert "<em>reader</em>" in writer.bio
    assert '<a href="https://example.org" rel="nofollow">site</a>' in writer.bio
    for gone in ["<script", "alert", "onclick", "style=", "javascript:", "<iframe", "<svg", "onload"]:
        assert gone not in writer.bio
    html = writer_client.get(profile_url("writer")).content.decode()
    assert "<script>alert" not in html
    assert "<em>reader</em>" in html


@pytest.mark.django_db
def test_show_links_on_works_is_saved(writer_client, writer):
    writer_client.post(edit_url("writer"), edit_data(show_links_on_works=True))

    writer.refresh_from_db()
    assert writer.show_links_on_works is True


@pytest.mark.django_db
def test_too_long_bio_is_refused_and_kept(writer_client, writer):
    response = writer_client.post(edit_url("writer"), edit_data(bio="x" * 2001))

    assert "Your bio can be at most 2,000 characters long (it is 2,001)." in response.content.decode()
    writer.refresh_from_db()
    assert writer.bio == ""


@pytest.mark.django_db
def test_another_user_cannot_edit_my_profile(reader_client, writer):
    assert reader_client.get(edit_url("writer")).status_code == 403

    # New users show their links by default; the other user tries to turn that off.
    response = reader_client.post(edit_url("writer"), edit_data(bio="pwned", show_links_on_works=False))

    assert response.status_code == 403
    writer.refresh_from_db()
    assert writer.bio == ""
    assert writer.show_links_on_works is True


@pytest.mark.django_db
def test_guests_are_sent_to_log_in_to_edit(client, writer):
    response = client.get(edit_url("writer"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_profile_update_refuses_unsafe_links_directly(writer):
    with pytest.raises(ValidationError) as caught:
        profile_update(user=writer, bio="", show_links_on_works=False, links=[LinkFields("x", "javascript:alert(1)")])

    assert caught.value.message_dict["links"] == [
        "Link 1: Links must be web addresses starting with http:// or https://."
    ]
