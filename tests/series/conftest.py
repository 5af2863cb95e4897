import pytest

from fanfold.series.services import SeriesFields, series_add_work, series_create


@pytest.fixture
def make_series(db):
    """A series by `creator` holding `works` in the order given."""

    def make(creator, works, *, title="The Lighthouse Cycle", **fields):
        series = series_create(pseuds=[creator.default_pseud], fields=SeriesFields(title=title, **fields))
        for work in works:
            series_add_work(series=series, work=work)
        return series

    return make
