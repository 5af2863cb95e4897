"""After PostgreSQL drops every connection (a restart, a failover, an idle-connection reaper), the next
requests succeed: persistent connections are checked before use and replaced when dead.

A real gunicorn with a pool of threads, each keeping its connection between requests (CONN_MAX_AGE), serves
the test database; the test kills every connection to it but its own, then asks again. pytest-django's live
server cannot show this: it closes its connections after every request.
"""

import concurrent.futures

import pytest
from django.db import connection

from tests.concurrency.live_gunicorn import Browser, gunicorn, server_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections are what is killed"),
]

THREADS = 2


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def kill_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


def statuses(url: str, paths: list[str], rounds: int = 6) -> list[int]:
    """Ask for every path, several at a time, so that every server thread answers some."""
    visitor = Browser(url)
    with concurrent.futures.ThreadPoolExecutor(max_workers=THREADS * 2) as pool:
        return [status for status, _h, _b in pool.map(visitor.request, paths * rounds)]


def serve_kill_and_ask_again(tmp_path, make_work, writer, **env) -> tuple[list[int], list[int], int]:
    work = make_work(writer, title="Still Here")
    paths = ["/works/", work.get_absolute_url(), f"/users/{writer.username}/"]
    environment = server_env(DATABASE_URL=database_url(), CONN_MAX_AGE="600", FANFOLD_VAR_DIR=str(tmp_path), **env)
    with gunicorn(env=environment, workers=1, threads=THREADS) as url:
        before = statuses(url, paths)
        killed = kill_other_connections()
        after = statuses(url, paths)
    return before, after, killed


def test_requests_after_the_database_dropped_every_connection_succeed(tmp_path, make_work, writer):
    before, after, killed = serve_kill_and_ask_again(tmp_path, make_work, writer)

    assert set(before) == {200}
    assert killed >= 1
    assert set(after) == {200}


def test_without_health_checks_the_same_kill_gives_a_500(tmp_path, make_work, writer):
    """What the test above guards against, so it is known to notice it."""
    before, after, killed = serve_kill_and_ask_again(tmp_path, make_work, writer, CONN_HEALTH_CHECKS="0")

    assert set(before) == {200} and killed >= 1
    assert 500 in after
