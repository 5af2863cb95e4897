"""A snippet is shown exactly when a work's text holds the searched phrase, and marks its words."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fanfold.discovery.fulltext import _snippet
from fanfold.discovery.search_query import words

PIECES = ["the", "end", "The", "theend", "x", "漢", "字", "ß", "don't", "end.", "…the", "_end", "e", "nd"]
SEPARATORS = [" ", " ", " ", "\n", ", ", "", "-"]


def _contains(stream: list[str], phrase: list[str]) -> bool:
    return any(stream[at : at + len(phrase)] == phrase for at in range(len(stream) - len(phrase) + 1))


texts = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)), max_size=400).map(
    lambda parts: "".join(piece + separator for piece, separator in parts)
)
SEARCHED = ["the", "end", "x", "漢", "字", "ss", "don", "t", "e", "nd"]
phrases = st.lists(st.sampled_from(SEARCHED), min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(texts, st.lists(phrases, min_size=1, max_size=2))
@example("書いた漢字です", [["漢", "字"]])
@example("Don't, they said.", [["don", "t"]])
@example("Straße theend the_end", [["the", "end"]])
def test_a_snippet_shows_when_and_only_when_a_phrase_is_in_the_text(text, wanted):
    snippet = _snippet(text, wanted)
    stream = words(text)
    assert (snippet is not None) == any(_contains(stream, phrase) for phrase in wanted)
    if snippet is not None:
        marked = {word for piece in re.findall(r"<mark>(.*?)</mark>", snippet) for word in words(piece)}
        assert marked & {word for phrase in wanted for word in phrase}


def test_a_phrase_deep_in_a_long_text_after_many_near_misses_is_shown():
    text = "the next one. " * 20_000 + "At the end, silence."
    snippet = _snippet(text, [["the", "end"]])
    assert snippet is not None and "<mark>end,</mark>" in snippet and snippet.endswith("silence.")
