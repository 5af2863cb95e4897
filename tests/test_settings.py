"""The settings module, read by real processes with a controlled environment, as a deploy would start it."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every variable settings.py reads, so the developer's or CI's own environment cannot leak in.
SETTINGS_VARIABLES = set(
    re.findall(r'(?:env_\w+\(|environ\.get\(|environ\[)"([A-Z0-9_]+)"', (ROOT / "fanfold" / "settings.py").read_text())
) | {
    # Set for the browser tests in this process; a deploy check rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

PRINT_DATABASE = """
import django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(db["ENGINE"], db["NAME"], db["USER"], db["HOST"], db["PORT"], db["CONN_MAX_AGE"], db["TEST"]["NAME"])
"""

JOURNAL_MODE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0], connection.settings_dict["NAME"])
"""


@pytest.fixture
def run(tmp_path):
    def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
        env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
        env |= {"DJANGO_SETTINGS_MODULE": "fanfold.settings", "FANFOLD_VAR_DIR": str(tmp_path / "var")}
        env |= variables
        return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    return run


def production(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "archive.example.org",
    } | overrides


def test_production_refuses_to_start_without_a_secret_key(run):
    done = run(["manage.py", "check"])
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SECRET_KEY is not set" in done.stderr


def test_debug_runs_without_a_secret_key(run):
    done = run(["manage.py", "check"], DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_settings_pass_the_deploy_checks(run):
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNINGS" not in done.stdout + done.stderr


def test_a_short_secret_key_is_reported_by_the_deploy_checks(run):
    done = run(["manage.py", "check", "--deploy"], **production(SECRET_KEY="too-short"))
    assert "security.W009" in done.stdout + done.stderr


def test_production_allows_only_the_configured_hosts(run):
    script = "import django; django.setup(); from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    assert run(["-c", script], **production()).stdout.strip() == "['archive.example.org']"
    assert run(["-c", script], **production(ALLOWED_HOSTS="")).stdout.strip() == "[]"


def test_database_url_selects_postgresql(run):
    done = run(
        ["-c", PRINT_DATABASE],
        DEBUG="1",
        DATABASE_URL="postgres://fanfold:s3cret@db.example.org:5433/archive",
        CONN_MAX_AGE="30",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "django.db.backends.postgresql", "archive", "fanfold", "db.example.org", "5433", "30", "test_fanfold",
    ]  # fmt: skip


def test_sqlite_by_default_in_write_ahead_log_mode(run, tmp_path):
    done = run(["-c", JOURNAL_MODE], DEBUG="1")
    assert done.returncode == 0, done.stderr
    mode, name = done.stdout.split()
    assert mode == "wal"
    assert Path(name) == tmp_path / "var" / "fanfold.sqlite3"


def test_every_setting_variable_is_isolated():
    # The regex above must keep finding what settings.py reads, or the tests would see the real environment.
    assert {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "FANFOLD_VAR_DIR",
        "EMAIL_HOST",
    } <= SETTINGS_VARIABLES


def test_the_index_can_be_built_when_the_app_loads(db, settings, monkeypatch):
    """With FANFOLD_BUILD_INDEX_AT_START, loading the WSGI app builds the index, so no request waits for it."""
    import importlib

    from fanfold import wsgi
    from fanfold.discovery import index

    index.reset_index()
    settings.DISCOVERY_BUILD_AT_START = True
    built = []
    monkeypatch.setattr(index.DiscoveryIndex, "build", classmethod(lambda cls: built.append(cls) or cls()))
    importlib.reload(wsgi)
    assert built and index.SHARED.index is not None
