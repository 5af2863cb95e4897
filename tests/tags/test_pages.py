"""Tag pages: what a tag's works page says about the tag, autocomplete, and the wrangling pages."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from fanfold.tags.models import Tag, TagType, tag_name_to_url
from fanfold.tags.services import tag_find_or_create
from fanfold.tags.wrangling import tag_add_parent, tag_add_sub_tag, tag_make_canonical, tag_make_synonym
from fanfold.works.models import Work
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def tag(name: str, type: str = TagType.FREEFORM, *, canonical: bool = False) -> Tag:
    """A tag in use on a posted work everyone may read (a tag on no such work is, to readers, no tag)."""
    made = tag_find_or_create(name=name, type=type)
    holder = Work.objects.filter(title="Tag holder").first() or Work.objects.create(title="Tag holder", posted=True)
    holder.tags.add(made)
    if canonical and not made.canonical:
        tag_make_canonical(tag=made)
        made.refresh_from_db()
    return made


@pytest.fixture
def wrangler(make_user):
    user = make_user("wrangler")
    user.user_permissions.add(Permission.objects.get(codename="wrangle_tags"))
    return user


@pytest.fixture
def wrangler_client(wrangler):
    return client_for(wrangler)


def autocomplete(client, **params) -> list[str]:
    response = client.get(reverse("tags:autocomplete"), params)
    assert response.status_code == 200
    return [row["name"] for row in response.json()["results"]]


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="heading">\s*<a href="/works/\d+/">([^<]+)</a>', response.content.decode())


# The tag's works page


def test_tag_page_shows_canonical_synonyms_meta_tags_and_fandoms(client, make_work):
    make_work(title="Stars", fandoms=["Space Opera"], freeforms=["Hurt/Comfort"])
    fandom = Tag.objects.get(name="Space Opera")
    tag_make_canonical(tag=fandom)
    hurt = tag("Hurt/Comfort", canonical=True)
    tag_make_synonym(tag=tag("H/C"), canonical=hurt)
    tag_add_sub_tag(meta=tag("Feelings", canonical=True), sub=hurt)
    tag_add_parent(tag=hurt, fandom=fandom)

    page = client.get(hurt.get_absolute_url()).content.decode()
    assert "Canonical" in page
    assert f'href="{Tag.objects.get(name="H/C").get_absolute_url()}">H/C</a>' in page
    assert f'href="{Tag.objects.get(name="Feelings").get_absolute_url()}">Feelings</a>' in page
    assert f'href="{fandom.get_absolute_url()}">Space Opera</a>' in page

    synonym_page = client.get(Tag.objects.get(name="H/C").get_absolute_url()).content.decode()
    assert f'Synonym of <a class="tag" href="{hurt.get_absolute_url()}">Hurt/Comfort</a>' in synonym_page


def test_tag_relations_read_in_a_fixed_number_of_queries(django_assert_num_queries):
    from fanfold.tags.selectors import tag_relations

    hurt = tag("Hurt/Comfort", canonical=True)
    for name in ("H/C", "hurt comfort", "hurtcomfort!"):
        tag_make_synonym(tag=tag(name), canonical=hurt)
    for name in ("Feelings", "Emotions"):
        tag_add_sub_tag(meta=tag(name, canonical=True), sub=hurt)
    hurt.refresh_from_db()
    with django_assert_num_queries(4):
        relations = tag_relations(hurt)
    assert [t.name for t in relations["synonyms"]] == ["H/C", "hurt comfort", "hurtcomfort!"]
    assert [t.name for t in relations["meta_tags"]] == ["Emotions", "Feelings"]


# Autocomplete


def test_autocomplete_puts_prefix_matches_before_word_matches_and_canonical_first(client):
    tag("Harry Potter Fandom Things")
    tag("Harry Potter", TagType.FANDOM, canonical=True)
    tag("Fix-It Harry", canonical=True)
    tag("Poor harry")
    tag("Charry Pie")  # "harry" inside a word: not a match
    assert autocomplete(client, term="HARRY") == [
        "Harry Potter",
        "Harry Potter Fandom Things",
        "Fix-It Harry",
        "Poor harry",
    ]


def test_autocomplete_filters_by_type(client):
    tag("Harry Potter", TagType.FANDOM)
    tag("Harry Potter (Character)", TagType.CHARACTER)
    response = client.get(reverse("tags:autocomplete"), {"term": "harry", "type": "character"})
    assert response.json() == {
        "results": [
            {
                "id": Tag.objects.get(name="Harry Potter (Character)").id,
                "name": "Harry Potter (Character)",
                "type": "character",
                "canonical": False,
            }
        ]
    }


def test_autocomplete_refuses_an_unknown_type(client):
    response = client.get(reverse("tags:autocomplete"), {"term": "harry", "type": "spaceship"})
    assert response.status_code == 400
    assert "not a tag type" in response.json()["error"]


def test_autocomplete_needs_two_characters_and_stops_at_fifteen(client):
    tag("Hx")
    for number in range(20):
        tag(f"Harry {number}")
    assert autocomplete(client, term="h") == []
    assert autocomplete(client, term=" ") == []
    assert autocomplete(client) == []
    assert len(autocomplete(client, term="ha")) == 15


# Wrangling pages


@pytest.fixture
def fandom_with_tags(make_work):
    make_work(title="Fluffy Tale", fandoms=["Lighthouses"], freeforms=["fluff!"], characters=["Keeper"])
    make_work(title="Canon Fluff", fandoms=["Harbours"], freeforms=["Fluff"])
    fluff = Tag.objects.get(name="Fluff")
    tag_make_canonical(tag=fluff)
    return Tag.objects.get(name="Lighthouses")


def wrangling_urls(fandom) -> list[str]:
    some_tag = Tag.objects.get(name="fluff!")
    return [
        reverse("tags:wrangle"),
        reverse("tags:wrangle_fandom", kwargs={"fandom_id": fandom.id}),
        reverse("tags:wrangle_tag", kwargs={"tag_id": some_tag.id}),
    ]


def test_wrangling_pages_are_refused_to_readers(fandom_with_tags, reader_client):
    for url in wrangling_urls(fandom_with_tags):
        assert reader_client.get(url).status_code == 403
    fluff = Tag.objects.get(name="fluff!")
    response = reader_client.post(reverse("tags:wrangle_canonical", kwargs={"tag_id": fluff.id}))
    assert response.status_code == 403
    fluff.refresh_from_db()
    assert not fluff.canonical


def test_wrangling_pages_send_guests_to_log_in(fandom_with_tags, client):
    for url in wrangling_urls(fandom_with_tags):
        response = client.get(url)
        assert response.status_code == 403 or (
            response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        )


def test_wrangling_pages_open_for_wranglers_and_staff(fandom_with_tags, wrangler_client, make_user):
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save()
    for client in (wrangler_client, client_for(staff)):
        for url in wrangling_urls(fandom_with_tags):
            assert client.get(url).status_code == 200


def test_wrangle_index_counts_unwrangled_tags_per_fandom(fandom_with_tags, wrangler_client):
    page = wrangler_client.get(reverse("tags:wrangle")).content.decode()
    lighthouses = reverse("tags:wrangle_fandom", kwargs={"fandom_id": fandom_with_tags.id})
    # "fluff!" and "Keeper" await a wrangler in Lighthouses; Harbours' only tag is canonical.
    assert re.search(rf'href="{lighthouses}">Lighthouses</a>.*?</td><td>2</td>', page)
    assert re.search(r">Harbours</a>.*?</td><td>0</td>", page)


def test_accepting_a_suggestion_files_the_work_under_the_canonical_tag(fandom_with_tags, wrangler_client, client):
    fluff = Tag.objects.get(name="Fluff")
    lowercase = Tag.objects.get(name="fluff!")
    fandom_url = reverse("tags:wrangle_fandom", kwargs={"fandom_id": fandom_with_tags.id})
    assert titles(client.get(reverse("works:list"), {"tag": fluff.id})) == ["Canon Fluff"]

    page = wrangler_client.get(fandom_url).content.decode()
    assert "Make synonym of Fluff" in page
    assert "Keeper" in page

    response = wrangler_client.post(
        reverse("tags:wrangle_accept", kwargs={"tag_id": lowercase.id}),
        {"canonical_id": fluff.id, "next": fandom_url},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == fandom_url
    page = response.content.decode()
    assert "“fluff!” is now a synonym of “Fluff”." in page
    assert "Make synonym of Fluff" not in page
    lowercase.refresh_from_db()
    assert lowercase.merger == fluff
    assert sorted(titles(client.get(reverse("works:list"), {"tag": fluff.id}))) == ["Canon Fluff", "Fluffy Tale"]


def test_make_canonical_button(fandom_with_tags, wrangler_client):
    keeper = Tag.objects.get(name="Keeper")
    response = wrangler_client.post(reverse("tags:wrangle_canonical", kwargs={"tag_id": keeper.id}), follow=True)
    assert "“Keeper” is now canonical." in response.content.decode()
    keeper.refresh_from_db()
    assert keeper.canonical


def test_edit_page_makes_a_synonym_and_adds_a_parent_fandom(fandom_with_tags, wrangler_client):
    tag_make_canonical(tag=fandom_with_tags)
    lowercase = Tag.objects.get(name="fluff!")
    url = reverse("tags:wrangle_tag", kwargs={"tag_id": lowercase.id})
    form = {"synonym_of": "FLUFF", "add_parent_fandom": "lighthouses", "rename": "", "add_meta_tag": ""}
    response = wrangler_client.post(url, form)
    assert response.status_code == 302
    lowercase.refresh_from_db()
    assert lowercase.merger.name == "Fluff"
    assert list(lowercase.parents.all()) == [fandom_with_tags]


def test_bad_rename_shows_the_error_and_keeps_what_was_typed(fandom_with_tags, wrangler_client):
    lowercase = Tag.objects.get(name="fluff!")
    url = reverse("tags:wrangle_tag", kwargs={"tag_id": lowercase.id})
    response = wrangler_client.post(url, {"rename": "Fluff*Stars", "canonical": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "contains characters tags cannot use: *" in page
    assert 'value="Fluff*Stars"' in page
    lowercase.refresh_from_db()
    # Nothing else asked for in the same form was done either.
    assert lowercase.name == "fluff!" and not lowercase.canonical


def test_unknown_synonym_name_is_reported_on_its_field(fandom_with_tags, wrangler_client):
    lowercase = Tag.objects.get(name="fluff!")
    url = reverse("tags:wrangle_tag", kwargs={"tag_id": lowercase.id})
    response = wrangler_client.post(url, {"synonym_of": "Floofiest"})
    assert response.status_code == 400
    assert "There is no tag called “Floofiest”." in response.content.decode()
    assert 'value="Floofiest"' in response.content.decode()


@pytest.mark.parametrize(
    "name", ["Harry Potter", "A/B & C", "Ünïcode 日本", "100% sure?", "x.y#z", "tab\tand space", "~:@!$'()*+;="]
)
def test_tag_links_are_what_the_url_configuration_gives(name):
    assert Tag(name=name).get_absolute_url() == reverse("tags:works", kwargs={"name": tag_name_to_url(name)})
