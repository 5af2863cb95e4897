"""`manage.py load_demo`: the archive `make run` shows, made once through the real services."""

import io
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from fanfold.accounts.models import Pseud, User
from fanfold.demo.loader import DEMO_PASSWORD
from fanfold.interactions import services as interactions
from fanfold.interactions.models import Comment, Kudos
from fanfold.tags.models import RATINGS, Tag, TagType
from fanfold.works.models import Chapter, Work


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class TestDemoArchive(TestCase):
    """Read-only checks share one load (rolled back after the class) to keep the suite quick."""

    @classmethod
    def setUpTestData(cls):
        cls.output = load_demo()

    def test_works_across_fandoms_and_every_rating(self):
        assert Work.objects.count() >= 20
        fandoms = Tag.objects.filter(type=TagType.FANDOM, works__isnull=False).distinct()
        assert fandoms.count() >= 4
        ratings = set(Tag.objects.filter(type=TagType.RATING, works__isnull=False).values_list("name", flat=True))
        assert ratings == set(RATINGS)
        for tag_type in (TagType.WARNING, TagType.CATEGORY, TagType.CHARACTER, TagType.FREEFORM):
            assert Tag.objects.filter(type=tag_type, works__isnull=False).distinct().count() >= 3, tag_type
        relationships = Tag.objects.filter(type=TagType.RELATIONSHIP, works__isnull=False)
        names = list(relationships.values_list("name", flat=True))
        assert any("/" in name for name in names)
        assert any(" & " in name for name in names)

    def test_drafts_restricted_chapters_and_backdating(self):
        assert Work.objects.filter(posted=False).count() == 1
        assert Work.objects.filter(posted=True, restricted=True).exists()
        assert Work.objects.filter(chapter_count__gte=3).exists()
        assert Work.objects.filter(posted=True, complete=False).exists()
        assert Work.objects.exclude(summary="").exclude(notes="").exclude(end_notes="").exists()
        assert Chapter.objects.filter(content__contains="<hr>").exists()
        today = timezone.localdate()
        dates = list(Work.objects.filter(posted=True).values_list("published_on", flat=True))
        assert min(dates) >= today - timedelta(days=2 * 366)
        assert max(dates) - min(dates) > timedelta(days=365)
        assert max(dates) <= today

    def test_a_work_in_sections_with_every_kind_of_divider(self):
        work = Work.objects.get(title="Six Lamps")
        text = "".join(work.chapters.values_list("content", flat=True))
        marks = re.findall(r'<p role="separator" align="center">([^<]*)</p>', text)
        assert sorted(marks) == sorted(["* * *", "~*~", "-x-", "o0o", "+++", "***", "~", "* * *", "~*~"])
        assert "<hr>" in text and "<center>" in text
        assert re.findall(r"<p>([iv]+\.)</p>", text) == ["i.", "ii.", "iii.", "iv.", "v.", "i."]

    def test_japanese_counts_by_character(self):
        work = Work.objects.get(language="ja")
        paragraphs = work.chapters.first().content.count("<p>")
        # Without spaces between words, a word count by spaces would give about one per sentence.
        assert work.word_count > 40 * paragraphs

    def test_text_is_clean_html(self):
        for chapter in Chapter.objects.all():
            assert "<script" not in chapter.content
            assert chapter.word_count > 50

    def test_creators_have_profiles_and_a_second_pseud(self):
        demo = User.objects.get(username="demo")
        assert demo.bio.startswith("<p>")
        assert demo.profile_links.exists()
        assert authenticate(username="demo", password=DEMO_PASSWORD) == demo
        assert Pseud.objects.filter(is_default=False, works__isnull=False).exists()
        assert any(len(work.creators.all()) > 1 for work in Work.objects.prefetch_related("creators"))
        assert not User.objects.filter(is_superuser=True).exists()

    def test_login_is_printed(self):
        assert f"username demo, password {DEMO_PASSWORD}" in self.output

    @pytest.mark.skipif(not hasattr(interactions, "kudos_give"), reason="kudos are not in this version")
    def test_kudos_from_users_and_guests(self):
        assert Kudos.objects.filter(user__isnull=False).exists()
        assert Kudos.objects.filter(user__isnull=True).exists()
        assert Work.objects.filter(kudos_count__gt=0).count() >= 10

    @pytest.mark.skipif(not hasattr(interactions, "comment_create"), reason="comments are not in this version")
    def test_comment_threads(self):
        assert Comment.objects.filter(parent__isnull=False).exists()
        assert Comment.objects.filter(user__isnull=True).exists()
        assert Work.objects.filter(comment_count__gt=0).count() >= 5


@pytest.mark.django_db
def test_second_run_adds_nothing():
    first = load_demo()
    counts = (User.objects.count(), Work.objects.count(), Chapter.objects.count(), Tag.objects.count())
    again = load_demo()
    assert "Loaded the demo archive" in first
    assert "already loaded" in again
    assert f"password {DEMO_PASSWORD}" in again
    assert (User.objects.count(), Work.objects.count(), Chapter.objects.count(), Tag.objects.count()) == counts


@pytest.mark.django_db
def test_url_and_admin_on_request(monkeypatch):
    out = load_demo("--url", "http://127.0.0.1:8000/")
    assert "Fanfold is running at http://127.0.0.1:8000/ — demo login: username demo" in out
    assert not User.objects.filter(username="admin").exists()
    monkeypatch.setenv("FANFOLD_DEMO_ADMIN", "1")
    assert "username admin" in load_demo()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    load_demo()
    assert User.objects.filter(username="admin").count() == 1


def test_make_run_steps_on_a_fresh_archive(tmp_path):
    """What `make run` does, in a real process: migrate, load, load again, and no mail to demo creators."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "EMAIL_HOST"}}
    env |= {"DEBUG": "1", "FANFOLD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "fanfold.settings"}
    manage = [sys.executable, str(Path(__file__).resolve().parent.parent / "manage.py")]

    def run(*args: str) -> str:
        done = subprocess.run([*manage, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    run("migrate", "--noinput", "-v", "0")
    first = run("load_demo", "--url", "http://127.0.0.1:8000/")
    again = run("load_demo")
    assert (tmp_path / "fanfold.sqlite3").exists()
    assert "Loaded the demo archive" in first
    assert "already loaded" in again
    # The console email backend would print every notification the demo comments trigger.
    assert "Subject:" not in first
