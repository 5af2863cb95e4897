import pytest

from fanfold.bookmarks.services import BookmarkFields, bookmark_save


@pytest.fixture
def make_bookmark(db):
    """A bookmark made through `bookmark_save`; keyword arguments are BookmarkFields."""

    def make(user, work=None, *, series=None, external=None, tags=(), **fields):
        fields = BookmarkFields(tags=tuple(tags), **fields)
        return bookmark_save(user=user, work=work, series=series, external=external, fields=fields)

    return make
