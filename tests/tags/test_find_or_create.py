"""Finding or making a tag by name when someone else makes the same new tag at the same moment."""

import pytest
from django.db.models import QuerySet

from fanfold.tags.models import Tag, TagType
from fanfold.tags.services import tag_find_or_create
from fanfold.works.models import Work

pytestmark = pytest.mark.django_db


@pytest.fixture
def made_meanwhile(monkeypatch):
    """The first look-up misses, as it does when another post makes the tag just after it: the tag exists."""
    theirs = Tag.objects.create(name="Made At Once", type=TagType.FREEFORM)
    real_first = QuerySet.first
    missed = []

    def first(queryset):
        if queryset.model is Tag and theirs.key in str(queryset.query) and not missed:
            missed.append(True)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    return theirs


def test_a_tag_made_between_look_up_and_insert_is_the_one_used(made_meanwhile):
    assert tag_find_or_create(name="made at once", type=TagType.FREEFORM) == made_meanwhile
    assert Tag.objects.filter(key=made_meanwhile.key).count() == 1


def test_the_post_goes_on_after_the_clash(made_meanwhile, make_work):
    """The failed insert is rolled back to its savepoint, not the whole post's transaction."""
    work = make_work(freeforms=["Made At Once"])
    assert Work.objects.get(pk=work.pk).tags.filter(pk=made_meanwhile.pk).exists()
