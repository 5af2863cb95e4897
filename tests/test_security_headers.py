"""Every answer carries the Content-Security-Policy and Permissions-Policy, and no page needs inline code."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fanfold.accounts.services import LinkFields, mute_add, profile_update, pseud_create, tag_exclusion_add
from fanfold.bookmarks.services import BookmarkFields, bookmark_save
from fanfold.interactions.services import comment_create
from fanfold.series.services import SeriesFields, series_add_work, series_create
from fanfold.tags.models import Tag
from fanfold.works.services import ChapterFields, chapter_add
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# What a writer might paste: the sanitizer keeps the image and the centred divider, and drops the rest.
WORK_TEXT = (
    '<p align="center">* * *</p><p style="color: red" onclick="alert(1)">Once upon a time.</p>'
    '<img src="https://images.example.org/divider.png" alt="divider"><script>alert(2)</script>'
)


# The archive every test here walks ---------------------------------------------------------------


def build_archive(make_user, make_work) -> dict:
    """A writer with a two-chapter work, a second pseud and a profile link; a reader who commented, muted
    someone and excludes a tag; a work with a comment waiting for approval; a tag wrangler."""
    writer, reader = make_user("writer"), make_user("reader")
    wrangler = make_user("wrangler")
    wrangler.user_permissions.add(Permission.objects.get(codename="wrangle_tags"))
    work = make_work(
        writer,
        content=WORK_TEXT,
        title="The Long Way Round",
        freeforms=["slow burnnn", "Angst"],
        comment_permission="everyone",
        expected_chapters=2,
    )
    chapter = chapter_add(work=work, fields=ChapterFields(content="<p>The second part.</p>"), post=True)
    moderated = make_work(writer, title="Waiting Room", moderate_comments=True, comment_permission="everyone")
    comment = comment_create(work=work, chapter=chapter, user=reader, pseud=reader.default_pseud, content="Lovely.")
    pending = comment_create(work=moderated, user=reader, pseud=reader.default_pseud, content="Let me in.")
    quill = pseud_create(user=writer, name="Quill", description="", text_format="html", make_default=False)
    profile_update(
        user=writer, bio="I write.", show_links_on_works=True, links=[LinkFields("prompts", "https://example.org/")]
    )
    mute_add(user=reader, muted=make_user("noisy"))
    angst = Tag.objects.get(name="Angst")
    tag_exclusion_add(user=reader, tag=angst)
    unwrangled = Tag.objects.get(name="slow burnnn")
    fandom = Tag.objects.get(name="Original Work")
    series = series_create(pseuds=[writer.default_pseud], fields=SeriesFields(title="Round Trips"))
    series_add_work(series=series, work=work)
    bookmark = bookmark_save(user=reader, work=work, fields=BookmarkFields(notes="Kept.", tags=("rereads",)))
    return {
        "users": {"writer": writer, "reader": reader, "wrangler": wrangler},
        "series": series,
        "work": work,
        "moderated": moderated,
        "chapter": chapter,
        "comment": comment,
        "pending": pending,
        "pseud": quill,
        "excluded": angst,
        "muted_username": "noisy",
        "ids": {
            "work_id": work.pk,
            "chapter_id": chapter.pk,
            "comment_id": comment.pk,
            "bookmark_id": bookmark.pk,
            "external_work_id": 1,
            "username": writer.username,
            "pseud": quill.name,
            "tag_id": unwrangled.pk,
            "fandom_id": fandom.pk,
            "name": fandom.name,
            "uidb64": "MQ",
            "token": "set-password",
            "series_id": series.pk,
        },
    }


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(route, name) of every URL the archive's apps answer; Django's admin is walked apart."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}"


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(route: str, ids: dict) -> str:
    return "/" + _PARAMETER.sub(lambda match: str(ids[match.group(1)]), route)


def every_url(ids: dict) -> list[tuple[str, str]]:
    """(path, name) of every URL, its parameters filled from `ids`."""
    return [(fill(route, ids), name) for route, name in url_patterns()]


@pytest.fixture
def archive(make_user, make_work):
    return build_archive(make_user, make_work)


def clients(archive) -> dict[str, Client]:
    return {"guest": Client(), **{name: client_for(user) for name, user in archive["users"].items()}}


# The headers -------------------------------------------------------------------------------------


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def assert_protected(response, what: str) -> None:
    assert policy_of(response).get("script-src") == ["'self'"], f"{what}: {response.headers}"
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), f"{what}: {response.headers}"


def test_the_policy_allows_only_the_archives_own_scripts_and_styles(client):
    response = client.get("/")

    assert policy_of(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_powerful_browser_features_are_switched_off(client):
    features = dict(part.strip().split("=", 1) for part in client.get("/").headers["Permissions-Policy"].split(","))

    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "browsing-topics"):
        assert features.get(feature) == "()", feature


@pytest.mark.parametrize("who", ["guest", "writer", "reader", "wrangler"])
def test_every_url_answers_with_both_headers(archive, who):
    http = clients(archive)[who]
    statuses = set()
    for path, name in every_url(archive["ids"]):
        response = http.get(path)
        statuses.add(response.status_code)
        assert_protected(response, f"GET {path} ({name}) as {who}")
    assert 200 in statuses


def test_every_url_answers_a_guests_post_and_delete_with_both_headers(archive, client):
    """A guest's writes change nothing (they are sent to log in, or told what is missing), so every URL can be
    tried without one answer spoiling the next."""
    statuses = set()
    for path, name in every_url(archive["ids"]):
        for method in (client.post, client.delete):
            response = method(path)
            statuses.add(response.status_code)
            assert_protected(response, f"{method.__name__.upper()} {path} ({name})")
    # Form errors, redirects to log in and method errors were all among the answers.
    assert {302, 400, 405} <= statuses


@pytest.mark.parametrize(
    "path, status",
    [
        ("/no-such-page/", 404),
        ("/works/999999/", 404),
        ("/tags/autocomplete/?term=an", 200),
        ("/tags/autocomplete/?type=nonsense", 400),
        ("/admin/", 302),
        ("/admin/login/", 200),
    ],
)
def test_not_found_pages_json_and_admin_carry_the_headers(client, path, status):
    response = client.get(path)

    assert response.status_code == status
    assert_protected(response, path)


def test_a_refused_form_post_carries_the_headers(db):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert_protected(response, "CSRF failure")


def test_a_server_error_page_carries_the_headers(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("fanfold.discovery.views.HomeView.get_context_data", broken)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    assert_protected(response, "500 page")


# No inline code ----------------------------------------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: inline scripts and styles, style
    attributes, event handler attributes and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attributes
            if self._in_script and attributes.get("type") not in (None, "text/javascript", "module"):
                self._in_script = False  # data blocks (application/json) are not run
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}>')
            elif name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL in {name} on <{tag}>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def test_the_inline_code_finder_finds_each_kind():
    html = (
        "<script>alert(1)</script><script src='/static/x.js'></script><style>p{}</style>"
        "<p style='color:red'>a</p><button onclick='go()'>b</button><a href='javascript:go()'>c</a>"
    )

    assert len(inline_code(html)) == 5
    assert inline_code("<script src='/static/x.js' defer></script><p class='note'>fine</p>") == []


# The main pages, and who must see each one whole (a redirect to log in would prove nothing).
MAIN_PAGES = [
    ("guest", "home"),
    ("guest", "works:list"),
    ("guest", "works:detail"),
    ("guest", "accounts:login"),
    ("guest", "accounts:signup"),
    ("reader", "works:detail"),
    ("reader", "works:chapter"),
    ("reader", "accounts:preferences"),
    ("reader", "accounts:muted_users"),
    ("reader", "accounts:excluded_tags"),
    ("writer", "works:new"),
    ("writer", "works:edit"),
    ("writer", "works:chapter_edit"),
    ("writer", "accounts:profile"),
    ("writer", "accounts:profile_edit"),
    ("wrangler", "tags:wrangle"),
    ("wrangler", "tags:wrangle_fandom"),
    ("wrangler", "tags:wrangle_tag"),
]


def test_no_page_has_inline_scripts_styles_or_handlers(archive):
    """Every page each kind of visitor can open, rendered: nothing that the policy would block."""
    http = clients(archive)
    urls = dict((name, path) for path, name in every_url(archive["ids"]))
    shown = set()
    for who, client in http.items():
        for path, name in [*every_url(archive["ids"]), ("/no-such-page/", "404")]:
            response = client.get(path)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            assert inline_code(response.content.decode()) == [], f"{path} ({name}) as {who}"
            if response.status_code == 200:
                shown.add((who, name))
    missing = [(who, name, urls[name]) for who, name in MAIN_PAGES if (who, name) not in shown]
    assert missing == []


def test_a_writers_image_and_centring_survive_but_their_style_attribute_does_not(archive, client):
    html = client.get(f"/works/{archive['work'].pk}/?view_full_work=true").content.decode()

    assert '<img src="https://images.example.org/divider.png"' in html
    assert '<p role="separator" align="center">* * *</p>' in html
    assert "color: red" not in html
    assert "alert(" not in html


_TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "fanfold"]
_INLINE_IN_SOURCE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_no_template_source_holds_inline_code():
    """Also the branches no page above happened to render."""
    templates = [path for root in _TEMPLATE_DIRS for path in root.rglob("templates/**/*.html")]
    assert len(templates) > 40
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in templates
        for match in _INLINE_IN_SOURCE.finditer(path.read_text())
    ]
    assert offenders == []
