import pytest

from fanfold.bookmarks.services import BookmarkFields, bookmark_save


@pytest.fixture
def make_bookmark(db):
    """A bookmark made through `bookmark_save`; keyword arguments are BookmarkFields."""

    def make(user, work=None, *, external=None, tags=(), **fields):
        return bookmark_save(user=user, work=work, external=external, fields=BookmarkFields(tags=tuple(tags), **fields))

    return make
