"""The work as its writer wrote it, on every screen: word counts of drafts, one banner on a preview, profile
links under end notes, wrangling state for wranglers only, and stored works laid out by today's rules."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fanfold.core.html import word_count
from fanfold.demo.prose import SIX_LAMPS_BREAKS, six_lamps
from fanfold.interactions.services import work_counts_recount
from fanfold.tags.models import Tag
from fanfold.works.models import Chapter, Work
from fanfold.works.services import ChapterFields, chapter_add, stored_texts_lay_out
from tests.conftest import client_for
from tests.works.test_posting import work_form_data

pytestmark = pytest.mark.django_db

SEPARATOR = re.compile(r'<p role="separator" align="center">([^<]*)</p>')


def words_shown(page: str) -> str:
    """The word count a work page or blurb shows."""
    return re.search(r'<dd class="words">([^<]*)</dd>', page).group(1)


@pytest.fixture
def six_lamps_draft(writer, writer_client) -> Work:
    """The six-section work, saved as a draft through the posting form in the default rich text format."""
    data = work_form_data(pseuds=[writer.default_pseud.pk], content=six_lamps(), text_format="html")
    data.pop("post")
    response = writer_client.post(reverse("works:new"), data | {"preview": "1"})
    assert response.status_code == 302
    return Work.objects.get()


def test_six_lamps_keeps_its_sections_and_paragraphs(six_lamps_draft):
    content = six_lamps_draft.chapters.get().content
    assert SEPARATOR.findall(content) == [mark for mark in SIX_LAMPS_BREAKS if mark != "<hr>"]
    assert content.count("<hr>") == 1
    headings = re.findall(r"<p>([ivx]+\.)</p>", content)
    assert headings == ["i.", "ii.", "iii.", "iv.", "v.", "i."]
    # Paragraphs as typed: two in each of the six sections, and the line break inside the first.
    assert content.count("<p>") == 6 + 12
    assert '"It will burn," she said.<br>\n"It will smoke,"' in content


def test_draft_preview_and_drafts_list_show_the_word_count(six_lamps_draft, writer_client):
    expected = word_count(six_lamps_draft.chapters.get().content)
    assert expected > 200
    six_lamps_draft.refresh_from_db()
    assert six_lamps_draft.word_count == expected and six_lamps_draft.chapters_display == "1/1"

    preview = writer_client.get(six_lamps_draft.get_absolute_url()).content.decode()
    assert words_shown(preview) == f"{expected:,}"
    drafts = writer_client.get(reverse("works:drafts")).content.decode()
    assert six_lamps_draft.title in drafts
    assert f"{expected:,}" in re.search(r'<dt class="words">.*?</dd>', drafts, re.S).group()


def test_preview_shows_one_banner(six_lamps_draft, writer_client):
    response = writer_client.get(six_lamps_draft.get_absolute_url())
    page = response.content.decode()
    assert page.count('class="draft-banner"') == 1
    assert 'class="messages"' not in page
    assert "This is a draft" in page


def test_posting_keeps_the_count_and_a_draft_chapter_is_not_counted(six_lamps_draft, writer_client):
    words = six_lamps_draft.word_count
    writer_client.post(reverse("works:post", kwargs={"work_id": six_lamps_draft.pk}))
    six_lamps_draft.refresh_from_db()
    assert six_lamps_draft.posted and six_lamps_draft.word_count == words
    chapter_add(work=six_lamps_draft, fields=ChapterFields(content="Three more words."), post=False)
    six_lamps_draft.refresh_from_db()
    assert six_lamps_draft.word_count == words and six_lamps_draft.chapter_count == 1
    # The counters' reconciler counts as the services do: nothing to fix.
    assert work_counts_recount(work_ids=[six_lamps_draft.pk]) == []


def test_reconciling_a_draft_finds_nothing_to_fix(six_lamps_draft):
    assert six_lamps_draft.word_count > 0
    assert work_counts_recount(work_ids=[six_lamps_draft.pk]) == []


# Profile links under the end notes


def test_new_users_show_their_profile_links_under_their_works(make_user, make_work):
    from fanfold.accounts.services import LinkFields, profile_update

    creator = make_user("linked")
    assert creator.show_links_on_works
    profile_update(
        user=creator,
        bio="",
        text_format="html",
        show_links_on_works=creator.show_links_on_works,
        links=[LinkFields(label="My journal", url="https://example.org/journal")],
    )
    work = make_work(creator, end_notes="Thanks for reading.")
    page = Client().get(work.get_absolute_url() + "?view_adult=true").content.decode()
    assert "Find the creator elsewhere" in page
    assert 'href="https://example.org/journal">My journal</a>' in page


def test_a_creator_who_shows_links_but_has_none_gets_no_empty_links_section(make_user, make_work):
    creator = make_user("unlinked")
    assert creator.show_links_on_works and not creator.profile_links.exists()
    work = make_work(creator, end_notes="Thanks for reading.")
    page = Client().get(work.get_absolute_url() + "?view_adult=true").content.decode()
    assert "Thanks for reading." in page
    assert "Find the creator elsewhere" not in page


# Wrangling state


@pytest.fixture
def unwrangled_tag(make_work) -> Tag:
    make_work(freeforms=["Lamp Feelings"])
    return Tag.objects.get(name="Lamp Feelings")


def tag_page(client: Client, tag: Tag) -> str:
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_readers_do_not_see_wrangling_state(unwrangled_tag, reader_client):
    for client in (Client(), reader_client):
        page = tag_page(client, unwrangled_tag)
        assert "Lamp Feelings" in page
        assert "Not yet wrangled" not in page
        assert reverse("tags:wrangle_tag", kwargs={"tag_id": unwrangled_tag.pk}) not in page


def test_wranglers_and_staff_see_wrangling_state(unwrangled_tag, make_user):
    wrangler = make_user("wrangler")
    wrangler.user_permissions.add(Permission.objects.get(codename="wrangle_tags"))
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    for user in (wrangler, staff):
        page = tag_page(client_for(user), unwrangled_tag)
        assert "Not yet wrangled" in page
        assert reverse("tags:wrangle_tag", kwargs={"tag_id": unwrangled_tag.pk}) in page


# Works stored under the old rules


def test_stored_works_are_laid_out_again(make_work):
    work = make_work(content="Placeholder.")
    chapter = work.chapters.get()
    # As the old rules stored it: one <hr> turned off paragraphs for the whole chapter.
    old = "Part one.\n\nStill part one.\n<hr>\nPart two.\n\n-x-\n\nPart three."
    Chapter.objects.filter(pk=chapter.pk).update(content=old, word_count=10)  # "-x-" counted as a word
    Work.objects.filter(pk=work.pk).update(notes="A note.\n\n<hr>\n\nAnother.")
    draft = make_work(post=False, title="Draft", content="Four words in here.")
    Work.objects.filter(pk=draft.pk).update(word_count=0)

    out = io.StringIO()
    call_command("lay_out_texts", stdout=out)

    chapter.refresh_from_db()
    assert chapter.content == (
        "<p>Part one.</p>\n<p>Still part one.</p>\n<hr>\n<p>Part two.</p>\n"
        '<p role="separator" align="center">-x-</p>\n<p>Part three.</p>'
    )
    assert chapter.word_count == 9
    work.refresh_from_db()
    assert work.word_count == 9
    assert work.notes == "<p>A note.</p>\n<hr>\n<p>Another.</p>"
    draft.refresh_from_db()
    assert draft.word_count == 4
    assert "2 works and chapters changed" in out.getvalue()
    # Laying out again changes nothing.
    assert stored_texts_lay_out() == 0


# Languages and directions


def test_a_right_to_left_work_reads_right_to_left(make_work):
    work = make_work(language="he", content="שלום עולם\n\n* * *\n\nשורה שנייה")
    page = Client().get(work.get_absolute_url() + "?view_adult=true").content.decode()
    assert '<div class="userstuff" role="article" lang="he" dir="rtl">' in page
    assert '<p>שלום עולם</p>\n<p role="separator" align="center">* * *</p>\n<p>שורה שנייה</p>' in page


def test_a_japanese_work_says_its_language_and_keeps_its_indents(make_work):
    work = make_work(language="ja", content="\u3000雨の駅で。\n\n\u3000二段落目。")
    page = Client().get(work.get_absolute_url() + "?view_adult=true").content.decode()
    assert '<div class="userstuff" role="article" lang="ja" dir="ltr">' in page
    assert "<p>\u3000雨の駅で。</p>\n<p>\u3000二段落目。</p>" in page
