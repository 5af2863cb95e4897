"""Plain fixtures shared by every test: users and works made through the real services."""

import itertools

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

from fanfold.accounts.services import user_create
from fanfold.works.services import ChapterFields, WorkFields, work_create

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 still, but cheap: tests create hundreds of users and need no protection from cracking."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.conftest.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def guests_see_changes_at_once(settings):
    """Tests look at a listing right after changing it; `test_changelog` checks the guests' lag itself."""
    settings.GUEST_LISTING_LAG_SECONDS = 0.0


@pytest.fixture(autouse=True)
def indexes_caught_up_by_requests(settings):
    """A catch-up thread would read the database outside each test's transaction; `test_changelog` checks it."""
    settings.INDEX_CATCH_UP_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def visits_written_at_once(settings):
    """A background thread writing hits and history would write outside each test's transaction; `test_hits`
    and `test_readings` check the batches themselves."""
    settings.VISIT_WRITE_BEHIND_SECONDS = 0


@pytest.fixture(autouse=True)
def fresh_discovery_index():
    """Each test starts with no index: rolled-back test data must not linger in the process's index."""
    from fanfold.bookmarks.index import reset_bookmark_index
    from fanfold.discovery.fulltext import forget_ready_words
    from fanfold.discovery.index import reset_index

    reset_index()
    reset_bookmark_index()
    forget_ready_words()
    yield
    reset_index()
    reset_bookmark_index()
    forget_ready_words()


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, *, email: str | None = None, password: str = PASSWORD):
        username = username or f"user{next(_counter)}"
        return user_create(username=username, email=email or f"{username}@example.org", password=password)

    return make


@pytest.fixture
def make_work(db, make_user):
    """A work made through `work_create`; keyword arguments override the WorkFields/ChapterFields."""

    def make(creator=None, *, post: bool = True, content: str = "<p>Once upon a time.</p>", **overrides):
        creator = creator or make_user()
        fields = WorkFields(
            title=overrides.pop("title", "A Work"),
            rating=overrides.pop("rating", "General Audiences"),
            warnings=overrides.pop("warnings", ["No Archive Warnings Apply"]),
            fandoms=overrides.pop("fandoms", ["Original Work"]),
            **{k: v for k, v in overrides.items() if k in WorkFields.__dataclass_fields__},
        )
        chapter = ChapterFields(content=content)
        return work_create(pseuds=[creator.default_pseud], fields=fields, chapter=chapter, post=post)

    return make


@pytest.fixture
def writer(make_user):
    return make_user("writer")


@pytest.fixture
def reader(make_user):
    return make_user("reader")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def writer_client(writer):
    return client_for(writer)


@pytest.fixture
def reader_client(reader):
    return client_for(reader)
