"""Request plumbing: guests behind a trusted proxy told apart, control characters refused at the door."""

import io
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory, override_settings

from fanfold.core.middleware import UNUSABLE_CHARACTERS, ControlCharacterMiddleware, ForwardedForMiddleware
from fanfold.tags.models import Tag
from fanfold.works.models import Work


def address_seen(meta: dict, **settings) -> str:
    with override_settings(**settings):
        middleware = ForwardedForMiddleware(lambda request: request.META["REMOTE_ADDR"])
        return middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta))


def test_header_ignored_without_trusted_proxies():
    assert address_seen({"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, TRUSTED_PROXY_COUNT=0) == "10.0.0.1"


def test_client_address_taken_from_one_trusted_proxy():
    meta = {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    # A client may forge the first entry; the proxy's own appended entry is the one to trust.
    assert address_seen(meta, TRUSTED_PROXY_COUNT=1) == "203.0.113.9"
    assert address_seen(meta, TRUSTED_PROXY_COUNT=2) == "198.51.100.7"


# Control characters are refused at the door ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/users/a%00b/",
        "/tags/a%00b/works/",
        "/works/?other_tags=%00",
        "/works/?q=a%01b",
        "/works/?q=a%0D%0Ab",
        "/works/?a%00b=1",
        "/users/a%1Bb/works/",
    ],
)
def test_control_characters_in_the_address_get_the_400_page(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "errors/400.html" in [template.name for template in response.templates]
    assert UNUSABLE_CHARACTERS in response.content.decode()


@pytest.mark.django_db
def test_autocomplete_answers_json_it_can_read(client):
    response = client.get("/tags/autocomplete/?term=%00", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": UNUSABLE_CHARACTERS}


@pytest.mark.django_db
def test_a_tab_in_a_search_is_not_refused(client):
    assert client.get("/works/?q=a%09b").status_code == 200


def posting_form(**changes) -> dict:
    return {
        "title": "Lanterns",
        "rating": "General Audiences",
        "warnings": "No Archive Warnings Apply",
        "fandoms": "Original Work",
        "content": "<p>First line.</p>\r\n\r\n<p>Second\tline.</p>",
        "text_format": "html",
        "language": "en",
        "comment_permission": "everyone",
        "post": "1",
    } | changes


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["fandoms", "freeforms", "title", "content"])
@pytest.mark.parametrize("multipart", [True, False])
def test_a_nul_in_any_form_field_is_refused_and_nothing_is_stored(writer, writer_client, field, multipart):
    data = posting_form(pseuds=str(writer.default_pseud.pk)) | {field: "Fluff\x00, Angst"}
    if multipart:
        response = writer_client.post("/works/new/", data)
    else:
        response = writer_client.post("/works/new/", urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert UNUSABLE_CHARACTERS in response.content.decode()
    assert not Work.objects.exists()
    assert not [name for name in Tag.objects.values_list("name", flat=True) if "\x00" in name]


@pytest.mark.django_db
def test_other_control_characters_in_a_form_are_refused(writer, writer_client):
    data = posting_form(pseuds=str(writer.default_pseud.pk), title="Bell\x07")
    assert writer_client.post("/works/new/", data).status_code == 400
    assert not Work.objects.exists()


@pytest.mark.django_db
def test_tabs_and_line_breaks_in_a_story_are_kept(writer, writer_client):
    response = writer_client.post("/works/new/", posting_form(pseuds=str(writer.default_pseud.pk)))
    assert response.status_code == 302
    assert "Second\tline." in Work.objects.get().chapters.get().content


@pytest.mark.django_db
def test_a_session_cookie_holding_a_nul_is_ignored(client):
    # A forged cookie would otherwise reach the session table (a server error on PostgreSQL).
    client.cookies["sessionid"] = "abcdefghijklmnop\x00"
    response = client.get("/works/")
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


def test_an_ordinary_request_passes():
    middleware = ControlCharacterMiddleware(lambda request: "the view")
    assert middleware(RequestFactory().get("/works/", {"q": "tea & toast"})) == "the view"
    assert middleware(RequestFactory().post("/works/new/", {"content": "one\r\ntwo\tthree"})) == "the view"


def test_a_body_that_cannot_be_read_is_left_to_csrf_checking():
    class Gone(io.RawIOBase):
        def read(self, *args):
            raise OSError("client went away")

    request = RequestFactory().post("/works/new/", "title=x", content_type="application/x-www-form-urlencoded")
    request._stream = Gone()
    assert ControlCharacterMiddleware(lambda request: "the view")(request) == "the view"
