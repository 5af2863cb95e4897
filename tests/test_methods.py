"""Which HTTP methods change what: GET never writes, writes need the CSRF token, DELETE deletes."""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from fanfold.accounts.models import Mute, Pseud, TagExclusion
from fanfold.interactions.models import Comment
from fanfold.works.models import Chapter, Work
from tests.test_security_headers import build_archive, every_url

pytestmark = pytest.mark.django_db

# Reading a work counts a hit (AO3 does too); every other GET must leave the database as it was.
COUNTS_HITS = {"works:detail", "works:chapter"}


@pytest.fixture
def archive(make_user, make_work):
    return build_archive(make_user, make_work)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table but the sessions (a visit may start one)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model is not Session
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def csrf_client(user) -> tuple[Client, str]:
    """A signed-in client that, like a browser, must send the CSRF token it was given with every write."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # every page a signed-in user sees holds the log-out form, which sets the cookie
    return client, client.cookies["csrftoken"].value


# DELETE on each delete URL -----------------------------------------------------------------------


def _delete_cases(archive) -> dict:
    """name: (who deletes, URL, what should be gone)."""
    work, chapter, comment = archive["work"], archive["chapter"], archive["comment"]
    return {
        "work": ("writer", reverse("works:delete", args=[work.pk]), Work.objects.filter(pk=work.pk)),
        "chapter": (
            "writer",
            reverse("works:chapter_delete", args=[work.pk, chapter.pk]),
            Chapter.objects.filter(pk=chapter.pk),
        ),
        "comment by its author": (
            "reader",
            reverse("interactions:comment_delete", args=[comment.pk]),
            Comment.objects.filter(pk=comment.pk),
        ),
        "comment by the work's creator": (
            "writer",
            reverse("interactions:comment_delete", args=[comment.pk]),
            Comment.objects.filter(pk=comment.pk),
        ),
        "pseud": (
            "writer",
            reverse("accounts:pseud_delete", args=["writer", archive["pseud"].name]),
            Pseud.objects.filter(pk=archive["pseud"].pk),
        ),
        "muted user": (
            "reader",
            reverse("accounts:unmute", args=[archive["muted_username"]]),
            Mute.objects.filter(user=archive["users"]["reader"]),
        ),
        "excluded tag": (
            "reader",
            reverse("accounts:excluded_tag_remove", args=[archive["excluded"].pk]),
            TagExclusion.objects.filter(user=archive["users"]["reader"]),
        ),
    }


DELETE_CASES = [
    "work",
    "chapter",
    "comment by its author",
    "comment by the work's creator",
    "pseud",
    "muted user",
    "excluded tag",
]


@pytest.mark.parametrize("case", DELETE_CASES)
def test_delete_deletes_and_sends_the_browser_on_with_get(archive, case):
    who, url, gone = _delete_cases(archive)[case]
    client, token = csrf_client(archive["users"][who])
    assert gone.exists()

    response = client.delete(url, headers={"X-CSRFToken": token})

    assert not gone.exists()
    # 303, not 302: a browser follows a 302 after DELETE with another DELETE.
    assert response.status_code == 303
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("case", DELETE_CASES)
def test_delete_without_the_csrf_token_is_refused(archive, case):
    who, url, gone = _delete_cases(archive)[case]
    client, _token = csrf_client(archive["users"][who])

    response = client.delete(url)

    assert response.status_code == 403
    assert gone.exists()


@pytest.mark.parametrize("case", DELETE_CASES)
def test_delete_by_someone_else_deletes_nothing(archive, case, make_user):
    _who, url, gone = _delete_cases(archive)[case]
    client, token = csrf_client(make_user("stranger"))

    client.delete(url, headers={"X-CSRFToken": token})

    assert gone.exists()


def test_the_confirmation_forms_still_delete_by_post(archive):
    client, token = csrf_client(archive["users"]["writer"])
    work = archive["work"]

    response = client.post(reverse("works:delete", args=[work.pk]), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert not Work.objects.filter(pk=work.pk).exists()


# GET changes nothing -----------------------------------------------------------------------------

# URLs whose only job is a change: a GET is told the method is not allowed.
ACTIONS = [
    ("writer", "accounts:logout", []),
    ("writer", "works:post", ["work"]),
    ("writer", "works:chapter_post", ["work", "chapter"]),
    ("reader", "interactions:kudos", ["work"]),
    ("reader", "interactions:comment_create", ["work"]),
    ("writer", "interactions:comment_approve", ["pending"]),
    ("reader", "accounts:mute", ["writer"]),
    ("reader", "accounts:unmute", ["noisy"]),
    ("writer", "accounts:pseud_make_default", ["writer", "Quill"]),
    ("reader", "accounts:excluded_tag_remove", ["excluded"]),
    ("wrangler", "tags:wrangle_accept", ["unwrangled"]),
    ("wrangler", "tags:wrangle_canonical", ["unwrangled"]),
    ("reader", "readings:mark_for_later", ["work"]),
    ("reader", "readings:mark_as_read", ["work"]),
    ("reader", "readings:history_delete", ["reader", "work"]),
    ("writer", "series:remove_work", ["series", "work"]),
]
# Delete URLs: a GET asks to confirm, with a form that posts.
CONFIRMATIONS = [
    ("writer", "works:delete", ["work"]),
    ("writer", "works:chapter_delete", ["work", "chapter"]),
    ("reader", "interactions:comment_delete", ["comment"]),
    ("writer", "accounts:pseud_delete", ["writer", "Quill"]),
    ("writer", "series:delete", ["series"]),
    ("reader", "readings:history_clear", ["reader"]),
]


def _url(archive, name: str, parts: list[str]) -> str:
    values = {
        "work": archive["work"].pk,
        "chapter": archive["chapter"].pk,
        "comment": archive["comment"].pk,
        "pending": archive["pending"].pk,
        "excluded": archive["excluded"].pk,
        "unwrangled": archive["ids"]["tag_id"],
        "series": archive["series"].pk,
    }
    return reverse(name, args=[values.get(part, part) for part in parts])


@pytest.mark.parametrize("who, name, parts", ACTIONS, ids=[name for _who, name, _parts in ACTIONS])
def test_a_get_to_an_action_is_not_allowed(archive, who, name, parts):
    client, _token = csrf_client(archive["users"][who])
    before = snapshot()

    response = client.get(_url(archive, name, parts))

    assert response.status_code == 405
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("who, name, parts", CONFIRMATIONS, ids=[name for _who, name, _parts in CONFIRMATIONS])
def test_a_get_to_a_delete_url_asks_to_confirm(archive, who, name, parts):
    client, _token = csrf_client(archive["users"][who])
    before = snapshot()

    response = client.get(_url(archive, name, parts))

    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("who", ["guest", "writer", "reader", "wrangler"])
def test_no_get_anywhere_changes_the_database(archive, who):
    client = Client()
    if who != "guest":
        client.force_login(archive["users"][who])
    before = snapshot()

    for path, name in every_url(archive["ids"]):
        if name not in COUNTS_HITS:
            client.get(path)
            client.get(path, {"next": "/", "page": "2"})

    assert changed_tables(before, snapshot()) == []


def test_every_write_without_the_csrf_token_is_refused(archive):
    """POST and DELETE to every URL, as each signed-in user, without the token: refused, nothing changed."""
    signed_in = {who: csrf_client(archive["users"][who])[0] for who in ("writer", "reader", "wrangler")}
    before = snapshot()
    for who, client in signed_in.items():
        for path, name in every_url(archive["ids"]):
            for method in (client.post, client.delete):
                response = method(path, {})
                assert response.status_code == 403, f"{method.__name__.upper()} {path} ({name}) as {who}"

    assert changed_tables(before, snapshot()) == []
