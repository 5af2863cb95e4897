"""Nothing a person can send makes the archive answer with a server error.

Every URL pattern is walked as a guest, as a writer (who is also a tag wrangler, so the wrangling pages are
reached) and as a signed-in reader whose time zone is behind UTC. Every form found on those pages is sent
back with one field at a time replaced by something hostile: a NUL byte or another control character, an
integer too large for the database, a date at either end of the calendar. The rest of the form is filled
validly, so that the hostile value reaches as deep as it can (a huge `expected_chapters` only fails when
the work is otherwise fit to save).
"""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver

from fanfold.accounts.services import preference_update
from fanfold.bookmarks.services import BookmarkFields, bookmark_save
from fanfold.interactions.models import Comment
from fanfold.series.services import SeriesFields, series_add_work, series_create
from fanfold.tags.models import Tag
from fanfold.works.models import Chapter, Work
from fanfold.works.services import ChapterFields, chapter_add

pytestmark = pytest.mark.django_db

JUNK_VALUES = ["", "x" * 300, "-1", "0", "99999999999999999999", "<script>alert(1)</script>", "%00", "ü/\\*"]
NUL_VALUES = ["a\x00b", "a\x01\x1fb"]
HUGE_INTS = [str(2**31), str(2**63), str(10**30)]
EXTREME_DATES = ["0001-01-01", "9999-12-31"]
# Behind UTC: the first day of year 1 falls in year 0 there, which Python's dates cannot hold.
NEGATIVE_OFFSET_ZONE = "America/Los_Angeles"
# Ahead of UTC: the last hours of 9999 fall in year 10000 there.
POSITIVE_OFFSET_ZONE = "Pacific/Kiritimati"
QUERY_KEYS = [
    "page", "q", "sort", "other_tags", "other_exclude", "term", "type", "tag", "include_tags", "exclude_tags",
    "fandom", "rating", "words_from", "words_to", "updated_from", "updated_to", "language", "complete",
    "single_chapter", "crossover", "all_facets", "view_full_work", "view_adult", "next", "facet",
]  # fmt: skip
# What a form field needs to be valid, when the page leaves it empty.
VALID_VALUES = {
    "title": "A Title",
    "rating": "General Audiences",
    "warnings": "No Archive Warnings Apply",
    "fandoms": "Original Work",
    "content": "<p>Some words.</p>",
    "text_format": "html",
    "language": "en",
    "comment_permission": "everyone",
    "expected_chapters": "3",
    "published_on": "2020-01-01",
    "chapter_published_on": "2020-01-01",
    "name": "Another Name",
    "guest_name": "A Guest",
    "guest_email": "guest@example.org",
    "time_zone": NEGATIVE_OFFSET_ZONE,
    "username": "newcomer",
    "email": "newcomer@example.org",
    "password": "lanterns-in-the-rain-42",
    "password_confirmation": "lanterns-in-the-rain-42",
}
UNSENT_ACTIONS = ("/logout/",)


# URL patterns --------------------------------------------------------------------------------------


def all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if "admin" in str(entry.pattern):
                continue
            yield from all_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


_SEGMENT = re.compile(r"<(?:(int|str):)?(\w+)>")


def fill(pattern: str, ids: dict, **replaced: str) -> str:
    """The path of `pattern` with its segments taken from `ids`, or from `replaced` where named there."""

    def segment(match):
        name = match.group(2)
        if name in replaced:
            return replaced[name]
        if name == "uidb64":
            return "MQ"
        if name == "token":
            return "set-password"
        return quote(str(ids[name]), safe="")

    return "/" + _SEGMENT.sub(segment, pattern)


def segments(pattern: str, kind: str) -> list[str]:
    return [name for found_kind, name in _SEGMENT.findall(pattern) if (found_kind or "str") == kind]


# Forms on a page -----------------------------------------------------------------------------------


class FormsOnPage(HTMLParser):
    """Every <form> of a page: its action, method and fields with what the page put in them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["choices"].append(value)
            if "selected" in attrs:
                self._select["values"].append(value)
            return
        if self._form is None or not attrs.get("name"):
            return
        field = {"name": attrs["name"], "tag": tag, "type": (attrs.get("type") or "").lower(), "values": []}
        if tag == "button" or (tag == "input" and field["type"] in ("submit", "image")):
            # A named button ("post", "preview") chooses what the view does: sent as if clicked.
            if field["type"] in ("", "submit", "image"):
                field["values"] = [attrs.get("value") or ""]
                field["button"] = True
                self._form["fields"].append(field)
        elif tag == "input":
            if field["type"] in ("button", "reset", "file"):
                return
            if field["type"] in ("checkbox", "radio"):
                field["choices"] = [attrs.get("value") or "on"]
                if "checked" in attrs:
                    field["values"] = [attrs.get("value") or "on"]
            else:
                field["values"] = [attrs.get("value") or ""]
            self._form["fields"].append(field)
        elif tag == "select":
            field["choices"] = []
            self._select = field
            self._form["fields"].append(field)
        elif tag == "textarea":
            self._textarea = field
            field["values"] = [""]
            self._form["fields"].append(field)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["values"][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            # As a browser does: the newline right after <textarea> is not part of its text.
            text = self._textarea["values"][0]
            self._textarea["values"][0] = text[1:] if text.startswith("\n") else text
            self._textarea = None


def forms_on(html: str) -> list[dict]:
    parser = FormsOnPage()
    parser.feed(html)
    return parser.forms


def baseline(form: dict) -> dict[str, list[str]]:
    """What a person would send: the page's values, with empty required-looking fields filled validly."""
    data: dict[str, list[str]] = {}
    buttons = [field for field in form["fields"] if field.get("button")]
    if buttons:
        # "Post" where there is one, so that the work goes through posting, not only saving.
        clicked = next((field for field in buttons if field["name"] == "post"), buttons[0])
        data[clicked["name"]] = clicked["values"]
    for field in form["fields"]:
        if field.get("button"):
            continue
        data.setdefault(field["name"], [])
        data[field["name"]] += [value for value in field["values"] if value not in data[field["name"]]]
    for name, values in data.items():
        if not any(values) and name in VALID_VALUES:
            data[name] = [VALID_VALUES[name]]
    for field in form["fields"]:
        # A creator must be chosen; a select sends an option (the first one that means something).
        if field["name"] == "pseuds" and not data["pseuds"]:
            data["pseuds"] = field["choices"][:1]
        if field["tag"] == "select" and not data[field["name"]] and field["choices"]:
            data[field["name"]] = [next((c for c in field["choices"] if c), field["choices"][0])]
    return data


def is_numeric(field: dict) -> bool:
    values = field["values"] + field.get("choices", [])
    return field["type"] == "number" or any(value.isdigit() for value in values) or field["name"].endswith("_id")


def is_date(field: dict) -> bool:
    return field["type"] == "date" or "published_on" in field["name"] or field["name"].startswith("updated_")


def hostile_values(field: dict) -> list[str]:
    values = list(NUL_VALUES)
    if is_numeric(field):
        values += HUGE_INTS
    if is_date(field):
        values += EXTREME_DATES
    return values


def send(http, form: dict, page_path: str, data: dict[str, list[str]], *, urlencoded: bool = False):
    action = urlsplit(form["action"]).path or page_path
    if form["method"] == "get":
        return http.get(action, data)
    if urlencoded:
        return http.post(action, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
    return http.post(action, data)


# The archive under test ----------------------------------------------------------------------------


def make_backdated(work: Work, *, when: datetime) -> Work:
    """Date `work` directly in the database, past the checks the posting form makes."""
    Work.objects.filter(pk=work.pk).update(published_on=when.date(), revised_at=when, created_at=when)
    Chapter.objects.filter(work=work).update(published_on=when.date())
    return work


@pytest.fixture
def world(make_work, make_user, writer, reader, reader_client):
    writer.user_permissions.add(Permission.objects.get(codename="wrangle_tags"))
    preference_update(
        user=writer,
        view_adult=True,
        hide_warnings=False,
        hide_freeform=False,
        view_full_works=False,
        time_zone=POSITIVE_OFFSET_ZONE,
    )
    preference_update(
        user=reader,
        view_adult=False,
        hide_warnings=False,
        hide_freeform=False,
        view_full_works=False,
        time_zone=NEGATIVE_OFFSET_ZONE,
    )
    work = make_work(
        writer,
        comment_permission="everyone",
        relationships=["Someone/Someone Else"],
        freeforms=["Fluff"],
        expected_chapters=3,
    )
    chapter_add(work=work, fields=ChapterFields(content="<p>Second.</p>", title="Two"), post=True)
    chapter_add(work=work, fields=ChapterFields(content="<p>Draft.</p>", title="Three"), post=False)
    make_backdated(make_work(writer, title="Year One"), when=datetime(1, 1, 1, tzinfo=UTC))
    make_backdated(make_work(writer, title="Year 9999"), when=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    make_work(make_user(), title="Someone else's work", rating="Explicit")
    reader_client.post(f"/works/{work.pk}/comments/", {"content": "Lovely."})
    comment = Comment.objects.first()
    tag = Tag.objects.get(name="Fluff")
    fandom = Tag.objects.get(name="Original Work")
    series = series_create(pseuds=[writer.default_pseud], fields=SeriesFields(title="Series"))
    series_add_work(series=series, work=work)
    bookmark = bookmark_save(user=reader, work=work, fields=BookmarkFields(notes="Kept.", tags=("rereads",)))
    return {
        "series_id": series.pk,
        "work_id": work.pk,
        "bookmark_id": bookmark.pk,
        "external_work_id": 1,  # none yet: the edit page answers 404 (or sends a guest to sign in)
        "chapter_id": work.chapters.first().pk,
        "comment_id": comment.pk if comment else 1,
        "username": writer.username,
        "pseud": writer.username,
        "name": "Original Work",
        "tag_id": tag.pk,
        "fandom_id": fandom.pk,
    }


@pytest.fixture
def clients(client, writer_client, reader_client):
    return {"guest": client, "writer": writer_client, "reader": reader_client}


def reachable_paths(ids: dict) -> list[str]:
    return [fill(pattern, ids) for pattern in all_patterns()]


# The tests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_every_page_survives_junk(world, who, clients):
    http = clients[who]
    for path in reachable_paths(world):
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


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_control_characters_in_path_segments(world, who, clients):
    http = clients[who]
    for pattern in all_patterns():
        for name in segments(pattern, "str"):
            for junk in ("a%00b", "%00", "a%01b", "a%0Ab", "a%0D%0Ab"):
                path = fill(pattern, world, **{name: junk})
                assert http.get(path).status_code < 500, path
                assert http.post(path, {"content": "x"}).status_code < 500, path


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_overflowing_integers_in_path_segments(world, who, clients):
    http = clients[who]
    for pattern in all_patterns():
        for name in segments(pattern, "int"):
            for huge in HUGE_INTS:
                path = fill(pattern, world, **{name: huge})
                assert http.get(path).status_code < 500, path
                assert http.post(path, {"content": "x", "post": "1"}).status_code < 500, path


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_hostile_query_values(world, who, clients):
    http = clients[who]
    for path in reachable_paths(world):
        for junk in NUL_VALUES + HUGE_INTS + EXTREME_DATES + ["-" + HUGE_INTS[-1]]:
            response = http.get(path, {key: junk for key in QUERY_KEYS})
            assert response.status_code < 500, (path, junk)
        # A control character in a parameter's name, and a NUL spelled out in the query string.
        assert http.get(path + "?a%00b=1").status_code < 500, path
        assert http.get(path + "?other_tags=%00&term=%00").status_code < 500, path


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def form_key(form: dict, page_path: str) -> tuple:
    action = urlsplit(form["action"]).path or page_path
    if form["method"] == "get":
        # The filter form is the same on every listing: sent from the first one only.
        return ("get", tuple(sorted({field["name"] for field in form["fields"]})))
    return ("post", action)


def sending_order(key: tuple) -> tuple:
    """Page order, except that what removes things goes last, a work's own deletion after its parts',
    and signing up (which signs the guest in) after everything else."""
    action = key[1] if key[0] == "post" else ""
    return (action == "/signup/", action.endswith("/delete/"), re.fullmatch(r"/works/\d+/delete/", action) is not None)


def forms_at(http, path: str) -> list[dict]:
    response = http.get(path)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    return forms_on(response.content.decode())


@pytest.mark.parametrize("who", ["guest", "writer", "reader"])
def test_every_form_survives_hostile_fields(world, who, clients):
    """Each field of each form on each page, replaced in turn by a hostile value, the rest valid."""
    http = clients[who]
    to_send: dict[tuple, str] = {}
    for path in reachable_paths(world):
        for form in forms_at(http, path):
            action = urlsplit(form["action"]).path or path
            if action not in UNSENT_ACTIONS and action.startswith("/"):
                to_send.setdefault(form_key(form, path), path)
    sent = 0
    for key, path in sorted(to_send.items(), key=lambda item: sending_order(item[0])):
        # Read again: forms sent before may have changed it (a new chapter is one more to number).
        form = next((form for form in forms_at(http, path) if form_key(form, path) == key), None)
        if form is None:
            continue
        data = baseline(form)
        assert send(http, form, path, data).status_code < 500, (path, form["action"], "as filled")
        sent += 1
        names = {field["name"]: field for field in form["fields"] if not field.get("button")}
        for name, field in names.items():
            for junk in hostile_values(field):
                for urlencoded in (False, True) if junk == NUL_VALUES[0] else (False,):
                    response = send(http, form, path, data | {name: [junk]}, urlencoded=urlencoded)
                    assert response.status_code < 500, (path, form["action"], name, junk)
                    sent += 1
    assert sent > 50, "the walk found too few forms to mean anything"


def test_no_control_characters_were_stored(world, writer_client):
    """On SQLite a NUL is no error: it must still never reach a tag name or a title."""
    writer_client.post(
        "/works/new/",
        {
            "title": "Nul\x00Title",
            "rating": "General Audiences",
            "warnings": "No Archive Warnings Apply",
            "fandoms": "Original Work, Nul\x00Fandom",
            "freeforms": "\x00",
            "content": "<p>Text.</p>",
            "text_format": "html",
            "language": "en",
            "comment_permission": "everyone",
            "post": "1",
        },
    )
    # Compared in Python: SQLite's LIKE ends its pattern at a NUL, so `name__contains` would match anything.
    assert not [name for name in Tag.objects.values_list("name", flat=True) if "\x00" in name]
    assert not [title for title in Work.objects.values_list("title", flat=True) if "\x00" in title]


def test_year_one_backdated_work_in_listings_for_reader_behind_utc(world, reader_client):
    """A work dated 0001-01-01 (written straight to the database) lists for a reader in Los Angeles.

    Midnight UTC on the first day of year 1 is still year 0 in Los Angeles, which Python cannot hold;
    the blurb used to raise OverflowError there.
    """
    for path in ("/", "/works/", "/tags/Original%20Work/works/", f"/users/{world['username']}/works/",
                 f"/users/{world['username']}/"):  # fmt: skip
        response = reader_client.get(path)
        assert response.status_code == 200, path
        assert "Year One" in response.content.decode(), path
    work = Work.objects.get(title="Year One")
    response = reader_client.get(f"/works/{work.pk}/")
    assert response.status_code == 200
    assert "Year One" in response.content.decode()


def test_year_9999_work_for_reader_ahead_of_utc(world, writer_client):
    work = Work.objects.get(title="Year 9999")
    for path in ("/works/", f"/works/{work.pk}/", f"/users/{world['username']}/works/"):
        response = writer_client.get(path)
        assert response.status_code == 200, path
        assert "Year 9999" in response.content.decode(), path


def test_huge_expected_chapters_is_a_form_error(world, writer, writer_client):
    for huge in HUGE_INTS:
        response = writer_client.post(
            "/works/new/",
            {
                "title": f"Huge {huge}",
                "rating": "General Audiences",
                "warnings": "No Archive Warnings Apply",
                "fandoms": "Original Work",
                "pseuds": [writer.default_pseud.pk],
                "content": "<p>Text.</p>",
                "text_format": "html",
                "language": "en",
                "comment_permission": "everyone",
                "expected_chapters": huge,
                "post": "1",
            },
        )
        assert response.status_code == 400
        assert "expected number of chapters" in response.content.decode().lower()
        assert not Work.objects.filter(title=f"Huge {huge}").exists()


def test_overflowing_pseud_id_is_a_form_error(world, writer_client):
    for huge in HUGE_INTS + ["-" + HUGE_INTS[-1], "1.5", "x"]:
        response = writer_client.post(
            "/works/new/",
            {
                "title": "Whose?",
                "rating": "General Audiences",
                "warnings": "No Archive Warnings Apply",
                "fandoms": "Original Work",
                "pseuds": [huge],
                "content": "<p>Text.</p>",
                "text_format": "html",
                "language": "en",
                "comment_permission": "everyone",
                "post": "1",
            },
        )
        assert response.status_code == 400, huge
        assert "Select a valid choice" in response.content.decode(), huge


def test_extreme_publication_dates_are_form_errors(world, writer, writer_client):
    for day in ("0001-01-01", "1969-12-31"):
        response = writer_client.post(
            "/works/new/",
            {
                "title": f"Dated {day}",
                "rating": "General Audiences",
                "warnings": "No Archive Warnings Apply",
                "fandoms": "Original Work",
                "pseuds": [writer.default_pseud.pk],
                "content": "<p>Text.</p>",
                "text_format": "html",
                "language": "en",
                "comment_permission": "everyone",
                "published_on": day,
                "post": "1",
            },
        )
        assert response.status_code == 400, day
        assert "1970" in response.content.decode(), day
        assert not Work.objects.filter(title=f"Dated {day}").exists()
