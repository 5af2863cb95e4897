"""Wrangling: what a tag wrangler can change, what is refused and why, and which works get re-listed."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from fanfold.discovery.index import DiscoveryIndex
from fanfold.discovery.models import WorkChange
from fanfold.discovery.query import WorkFilter
from fanfold.tags.models import MetaTagging, Tag, TagType
from fanfold.tags.services import filter_tag_ids, tag_find_or_create
from fanfold.tags.wrangling import (
    tag_add_parent,
    tag_add_sub_tag,
    tag_make_canonical,
    tag_make_synonym,
    tag_remove_parent,
    tag_remove_sub_tag,
    tag_rename,
    tag_set_unwrangleable,
)

pytestmark = pytest.mark.django_db


def tag(name: str, type: str = TagType.FREEFORM, *, canonical: bool = False) -> Tag:
    made = tag_find_or_create(name=name, type=type)
    if canonical and not made.canonical:
        tag_make_canonical(tag=made)
        made.refresh_from_db()
    return made


def refused(message: str):
    return pytest.raises(ValidationError, match=message)


def changed_work_ids() -> set[int]:
    return set(WorkChange.objects.values_list("work_id", flat=True))


def test_tag_wrangler_permission_exists():
    assert Permission.objects.filter(codename="wrangle_tags", content_type__app_label="tags").exists()


# Canonical tags and synonyms


def test_make_canonical():
    fluff = tag("Fluff")
    assert tag_make_canonical(tag=fluff).canonical
    fluff.refresh_from_db()
    assert fluff.canonical


def test_make_canonical_turns_a_synonym_into_its_own_canonical_tag():
    fluff = tag("Fluff", canonical=True)
    floof = tag("Floof")
    tag_make_synonym(tag=floof, canonical=fluff)
    tag_make_canonical(tag=floof)
    floof.refresh_from_db()
    assert floof.canonical and floof.merger is None


def test_make_canonical_refusals():
    with refused("already canonical"):
        tag_make_canonical(tag=tag("Fluff", canonical=True))
    with refused("fixed tags and cannot be wrangled"):
        tag_make_canonical(tag=Tag.objects.get(name="Mature"))


def test_make_synonym():
    fluff = tag("Fluff", canonical=True)
    floof = tag("Floof", canonical=True)
    tag_make_synonym(tag=floof, canonical=fluff)
    floof.refresh_from_db()
    assert floof.merger == fluff
    assert not floof.canonical
    assert list(fluff.synonyms.all()) == [floof]


def test_make_synonym_refusals():
    fluff = tag("Fluff", canonical=True)
    with refused("cannot be a synonym of itself"):
        tag_make_synonym(tag=fluff, canonical=fluff)
    with refused("“Angst” is not canonical; a tag can only be made a synonym of a canonical tag"):
        tag_make_synonym(tag=tag("Floof"), canonical=tag("Angst"))
    with refused("“Harry” is a character and “Fluff” is an additional tag; a synonym must be of the same type"):
        tag_make_synonym(tag=tag("Harry", TagType.CHARACTER), canonical=fluff)
    with refused("fixed tags"):
        tag_make_synonym(tag=Tag.objects.get(name="Mature"), canonical=Tag.objects.get(name="Explicit"))


def test_a_canonical_tag_with_synonyms_or_sub_tags_cannot_become_a_synonym_until_they_are_moved():
    fluff = tag("Fluff", canonical=True)
    soft = tag("Soft", canonical=True)
    tag_make_synonym(tag=tag("Softness"), canonical=soft)
    with refused(r"“Soft” has synonyms \(“Softness”\); make them synonyms of “Fluff” first"):
        tag_make_synonym(tag=soft, canonical=fluff)

    tag_make_synonym(tag=Tag.objects.get(name="Softness"), canonical=fluff)
    tag_add_sub_tag(meta=soft, sub=tag("Very Soft", canonical=True))
    with refused(r"“Soft” has sub tags \(“Very Soft”\); move them to “Fluff” or remove them first"):
        tag_make_synonym(tag=soft, canonical=fluff)

    tag_remove_sub_tag(meta=soft, sub=Tag.objects.get(name="Very Soft"))
    tag_add_sub_tag(meta=tag("Comfort", canonical=True), sub=soft)
    with refused(r"“Soft” is a sub tag of “Comfort”; remove it from them first"):
        tag_make_synonym(tag=soft, canonical=fluff)

    tag_remove_sub_tag(meta=Tag.objects.get(name="Comfort"), sub=soft)
    tag_make_synonym(tag=soft, canonical=fluff)
    assert Tag.objects.get(name="Soft").merger == fluff


def test_unwrangleable():
    odd = tag("this is a sentence not a tag")
    tag_set_unwrangleable(tag=odd, unwrangleable=True)
    odd.refresh_from_db()
    assert odd.unwrangleable
    with refused("a canonical tag cannot be unwrangleable"):
        tag_set_unwrangleable(tag=tag("Fluff", canonical=True), unwrangleable=True)


# Meta and sub tags


def test_add_and_remove_sub_tag():
    au = tag("Alternate Universe", canonical=True)
    coffee = tag("Coffee Shop AU", canonical=True)
    tag_add_sub_tag(meta=au, sub=coffee)
    assert list(au.sub_tags.all()) == [coffee]
    assert list(coffee.meta_tags.all()) == [au]
    tag_remove_sub_tag(meta=au, sub=coffee)
    assert not MetaTagging.objects.exists()


def test_sub_tag_refusals():
    au = tag("Alternate Universe", canonical=True)
    coffee = tag("Coffee Shop AU", canonical=True)
    with refused("cannot be a sub tag of itself"):
        tag_add_sub_tag(meta=au, sub=au)
    with refused("“Cafe AU” is not canonical; meta and sub tags must both be canonical"):
        tag_add_sub_tag(meta=au, sub=tag("Cafe AU"))
    with refused("a meta tag and its sub tags must be of the same type"):
        tag_add_sub_tag(meta=au, sub=tag("Star Wars", TagType.FANDOM, canonical=True))
    tag_add_sub_tag(meta=au, sub=coffee)
    with refused("“Coffee Shop AU” is already a sub tag of “Alternate Universe”"):
        tag_add_sub_tag(meta=au, sub=coffee)
    with refused("would make a loop"):
        tag_add_sub_tag(meta=coffee, sub=au)
    barista = tag("Barista AU", canonical=True)
    tag_add_sub_tag(meta=coffee, sub=barista)
    with refused("“Barista AU” is already below “Alternate Universe”; making it a meta tag of “Alternate Universe”"):
        tag_add_sub_tag(meta=barista, sub=au)
    with refused("“Barista AU” is not a sub tag of “Alternate Universe”"):
        tag_remove_sub_tag(meta=au, sub=barista)


# Parent fandoms


def test_add_and_remove_parent():
    fandom = tag("Star Wars", TagType.FANDOM, canonical=True)
    luke = tag("Luke Skywalker", TagType.CHARACTER)
    tag_add_parent(tag=luke, fandom=fandom)
    assert list(luke.parents.all()) == [fandom]
    assert list(fandom.children.all()) == [luke]
    tag_remove_parent(tag=luke, fandom=fandom)
    assert not luke.parents.exists()


def test_parent_refusals():
    fandom = tag("Star Wars", TagType.FANDOM, canonical=True)
    luke = tag("Luke Skywalker", TagType.CHARACTER)
    with refused("“Star Trek” is a fandom; only characters, relationships and additional tags have parent fandoms"):
        tag_add_parent(tag=tag("Star Trek", TagType.FANDOM, canonical=True), fandom=fandom)
    with refused("“Leia Organa” is a character, not a fandom"):
        tag_add_parent(tag=luke, fandom=tag("Leia Organa", TagType.CHARACTER, canonical=True))
    with refused("“SW” is not canonical; a parent fandom must be a canonical fandom"):
        tag_add_parent(tag=luke, fandom=tag("SW", TagType.FANDOM))
    tag_add_parent(tag=luke, fandom=fandom)
    with refused("“Luke Skywalker” is already in the fandom “Star Wars”"):
        tag_add_parent(tag=luke, fandom=fandom)
    with refused("“Luke Skywalker” is not in the fandom “Star Trek”"):
        tag_remove_parent(tag=luke, fandom=Tag.objects.get(name="Star Trek"))


# Renaming


def test_rename_fixes_case_and_spelling():
    fluff = tag("fluf")
    tag_rename(tag=fluff, name="  Fluff ")
    fluff.refresh_from_db()
    assert fluff.name == "Fluff"
    assert fluff.key == "fluff"
    tag_rename(tag=fluff, name="FLUFF")
    assert Tag.objects.get(pk=fluff.pk).name == "FLUFF"


def test_rename_refusals():
    fluff = tag("Fluff")
    tag("Angst")
    with refused("There is already an additional tag called “Angst”"):
        tag_rename(tag=fluff, name="angst")
    with refused("contains characters tags cannot use: \\*"):
        tag_rename(tag=fluff, name="Fluff*")
    with refused("cannot be empty"):
        tag_rename(tag=fluff, name="   ")
    with refused("fixed tags"):
        tag_rename(tag=Tag.objects.get(name="Mature"), name="Grown Up")
    assert Tag.objects.get(pk=fluff.pk).name == "Fluff"


# Filter tags


def test_filter_tags_follow_synonyms_and_meta_tags_all_the_way_up():
    fluff = tag("Fluff", canonical=True)
    floof = tag("Floof")
    tag_make_synonym(tag=floof, canonical=fluff)
    feelings = tag("Feelings", canonical=True)
    everything = tag("Everything", canonical=True)
    tag_add_sub_tag(meta=feelings, sub=fluff)
    tag_add_sub_tag(meta=everything, sub=feelings)
    stray = tag("some stray words")

    result = filter_tag_ids([floof.pk, fluff.pk, feelings.pk, stray.pk])
    assert result == {
        floof.pk: {fluff.pk, feelings.pk, everything.pk},
        fluff.pk: {fluff.pk, feelings.pk, everything.pk},
        feelings.pk: {feelings.pk, everything.pk},
        stray.pk: {stray.pk},
    }


def test_filter_tags_with_two_meta_tags_sharing_a_meta_tag():
    top = tag("Top", canonical=True)
    left = tag("Left", canonical=True)
    right = tag("Right", canonical=True)
    bottom = tag("Bottom", canonical=True)
    tag_add_sub_tag(meta=top, sub=left)
    tag_add_sub_tag(meta=top, sub=right)
    tag_add_sub_tag(meta=left, sub=bottom)
    tag_add_sub_tag(meta=right, sub=bottom)
    assert filter_tag_ids([bottom.pk]) == {bottom.pk: {bottom.pk, left.pk, right.pk, top.pk}}


def test_filter_tags_in_bulk_take_a_few_queries(django_assert_max_num_queries):
    metas = [tag(f"Meta {n}", canonical=True) for n in range(3)]
    tag_add_sub_tag(meta=metas[0], sub=metas[1])
    tag_add_sub_tag(meta=metas[1], sub=metas[2])
    subs = [tag(f"Sub {n}", canonical=True) for n in range(20)]
    for sub in subs:
        tag_add_sub_tag(meta=metas[2], sub=sub)
    with django_assert_max_num_queries(5):
        result = filter_tag_ids(sub.pk for sub in subs)
    assert all(result[sub.pk] == {sub.pk, *(meta.pk for meta in metas)} for sub in subs)


def test_works_are_found_under_the_canonical_and_meta_tags_of_their_tags(make_work):
    floof_work = make_work(title="Floofy", freeforms=["Floof"])
    plain_work = make_work(title="Plain", freeforms=["Plot"])
    fluff = tag("Fluff", canonical=True)
    feelings = tag("Feelings", canonical=True)
    tag_make_synonym(tag=Tag.objects.get(name="Floof"), canonical=fluff)
    tag_add_sub_tag(meta=feelings, sub=fluff)

    index = DiscoveryIndex.build()
    for filter_tag in (fluff, feelings):
        assert index.search(WorkFilter(include_tags=(filter_tag.pk,)), signed_in=False).work_ids == [floof_work.pk]
    assert index.search(WorkFilter(include_tags=(tag("Plot").pk,)), signed_in=False).work_ids == [plain_work.pk]


# Works noted for the index


def test_each_wrangling_change_notes_the_works_it_affects(make_work):
    floof_work = make_work(freeforms=["Floof"])
    fluff_work = make_work(freeforms=["Fluff"])
    coffee_work = make_work(freeforms=["Coffee Shop AU"])
    untouched = make_work(freeforms=["Plot"])
    floof, fluff, coffee = (Tag.objects.get(name=name) for name in ("Floof", "Fluff", "Coffee Shop AU"))
    fandom = Tag.objects.get(name="Original Work")
    tag_make_canonical(tag=fandom)
    au = tag("Alternate Universe", canonical=True)

    def after(change) -> set[int]:
        WorkChange.objects.all().delete()
        change()
        return changed_work_ids()

    assert after(lambda: tag_make_canonical(tag=fluff)) == {fluff_work.pk}
    assert after(lambda: tag_make_synonym(tag=floof, canonical=fluff)) == {floof_work.pk}
    # Renaming the canonical tag changes what both its own and its synonym's works are listed under.
    assert after(lambda: tag_rename(tag=fluff, name="fluff")) == {fluff_work.pk, floof_work.pk}
    tag_make_canonical(tag=coffee)
    assert after(lambda: tag_add_sub_tag(meta=au, sub=coffee)) == {coffee_work.pk}
    assert after(lambda: tag_add_sub_tag(meta=coffee, sub=fluff)) == {fluff_work.pk, floof_work.pk}
    # A change high up reaches works tagged with sub tags and their synonyms below.
    assert after(lambda: tag_rename(tag=au, name="AU")) == {coffee_work.pk, fluff_work.pk, floof_work.pk}
    assert after(lambda: tag_remove_sub_tag(meta=coffee, sub=fluff)) == {fluff_work.pk, floof_work.pk}
    assert after(lambda: tag_add_parent(tag=coffee, fandom=fandom)) == {coffee_work.pk}
    assert after(lambda: tag_remove_parent(tag=coffee, fandom=fandom)) == {coffee_work.pk}
    assert untouched.pk not in changed_work_ids()
