"""Suggested canonical tags for a tag a wrangler has not dealt with yet."""

import pytest

from fanfold.tags.models import TagType
from fanfold.tags.services import tag_find_or_create, tag_suggest_canonical
from fanfold.tags.wrangling import tag_make_canonical, tag_make_synonym

pytestmark = pytest.mark.django_db


def canonical(name: str, type: str = TagType.FANDOM):
    return tag_make_canonical(tag=tag_find_or_create(name=name, type=type))


def plain(name: str, type: str = TagType.FANDOM):
    return tag_find_or_create(name=name, type=type)


@pytest.mark.parametrize(
    ("canonical_name", "typed_name"),
    [
        ("Pokémon", "Pokemon"),
        ("Pokemon", "POKÉMON"),
        ("Star Wars", "starwars"),
        ("Star Wars", "Star-Wars!"),
        ("Naruto", "ＮＡＲＵＴＯ"),
    ],
)
def test_names_matching_up_to_case_accents_spacing_and_punctuation(canonical_name, typed_name):
    target = canonical(canonical_name)
    assert tag_suggest_canonical(tag=plain(typed_name)) == target


def test_reversed_relationships_match_but_romantic_and_platonic_do_not():
    slash = canonical("Harry Potter/Draco Malfoy", TagType.RELATIONSHIP)
    gen = canonical("Harry Potter & Ron Weasley", TagType.RELATIONSHIP)
    assert tag_suggest_canonical(tag=plain("Draco Malfoy/Harry Potter", TagType.RELATIONSHIP)) == slash
    assert tag_suggest_canonical(tag=plain("ron weasley & harry potter", TagType.RELATIONSHIP)) == gen
    assert tag_suggest_canonical(tag=plain("Draco Malfoy & Harry Potter", TagType.RELATIONSHIP)) is None


def test_a_match_through_a_synonym_suggests_its_canonical_tag():
    target = canonical("Marvel Cinematic Universe")
    tag_make_synonym(tag=plain("MCU"), canonical=target)
    assert tag_suggest_canonical(tag=plain("M.C.U.")) == target


def test_only_canonical_tags_of_the_same_type_are_suggested():
    canonical("Sherlock", TagType.CHARACTER)
    plain("Pokémon")
    assert tag_suggest_canonical(tag=plain("sherlock")) is None
    assert tag_suggest_canonical(tag=plain("Pokemon")) is None
    assert tag_suggest_canonical(tag=canonical("Naruto")) is None


def test_a_synonym_suggests_its_own_canonical_tag():
    target = canonical("Fluff", TagType.FREEFORM)
    floof = plain("Floof", TagType.FREEFORM)
    tag_make_synonym(tag=floof, canonical=target)
    assert tag_suggest_canonical(tag=floof) == target
