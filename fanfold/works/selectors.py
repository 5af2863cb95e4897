"""Reads of works: every read of works for a viewer starts from `visible_works`."""

from django.db.models import Q, QuerySet

from fanfold.accounts.models import Mute
from fanfold.works.models import Chapter, Creatorship, Work, WorkQuerySet


def _created_by(viewer) -> Q:
    return Q(pk__in=Creatorship.objects.filter(pseud__user=viewer).values("work_id"))


def _by_muted_creator(viewer) -> Q:
    muted = Mute.objects.filter(user=viewer).values("muted_id")
    return Q(pk__in=Creatorship.objects.filter(pseud__user__in=muted).values("work_id"))


def visible_works(viewer) -> WorkQuerySet:
    """The works `viewer` may see: drafts and hidden works only to their creators,
    restricted works only to signed-in users."""
    works = Work.objects.all()
    if viewer is None or not viewer.is_authenticated:
        return works.filter(posted=True, hidden=False, restricted=False)
    return works.filter(Q(posted=True, hidden=False) | _created_by(viewer))


def restricted_work_exists(work_id: int) -> bool:
    """Whether `work_id` is a posted work closed to guests: they get "sign in to read", not "not found"."""
    return Work.objects.filter(pk=work_id, posted=True, hidden=False, restricted=True).exists()


def listed_works(viewer) -> WorkQuerySet:
    """Works that appear in listings: visible and posted (a creator's drafts live on their drafts page),
    and by nobody the viewer muted unless the viewer is a creator too. A muted creator's work is still
    `visible_works`: it opens by link."""
    works = visible_works(viewer).filter(posted=True, hidden=False)
    if viewer is not None and viewer.is_authenticated:
        works = works.filter(~_by_muted_creator(viewer) | _created_by(viewer))
    return works.with_blurb_data()


def work_drafts(user) -> WorkQuerySet:
    return visible_works(user).filter(_created_by(user), posted=False).with_blurb_data()


def visible_chapters(*, work: Work, viewer) -> QuerySet[Chapter]:
    """A work's chapters in order; unposted chapters only for the work's creators."""
    chapters = work.chapters.all()
    if work.is_created_by(viewer):
        return chapters
    return chapters.filter(posted=True)
