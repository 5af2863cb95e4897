"""The search box's query language: what a typed search means, what it writes back as, and its error messages."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanfold.discovery.query import SORTS
from fanfold.discovery.search_query import (
    MAX_LENGTH,
    SORT_NAMES,
    And,
    Not,
    Or,
    ParsedSearch,
    Range,
    SearchSyntaxError,
    Term,
    matches,
    parse_search,
    to_text,
)


def expr(text: str):
    return parse_search(text).expression


def error(text: str) -> SearchSyntaxError:
    with pytest.raises(SearchSyntaxError) as caught:
        parse_search(text)
    return caught.value


A, B, C, D = Term("a"), Term("b"), Term("c"), Term("d")


# Meaning ---------------------------------------------------------------------------------------------------


def test_words_are_anded_and_or_binds_tighter_than_the_implicit_and():
    assert expr("a b") == And((A, B))
    assert expr("a b OR c") == And((A, Or((B, C))))
    assert expr("a OR b c") == And((Or((A, B)), C))
    assert expr("a OR b OR c d") == And((Or((A, B, C)), D))
    assert expr("a AND b OR c") == expr("a b OR c")


def test_parentheses_group_and_nested_groups_flatten():
    assert expr("(a b) OR c") == Or((And((A, B)), C))
    assert expr("a (b c)") == And((A, B, C))
    assert expr("(a OR b) OR c") == Or((A, B, C))
    assert expr("((a))") == A


def test_negation_with_minus_or_not_binds_tightest():
    assert expr("-a") == Not(A)
    assert expr("NOT a") == Not(A)
    assert expr("a -b") == And((A, Not(B)))
    assert expr("-a OR b") == Or((Not(A), B))
    assert expr("-(a OR b)") == Not(Or((A, B)))
    assert expr("NOT NOT a") == A
    assert expr("--a") == A


def test_lowercase_operators_are_ordinary_words():
    assert expr("cats or dogs") == And((Term("cats"), Term("or"), Term("dogs")))
    assert expr("not and") == And((Term("not"), Term("and")))


def test_words_inside_words_keep_their_punctuation_and_hyphens():
    assert expr("slow-burn don't") == And((Term("slow-burn"), Term("don't")))
    assert expr("12:30") == Term("12:30")


def test_phrases_keep_punctuation_and_collapse_spaces_and_control_characters():
    assert expr('"slow   burn"') == Term("slow burn", phrase=True)
    assert expr('"hurt/comfort, mostly!"') == Term("hurt/comfort, mostly!", phrase=True)
    assert expr('"a\x00\tb"') == Term("a b", phrase=True)
    assert expr('-"slow burn"') == Not(Term("slow burn", phrase=True))


def test_words_and_phrases_without_letters_or_digits_are_dropped_with_what_acts_on_them():
    assert expr("!!! a") == A
    assert expr('""') is None
    assert expr("!!! OR a") == A
    assert expr("-!!!") is None
    assert expr("a ()") == A
    assert expr("   \x00\x07  ") is None
    assert parse_search("") == ParsedSearch()


def test_unicode_words_including_cjk():
    assert expr("時間 ß café") == And((Term("時間"), Term("ß"), Term("café")))
    assert expr('tag:"鋼の錬金術師"') == Term("鋼の錬金術師", "tag", phrase=True)


def test_fields_apply_to_the_next_word_or_phrase():
    assert expr('tag:"Slow Burn" angst') == And((Term("Slow Burn", "tag", True), Term("angst")))
    assert expr("creator:ink TITLE:Stars") == And((Term("ink", "creator"), Term("Stars", "title")))
    assert expr("-summary:sad notes:x") == And((Not(Term("sad", "summary")), Term("x", "notes")))
    assert expr("tag:re:zero") == Term("re:zero", "tag")
    assert expr('"re:zero"') == Term("re:zero", phrase=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("words>1000", Range("words", low=1000)),
        ("kudos>=10", Range("kudos", low=10, low_inclusive=True)),
        ("hits<50", Range("hits", high=50)),
        ("comments<=3", Range("comments", high=3, high_inclusive=True)),
        ("bookmarks:7", Range("bookmarks", 7, 7, True, True)),
        ("words:1000-5000", Range("words", 1000, 5000, True, True)),
        ("words:1,000-5_000", Range("words", 1000, 5000, True, True)),
        ("chapters:2-", Range("chapters", low=2, low_inclusive=True)),
        ("chapters:-9", Range("chapters", high=9, high_inclusive=True)),
        ("Words>0", Range("words", low=0)),
    ],
)
def test_ranges_with_every_operator(text, expected):
    parsed = parse_search(text)
    assert parsed.ranges == (expected,)
    assert parsed.expression is None


def test_ranges_and_sort_are_taken_out_of_the_words():
    parsed = parse_search("angst words>1000 fluff kudos<5 sort:kudos")
    assert parsed.expression == And((Term("angst"), Term("fluff")))
    assert parsed.ranges == (Range("words", low=1000), Range("kudos", high=5))
    assert (parsed.sort, parsed.direction) == ("kudos_count", None)


@pytest.mark.parametrize(
    ("text", "sort", "direction"),
    [
        ("sort:kudos", "kudos_count", None),
        ("sort:kudos-asc", "kudos_count", "asc"),
        ("sort:Words-DESC", "word_count", "desc"),
        ("sort:updated", "revised_at", None),
        ("sort:posted", "published_on", None),
        ("sort:title", "title", None),
        ("sort:creator", "creator", None),
        ("sort:hits", "hit_count", None),
        ("sort:comments", "comment_count", None),
        ("sort:bookmarks-asc", "bookmark_count", "asc"),
        ("sort:hit_count", "hit_count", None),
    ],
)
def test_sort(text, sort, direction):
    parsed = parse_search(text)
    assert (parsed.sort, parsed.direction) == (sort, direction)


def test_every_sort_name_is_a_listing_sort_and_every_listing_sort_can_be_typed():
    assert set(SORT_NAMES.values()) == set(SORTS)


# Errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('angst "slow burn', "The quote that opens at character 7 is never closed.", 6),
        ('tag:"x', "The quote that opens at character 5 is never closed.", 4),
        ("auther:ink", 'Unknown field "auther:". Fields you can use: title, creator, tag, summary, notes.', 0),
        ("words>", '"words>" needs a number after it, like words>1000.', 0),
        ("kudos>=many", '"kudos>=" needs a number after it, like kudos>=1000.', 0),
        ("hits<-1", '"hits<" needs a number after it, like hits<1000.', 0),
        ("words:", '"words:" needs a number after it, like words:1000, or a range, like words:1000-5000.', 0),
        ("words:1-x", '"words:" needs a number after it', 0),
        ("words:-", '"words:" needs a number after it', 0),
        ("words:9-1", '"words:9-1" starts above where it ends; the smaller number goes first, like words:1-9.', 0),
        ("words>99999999999", 'The number in "words>99999999999" is too large.', 0),
        ("a OR", "There is nothing after OR.", 2),
        ("a OR )", "There is nothing after OR.", 2),
        ("(a OR) b", "There is nothing after OR.", 3),
        ("OR a", "There is nothing before OR.", 0),
        ("OR OR", "There is nothing before OR.", 0),
        ("a AND", "There is nothing after AND.", 2),
        ("AND a", "There is nothing before AND.", 0),
        ("a (b", 'Unbalanced parentheses: the "(" at character 3 is never closed.', 2),
        ("a) b", 'Unbalanced parentheses: the ")" at character 2 has no "(" before it.', 1),
        ("-", 'The "-" at character 1 needs a word right after it, like -angst.', 0),
        ("a - b", 'The "-" at character 3 needs a word right after it', 2),
        ("(a -)", 'The "-" at character 4 needs a word right after it', 3),
        ("-OR", 'The "-" at character 1 needs a word right after it', 0),
        ("a NOT", "NOT at character 3 needs a word after it, like NOT angst.", 2),
        ("NOT", "NOT at character 1 needs a word after it", 0),
        ("NOT OR a", "NOT at character 1 needs a word after it", 0),
        ("tag:", '"tag:" needs a word or a quoted phrase right after it, like tag:angst or tag:"slow burn".', 0),
        ("x title: y", '"title:" needs a word or a quoted phrase', 2),
        ("sort:", '"sort:" needs a sort after it, like sort:kudos. Sorts you can use: updated, posted, title,', 0),
        ("sort:length", 'Cannot sort by "length". Sorts you can use: updated, posted, title, creator, words,', 0),
        ("sort:kudos-up", '"up" is not a sort direction; use asc or desc, like sort:kudos-asc.', 0),
        ("sort:kudos sort:hits", 'Only one sort can be used at a time; "sort:hits" is a second one.', 11),
        ("a OR words>5", '"words>5" applies to the whole search, so it cannot be combined with OR.', 5),
        ("-words>5", '"words>5" applies to the whole search, so it cannot be negated;', 1),
        ("NOT sort:hits", '"sort:hits" applies to the whole search, so it cannot be negated;', 4),
        ("(a kudos<3)", '"kudos<3" applies to the whole search, so it cannot go inside parentheses.', 3),
        ("(" * 21 + "a" + ")" * 21, "Parentheses can be nested at most 20 deep", 20),
    ],
)
def test_error_messages(text, message, position):
    caught = error(text)
    assert caught.message.startswith(message)
    assert str(caught) == caught.message
    assert caught.position == position


def test_unknown_field_suggests_quotes_for_words_with_colons():
    assert 'To search for "re:zero" itself, put it in quotes.' in error("re:zero").message


def test_long_searches_are_refused_with_their_length():
    assert parse_search("a" * MAX_LENGTH).expression == Term("a" * MAX_LENGTH)
    caught = error("a " * 600)
    assert caught.message == "A search can be at most 1,000 characters long; this one is 1,200."


def test_deep_but_allowed_nesting_and_long_negation_chains_parse():
    assert expr("(" * 20 + "a" + ")" * 20) == A
    assert expr("-" * 999 + "a") == Not(A)
    assert expr("NOT " * 249 + "a") == Not(A)


# Evaluator -------------------------------------------------------------------------------------------------

WORK = {
    "title": "The Long Way Home",
    "creator": "inkwell",
    "tag": ["Slow Burn", "Hurt/Comfort", "時間旅行"],
    "summary": "Two rivals, one road trip. Don't expect fluff!",
    "text": "It was a cold night.",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("long", True),
        ("LONG way", True),
        ("lon", False),  # whole words only
        ("dont", False),
        ("don't", True),
        ('"way home"', True),
        ('"home way"', False),
        ('"long home"', False),
        ('"slow burn"', True),
        ('"burn hurt"', False),  # a phrase never spans two tags
        ("hurt/comfort", True),
        ("comfort", True),
        ("時間", True),
        ("旅行時間", False),
        ("cold night", True),
        ("title:long", True),
        ("title:cold", False),
        ("tag:fluff", False),
        ("summary:fluff", True),
        ('tag:"slow burn"', True),
        ('creator:"inkwell"', True),
        ("notes:anything", False),
        ("fluff -angst", True),
        ("fluff -rivals", False),
        ("NOT fluff", False),
        ("angst OR fluff", True),
        ("angst OR smut", False),
        ("long (angst OR road)", True),
        ("-(angst OR road)", False),
        ("", True),
    ],
)
def test_matches(text, expected):
    assert matches(expr(text), WORK) is expected


def test_matches_handles_missing_fields_and_casefolding():
    assert matches(Term("STRASSE"), {"title": "Straße"})
    assert not matches(Term("a", "notes"), {})


# Properties ------------------------------------------------------------------------------------------------

NOISE = st.text(
    alphabet=st.sampled_from('abOR NTD-"():<>=,0123456789wordskuhtg時\x00\t!') | st.characters(), max_size=60
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), NOISE))
def test_any_text_parses_or_raises_a_search_syntax_error_and_what_parses_round_trips(text):
    try:
        parsed = parse_search(text)
    except SearchSyntaxError as caught:
        assert caught.message
        assert 0 <= caught.position <= len(text)
        return
    assert parse_search(to_text(parsed)) == parsed


WORD = st.text(alphabet="abxyzéß時間'", min_size=1, max_size=5).filter(lambda w: any(c.isalnum() for c in w))
FIELD = st.sampled_from([None, "title", "creator", "tag", "summary", "notes"])
TERMS = st.builds(Term, WORD, FIELD) | st.builds(
    lambda words, field: Term(" ".join(words), field, phrase=True), st.lists(WORD, min_size=1, max_size=3), FIELD
)
TREES = st.recursive(
    TERMS,
    lambda children: (
        st.builds(Not, children)
        | st.builds(And, st.lists(children, min_size=2, max_size=3).map(tuple))
        | st.builds(Or, st.lists(children, min_size=2, max_size=3).map(tuple))
    ),
    max_leaves=8,
)
RANGE_FIELD = st.sampled_from(["words", "kudos", "hits", "comments", "bookmarks", "chapters"])
COUNT = st.integers(0, 2**31 - 1)
RANGES = (
    st.builds(lambda f, n, inclusive: Range(f, low=n, low_inclusive=inclusive), RANGE_FIELD, COUNT, st.booleans())
    | st.builds(lambda f, n, inclusive: Range(f, high=n, high_inclusive=inclusive), RANGE_FIELD, COUNT, st.booleans())
    | st.builds(lambda f, a, b: Range(f, min(a, b), max(a, b), True, True), RANGE_FIELD, COUNT, COUNT)
)
SEARCHES = st.builds(
    ParsedSearch,
    st.none() | TREES,
    st.lists(RANGES, max_size=3).map(tuple),
    st.none() | st.sampled_from(sorted(set(SORT_NAMES.values()))),
)
FIELD_TEXTS = st.fixed_dictionaries(
    {name: st.lists(WORD, max_size=4).map(" ".join) for name in ("title", "creator", "tag", "summary", "notes")}
)


@settings(max_examples=300, deadline=None)
@given(SEARCHES, st.none() | st.sampled_from(["asc", "desc"]), FIELD_TEXTS)
def test_generated_searches_round_trip_and_keep_their_meaning(search, direction, fields):
    if search.sort is not None:
        search = ParsedSearch(search.expression, search.ranges, search.sort, direction)
    parsed = parse_search(to_text(search))
    assert parse_search(to_text(parsed)) == parsed
    assert to_text(parse_search(to_text(parsed))) == to_text(parsed)
    assert parsed.ranges == search.ranges
    assert (parsed.sort, parsed.direction) == (search.sort, search.direction)
    # Writing and reading may flatten groups or cancel double negations, never change what matches.
    assert matches(parsed.expression, fields) == matches(search.expression, fields)
