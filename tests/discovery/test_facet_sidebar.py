"""The filter sidebar: top tags, "show more", every tag of a type on request, and selected tags' own counts."""

import re

import pytest
from django.urls import reverse

from fanfold.discovery import views
from fanfold.tags.models import Tag

pytestmark = pytest.mark.django_db


def counts(page: str) -> dict[str, int]:
    found = re.findall(r"> ([^<>]+?) <span class=\"facet-count\">\((\d+)\)</span>", page)
    return {name: int(count) for name, count in found}


@pytest.fixture
def many_tags(make_work, writer, monkeypatch):
    monkeypatch.setattr(views, "FACETS_SHOWN", 2)
    monkeypatch.setattr(views, "FACETS_MORE", 3)
    for number in range(6):
        # Tag n is on 6 - n works, so they rank Tag 0 first.
        for _copy in range(6 - number):
            make_work(writer, title=f"W{number}", freeforms=[f"Tag {number}"])


def test_more_tags_than_the_sidebar_holds_link_to_all_of_them(many_tags, client):
    page = client.get(reverse("works:list")).content.decode()
    shown = counts(page)
    assert shown["Tag 0"] == 6 and shown["Tag 2"] == 4 and "Tag 5" not in shown
    assert "All 6 Additional Tags" in page
    page = client.get(reverse("works:list"), {"all_facets": "freeform"}).content.decode()
    assert counts(page)["Tag 5"] == 1
    assert "All 6 Additional Tags" not in page


def test_a_selected_tag_shows_its_own_count_wherever_it_ranks(many_tags, client):
    rare = Tag.objects.get(name="Tag 5")
    common = Tag.objects.get(name="Tag 0")
    page = client.get(reverse("works:list"), {"exclude": rare.pk}).content.decode()
    assert counts(page)["Tag 5"] == 0  # excluded: no result has it
    page = client.get(reverse("works:list"), {"tag": common.pk, "exclude": rare.pk}).content.decode()
    assert counts(page)["Tag 0"] == 6
    assert client.get(reverse("works:list"), {"all_facets": "nonsense"}).status_code == 200


def test_the_form_keeps_the_readers_choices_and_links_keep_the_query(many_tags, client):
    page = client.get(reverse("works:list"), {"sort": "kudos_count", "language": "en", "other_tags": 'Tag "0"'})
    page = page.content.decode()
    sort = re.search(r'<select id="id_sort" name="sort">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)" selected>', sort) == ["kudos_count"]
    assert '<option value="">Date Updated</option>' in sort  # the usual order sends no value
    language = re.search(r'<select id="id_language" name="language">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)" selected>', language) == ["en"]
    # The link to every tag of a type keeps the rest of the query, escaped.
    assert 'href="?sort=kudos_count&amp;language=en&amp;other_tags=Tag+%220%22&amp;all_facets=freeform"' in page
