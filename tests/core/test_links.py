"""The links blurbs write by the hundred are the ones Django's reverse() would write."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from fanfold.core.links import reverse_ids, reverse_names


@pytest.fixture
def script_prefix():
    """Undo a test's script prefix (Fanfold mounted under a path, as behind some proxies)."""
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("viewname", "ids"),
    [
        ("works:detail", {"work_id": 7}),
        ("works:chapter", {"work_id": 12, "chapter_id": 345}),
        ("bookmarks:work", {"work_id": 2**40}),
    ],
)
def test_links_by_id_are_what_reverse_gives(viewname, ids):
    assert reverse_ids(viewname, **ids) == reverse(viewname, kwargs=ids)
    assert str(ids[next(iter(ids))]) in reverse_ids(viewname, **ids)


def test_links_follow_the_script_prefix(script_prefix):
    before = reverse_ids("works:detail", work_id=3)
    script_prefix("/archive/")
    after = reverse_ids("works:detail", work_id=3)
    assert after == "/archive" + before == reverse("works:detail", kwargs={"work_id": 3})
    assert reverse_names("accounts:profile", username="kit") == reverse("accounts:profile", kwargs={"username": "kit"})


@pytest.mark.parametrize("pseud", ["Kit", "Kit the Second", "Ünïcode ✓", "a&b?c#d", "100% real"])
def test_links_by_name_are_quoted_as_reverse_quotes_them(pseud):
    names = {"username": "kit_writes", "pseud": pseud}
    assert reverse_names("accounts:pseud", **names) == reverse("accounts:pseud", kwargs=names)


def test_a_name_no_url_can_hold_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        reverse_names("accounts:pseud", username="kit", pseud="a/b")
