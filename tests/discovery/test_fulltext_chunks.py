"""How a long text is cut into the chunks that full-text search stores."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from fanfold.discovery.fulltext import CHUNK_WORDS, MAX_PHRASE_WORDS, MAX_REPEATS, chunk_bounds


def _texts(alphabet: int):
    return st.lists(st.integers(0, alphabet - 1).map(lambda n: f"w{n}"), max_size=3 * CHUNK_WORDS)


@settings(max_examples=60, deadline=None)
@given(st.one_of(_texts(2), _texts(6), _texts(5_000)))
def test_every_short_phrase_lies_whole_in_a_chunk_that_holds_no_word_too_often(text):
    bounds = list(chunk_bounds(text))
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for start, end in bounds:
        assert 0 < end - start <= CHUNK_WORDS or not text
        assert max(Counter(text[start:end]).values(), default=0) <= MAX_REPEATS
    # Every run of at most MAX_PHRASE_WORDS words is inside one chunk.
    for first in range(0, max(len(text) - MAX_PHRASE_WORDS, 0) + 1, 7):
        last = min(first + MAX_PHRASE_WORDS, len(text))
        assert any(start <= first and last <= end for start, end in bounds)


def test_a_text_without_many_repeats_is_cut_every_chunk_less_the_overlap():
    text = [f"w{n}" for n in range(5_000)]
    step = CHUNK_WORDS - MAX_PHRASE_WORDS
    assert list(chunk_bounds(text)) == [(0, 2_000), (step, step + 2_000), (2 * step, 5_000)]


def test_a_chunk_ends_before_a_word_comes_once_too_often():
    text = ["the", "cat"] * 400
    bounds = list(chunk_bounds(text))
    assert bounds[0] == (0, 2 * MAX_REPEATS)
    assert bounds[1][0] == 2 * MAX_REPEATS - MAX_PHRASE_WORDS
