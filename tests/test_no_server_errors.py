"""Nothing a person can send makes the archive answer with a server error."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from fanfold.interactions.models import Comment

pytestmark = pytest.mark.django_db

JUNK_VALUES = ["", "x" * 300, "-1", "0", "99999999999999999999", "<script>alert(1)</script>", "%00", "ü/\\*"]


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if "admin" in str(entry.pattern):
                continue
            yield from all_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def fill(pattern: str, ids: dict) -> str:
    path = pattern
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    path = path.replace("<uidb64>", "MQ").replace("<token>", "set-password")
    return "/" + path


@pytest.fixture
def world(make_work, writer, reader, reader_client):
    work = make_work(writer, comment_permission="everyone")
    reader_client.post(f"/works/{work.pk}/comments/", {"content": "Lovely."})
    comment = Comment.objects.first()
    return {
        "work_id": work.pk,
        "chapter_id": work.chapters.first().pk,
        "comment_id": comment.pk if comment else 1,
        "username": writer.username,
        "pseud": writer.username,
        "name": "Original Work",
    }


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_every_page_survives_junk(world, who, client, writer_client, reader_client):
    http = {"guest": client, "writer": writer_client, "reader": reader_client}[who]
    for pattern in all_patterns():
        path = fill(pattern, world)
        if "<" in path:
            continue
        assert http.get(path).status_code < 500, path
        assert http.get(path, {"page": "junk", "view_full_work": "maybe", "view_adult": "1"}).status_code < 500, path
        for junk in JUNK_VALUES:
            data = {key: junk for key in (
                "content", "title", "fandoms", "rating", "warnings", "pseuds", "expected_chapters",
                "published_on", "language", "text_format", "comment_permission", "username", "email",
                "password1", "password2", "parent_id", "chapter_id", "guest_name", "guest_email", "next",
                "bio", "label", "url", "name", "time_zone", "position_1",
            )}  # fmt: skip
            data["post"] = "1"
            response = http.post(path, data)
            assert response.status_code < 500, (path, junk)
