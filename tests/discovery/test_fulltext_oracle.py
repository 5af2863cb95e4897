"""Full-text search finds exactly the works a brute-force reading of their texts finds, on SQLite and PostgreSQL."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanfold.accounts.models import User
from fanfold.accounts.services import user_create
from fanfold.discovery.fulltext import (
    CHUNK_WORDS,
    FIELD_WEIGHTS,
    FIELDS,
    MAX_PHRASE_WORDS,
    frequent_word_counts,
    pair_token,
    pairable,
    positive_terms,
    refresh_frequent_words,
    store_search_texts,
    text_match,
    work_search_texts,
)
from fanfold.discovery.index import DiscoveryIndex, reset_index
from fanfold.discovery.models import CommonWordWorks, FrequentWord
from fanfold.discovery.query import WorkFilter
from fanfold.discovery.search_query import And, Not, Or, ParsedSearch, Term, matches, parse_search, to_text
from fanfold.discovery.search_query import words as words_of
from fanfold.discovery.selectors import works_listing
from fanfold.tags.models import Tag, TagType, name_key
from fanfold.works.models import Chapter, Creatorship, Work

pytestmark = pytest.mark.django_db

WORKS = 160
# Few words, so that terms and phrases match some works and not others; some need Unicode folding; some are
# common words, whose phrases are matched through pair texts.
VOCABULARY = [
    *("lantern", "harbour", "storm", "Éclair", "éclair", "STRASSE", "straße", "日本", "don't", "kiss", "42"),
    *("the", "The", "of", "in"),
]
SEARCH_WORDS = [
    *("lantern", "harbour", "storm", "éclair", "ÉCLAIR", "strasse", "日本", "日", "don", "t", "kiss", "42"),
    *("the", "THE", "of", "in"),
]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(low, high)))


@pytest.fixture(scope="module")
def dataset(django_db_setup, django_db_blocker):
    """Works with titles, summaries, notes, tags, creators and chapters made of a few words; some chapters
    longer than a stored chunk, so phrases cross chunk edges; some chapters drafts."""
    rng = random.Random(7)
    with django_db_blocker.unblock():
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"refusing to write test data into {name}"
        users = [user_create(username=f"ft{n}", email=f"ft{n}@example.org", password="x") for n in range(3)]
        users[0].default_pseud.__class__.objects.filter(pk=users[0].default_pseud.pk).update(name="Storm Kiss")
        tags = Tag.objects.bulk_create(
            [
                Tag(name=f"FT {word} {n}", key=name_key(f"FT {word} {n}"), type=TagType.FREEFORM)
                for n, word in enumerate(VOCABULARY)
            ]
        )
        works = [
            Work(
                title=_text(rng, 1, 3),
                summary=f"<p>{_text(rng, 0, 6)}</p>",
                notes=f"<p>{_text(rng, 0, 3)}</p>",
                end_notes=_text(rng, 0, 2),
                posted=rng.random() < 0.9,
                restricted=rng.random() < 0.2,
                hidden=rng.random() < 0.05,
            )
            for _ in range(WORKS)
        ]
        Work.objects.bulk_create(works)
        chapters = []
        for number, work in enumerate(works):
            long = number % 20 == 0
            for position in (1, 2):
                size = (CHUNK_WORDS + 300, CHUNK_WORDS * 2) if long else (0, 12)
                chapters.append(
                    Chapter(
                        work=work,
                        position=position,
                        content=f"<p>{_text(rng, *size)}</p>",
                        posted=position == 1 or rng.random() < 0.5,
                    )
                )
        Chapter.objects.bulk_create(chapters)
        Creatorship.objects.bulk_create(
            [Creatorship(work=work, pseud=rng.choice(users).default_pseud, position=0) for work in works]
        )
        Work.tags.through.objects.bulk_create(
            [
                Work.tags.through(work_id=work.pk, tag_id=tag.pk)
                for work in works
                for tag in rng.sample(tags, rng.randint(0, 3))
            ]
        )
        ids = [work.pk for work in works]
        store_search_texts(ids)
        # About half the words are kept as bitmaps of works (frequent words), the rest are read from the
        # full-text index, so both ways are held to the brute force.
        counts = sorted(frequent_word_counts(1).values())
        frequent = refresh_frequent_words(min_texts=counts[len(counts) // 2])
        assert frequent and len(frequent) < len(counts)
        texts = work_search_texts(ids)
        listed = {work.pk for work in works if work.posted and not work.hidden}
        public = {work.pk for work in works if work.posted and not work.hidden and not work.restricted}
        yield {"texts": texts, "listed": listed, "public": public, "ids": ids}
        Work.objects.filter(pk__in=ids).delete()
        store_search_texts(ids)
        FrequentWord.objects.all().delete()
        Tag.objects.filter(name__startswith="FT ").delete()
        User.objects.filter(pk__in=[user.pk for user in users]).delete()


def _brute_force(expression, data) -> set[int]:
    return {work_id for work_id, fields in data["texts"].items() if matches(expression, fields)}


def _resolve(match, universe: set[int]) -> set[int]:
    found = set(match.work_ids.tolist())
    return universe - found if match.negated else found & universe


def _term_weight(term: Term, fields) -> float:
    found = [
        FIELD_WEIGHTS[name]
        for name in FIELDS
        if term.field in (None, name) and matches(Term(term.text, name, term.phrase), fields)
    ]
    return max(found, default=0.0)


words = st.sampled_from(SEARCH_WORDS)
terms = st.builds(
    Term,
    text=st.one_of(words, st.lists(words, min_size=2, max_size=3).map(" ".join)),
    field=st.sampled_from([None, None, None, *FIELDS[:5]]),
    phrase=st.just(True),
)
expressions = st.recursive(
    terms,
    lambda children: st.one_of(
        st.builds(Not, children),
        st.builds(And, st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(children, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=5,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=expressions)
def test_search_matches_the_brute_force_reading_of_every_work(dataset, expression):
    match = text_match(expression)
    universe = set(dataset["texts"])
    found, expected = _resolve(match, universe), _brute_force(expression, dataset)
    assert found == expected, (
        f"{_as_text(expression)}: extra {sorted(found - expected)}, missing {sorted(expected - found)}"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=expressions, signed_in=st.booleans())
def test_search_listing_gives_the_brute_force_works_in_best_match_order(dataset, expression, signed_in):
    """Through the whole listing: the text search typed, visibility, the exact total, and the best match order."""
    viewer = User.objects.get(username="ft1") if signed_in else AnonymousUser()
    reset_index()
    query = _as_text(expression)
    listing = works_listing(work_filter=WorkFilter(query=query, sort="best_match"), viewer=viewer)
    universe = dataset["listed"] if signed_in else dataset["public"]
    expected = _brute_force(parse_search(query).expression, dataset) & universe
    assert listing.search_error is None
    assert listing.result.total == len(expected)
    parsed = parse_search(query).expression
    positive = positive_terms(parsed)
    scores = {work_id: sum(_term_weight(term, dataset["texts"][work_id]) for term in positive) for work_id in expected}
    revised = dict(Work.objects.filter(pk__in=expected).values_list("pk", "revised_at"))
    ranked = sorted(expected, key=lambda w: (-scores[w], -(revised[w].timestamp() if revised[w] else -1e18), -w))
    assert listing.result.work_ids == ranked[:20]


def _as_text(expression) -> str:
    return to_text(ParsedSearch(expression=expression))


def test_phrases_are_found_across_the_edge_of_stored_chunks(dataset):
    long_work = next(
        work_id for work_id, fields in dataset["texts"].items() if len(" ".join(fields["text"]).split()) > CHUNK_WORDS
    )
    text = " ".join(dataset["texts"][long_work]["text"]).split()
    # The words that straddle the first chunk's end (by search words, which here are the same as spaces).
    edge = CHUNK_WORDS - MAX_PHRASE_WORDS // 2
    phrase = " ".join(text[edge - 2 : edge + 2])
    match = text_match(parse_search(f'"{phrase}"').expression)
    assert long_work in match.work_ids.tolist()


def test_draft_chapters_hidden_and_restricted_works_are_never_found(dataset):
    universe = set(dataset["texts"])
    index = DiscoveryIndex.build()
    everything = text_match(parse_search("lantern OR -lantern").expression)
    for signed_in, visible in ((False, dataset["public"]), (True, dataset["listed"])):
        result = index.search(WorkFilter(), signed_in=signed_in, page_size=10_000, text=everything)
        assert set(result.work_ids) == visible
        assert result.total == len(visible)
    # A draft chapter's words are not in what search reads.
    assert Chapter.objects.filter(work_id__in=universe, posted=False, position=2).exists()
    stored = {work_id: " ".join(fields["text"]) for work_id, fields in dataset["texts"].items()}
    for chapter in Chapter.objects.filter(work_id__in=universe, posted=False, position=2)[:5]:
        first = Chapter.objects.get(work_id=chapter.work_id, position=1)
        assert stored[chapter.work_id].strip() == first.content.removeprefix("<p>").removesuffix("</p>").strip()


# Through pair texts: phrases of common words only. Through word texts: any phrase with another word in it,
# next to a common word or not, in plain letters, digits, accented letters or Japanese.
PAIR_PHRASES = [
    *("of the", "the of", "in the of", "the the", "THE of in", "of the lantern", "the lantern", "lantern the"),
    *("storm of the harbour", "kiss in kiss", "the don t", "lantern storm the", "the 42", "éclair of", "the 日"),
]


@pytest.mark.parametrize("phrase", PAIR_PHRASES)
@pytest.mark.parametrize("field", [None, "text", "title", "summary"])
def test_phrases_with_common_words_match_exactly(dataset, phrase, field):
    term = Term(phrase, field, True)
    found, expected = _resolve(text_match(term), set(dataset["texts"])), _brute_force(term, dataset)
    assert found == expected
    if field is None and len(phrase.split()) < 3:
        assert expected, "the data should hold the phrase somewhere"


def test_pair_texts_pair_common_words_side_by_side_and_break_between_runs():
    from fanfold.discovery.fulltext import common_pairs

    assert common_pairs("of the lantern in the end of it".split()) == "of0the 0 in0the 0 of0it"
    assert common_pairs("lantern storm".split()) == ""
    assert common_pairs("the lantern storm harbour of".split()) == ""
    assert common_pairs("the 42 of the café in 日 in the".split()) == "of0the 0 in0the"


def test_frequent_words_are_words_or_pairs_of_the_texts_and_kept_as_bitmaps(dataset):
    frequent = set(FrequentWord.objects.filter(ready=True).values_list("word", flat=True))
    texts = [words_of(text) for fields in dataset["texts"].values() for texts in fields.values() for text in texts]
    held = {word for found in texts for word in found} | {
        pair_token(first, second)
        for found in texts
        for first, second in zip(found, found[1:], strict=False)
        if pairable(first, second)
    }
    assert frequent <= held  # no break marks
    assert any("0" in word for word in frequent), "some pairs should be frequent too"
    assert set(CommonWordWorks.objects.filter(word__in=frequent).values_list("word", flat=True)) == frequent
