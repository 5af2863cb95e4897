"""WorkFilter: the listing state read from and written to a URL, forgiving of anything typed into it."""

from datetime import date

from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from fanfold.discovery.query import CROSSOVER_CHOICES, DIRECTIONS, LANGUAGES, SORTS, WorkFilter

tag_ids = st.lists(st.integers(min_value=1, max_value=10**9), max_size=5)
maybe_words = st.none() | st.integers(min_value=0, max_value=2**31 - 1)
maybe_day = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))

filters = st.builds(
    WorkFilter,
    include_tags=tag_ids,
    exclude_tags=tag_ids,
    ratings=tag_ids,
    warnings=tag_ids,
    categories=tag_ids,
    complete=st.none() | st.booleans(),
    single_chapter=st.booleans(),
    words_from=maybe_words,
    words_to=maybe_words,
    updated_from=maybe_day,
    updated_to=maybe_day,
    language=st.none() | st.sampled_from(sorted(LANGUAGES)),
    crossover=st.sampled_from(CROSSOVER_CHOICES),
    sort=st.sampled_from(SORTS),
    direction=st.sampled_from(DIRECTIONS),
    page=st.integers(min_value=1, max_value=100_000),
)


@settings(max_examples=100, deadline=None)
@given(filters)
def test_every_filter_survives_the_round_trip_through_its_url(work_filter):
    again = WorkFilter.from_query(work_filter.to_query())
    assert again == work_filter
    assert again.errors == ()
    assert WorkFilter.from_query(QueryDict(work_filter.to_query())) == work_filter


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "tag",
                "exclude",
                "rating",
                "complete",
                "single_chapter",
                "words_from",
                "words_to",
                "updated_from",
                "updated_to",
                "language",
                "crossover",
                "sort",
                "direction",
                "page",
                "other",
            ]
        ),
        st.text() | st.lists(st.text(), max_size=3),
    )
)
def test_no_query_string_makes_reading_a_filter_fail(params):
    work_filter = WorkFilter.from_query(params)
    assert WorkFilter.from_query(work_filter.to_query()) == work_filter


def test_the_default_listing_has_an_empty_query_string():
    assert WorkFilter().to_query() == ""
    assert WorkFilter.from_query({}) == WorkFilter()
    assert WorkFilter.from_query("") == WorkFilter()


def test_a_full_query_string_is_read():
    query = (
        "tag=12,7&tag=7&exclude=3&rating=1&rating=2&warning=5&category=9&complete=yes&single_chapter=1"
        "&words_from=1,000&words_to=50000&updated_from=2024-01-31&updated_to=2024-12-31&language=de"
        "&crossover=only&sort=kudos&direction=asc&page=3"
    )
    work_filter = WorkFilter.from_query(query)
    assert work_filter == WorkFilter(
        include_tags=(7, 12),
        exclude_tags=(3,),
        ratings=(1, 2),
        warnings=(5,),
        categories=(9,),
        complete=True,
        single_chapter=True,
        words_from=1000,
        words_to=50000,
        updated_from=date(2024, 1, 31),
        updated_to=date(2024, 12, 31),
        language="de",
        crossover="only",
        sort="kudos_count",
        direction="asc",
        page=3,
    )
    assert work_filter.errors == ()
    assert "sort=kudos_count" in work_filter.to_query()
    assert "page=4" in work_filter.page_query(4)


def test_junk_is_dropped_with_a_message_for_each_thing_not_understood():
    work_filter = WorkFilter.from_query(
        "tag=abc&tag=3&rating=-1&complete=maybe&words_from=lots&updated_to=2024-13-01&language=xx"
        "&crossover=sideways&sort=random&direction=up&page=0"
    )
    assert work_filter == WorkFilter(include_tags=(3,))
    assert len(work_filter.errors) == 10
    assert all(isinstance(message, str) and message for message in work_filter.errors)


def test_a_creators_page_stays_out_of_the_url():
    work_filter = WorkFilter(include_tags=(4,)).replace(creator_user_ids=(9, 2))
    assert work_filter.creator_user_ids == (2, 9)
    assert work_filter.to_query() == "tag=4"


def test_too_many_tags_are_cut_down_with_a_message():
    work_filter = WorkFilter.from_query({"tag": [str(n) for n in range(1, 80)]})
    assert len(work_filter.include_tags) == 50
    assert work_filter.errors
