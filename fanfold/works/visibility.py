"""Who may see which works: one policy per viewer, rendered as ORM conditions and as discovery index bitmaps.

Every page, count, facet, search, autocomplete and email asks a `ViewerPolicy`; nothing else decides. The
rules, each written once below in both forms side by side:

- **may open** (a work's page): posted and not hidden, and not restricted unless the viewer is signed in;
  or the viewer is one of its creators (their drafts and hidden works).
- **listed** (listings, totals, facets, search, tag pages, autocomplete): posted and not hidden, not
  restricted unless signed in, and, unless the viewer is one of its creators, by nobody the viewer muted and
  with no tag the viewer always excludes. A muted creator's work still opens by link.
- **series listed**: one of its works is *listed* for the viewer.
- **bookmark listed** (every bookmarks listing, count and facet): the viewer's own bookmarks, always (one of
  a work they may no longer open shows as unavailable); anyone else's only if it is not private, its
  bookmarker is not muted by the viewer, and its work (or series) is *listed* for the viewer (an external work:
  has no tag the viewer always excludes). A bookmark of a deleted work or series is its owner's alone.

`tests/works/test_visibility.py` holds both forms and a brute-force oracle equal on random archives.
"""

import dataclasses
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from fanfold.accounts.models import Mute, TagExclusion
from fanfold.tags.models import Tag
from fanfold.tags.services import tags_filtered_under
from fanfold.works.models import Creatorship, Work

if TYPE_CHECKING:
    from pyroaring import BitMap

    from fanfold.bookmarks.index import BookmarkIndex
    from fanfold.discovery.index import DiscoveryIndex


# Works open to every signed-in reader: posted and not hidden. The discovery index holds exactly these.
LISTABLE = Q(posted=True, hidden=False)


@dataclasses.dataclass(frozen=True)
class ViewerPolicy:
    """What decides visibility for one viewer. `excluded_tag_ids` are filter tags: excluding a tag leaves
    out works found under it (its synonyms and sub tags too); an excluded synonym excludes its canonical."""

    user_id: int | None = None
    muted_user_ids: frozenset[int] = frozenset()
    excluded_tag_ids: frozenset[int] = frozenset()

    @classmethod
    def for_viewer(cls, user) -> "ViewerPolicy":
        if user is None or not user.is_authenticated:
            return GUEST
        muted, excluded = set(), set()
        for kind, first, second in _standing_rows(user.pk):
            if kind == _MUTED:
                muted.add(first)
            else:
                excluded.update(tag for tag in (first, second) if tag is not None)
        return cls(user_id=user.pk, muted_user_ids=frozenset(muted - {user.pk}), excluded_tag_ids=frozenset(excluded))

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def has_standing_exclusions(self) -> bool:
        return bool(self.muted_user_ids or self.excluded_tag_ids)

    def is_creator_of(self, work: Work) -> bool:
        return self.signed_in and any(pseud.user_id == self.user_id for pseud in work.creators.all())

    # As ORM conditions on Work ------------------------------------------------------------------------

    def _own_q(self) -> Q:
        return Q(pk__in=Creatorship.objects.filter(pseud__user_id=self.user_id).values("work_id"))

    def _open_to_all_q(self) -> Q:
        return LISTABLE if self.signed_in else LISTABLE & Q(restricted=False)

    def _standing_q(self) -> Q:
        """Works by a muted creator or under an excluded tag."""
        found = Q(pk__in=[])
        if self.muted_user_ids:
            by_muted = Creatorship.objects.filter(pseud__user_id__in=self.muted_user_ids).values("work_id")
            found |= Q(pk__in=by_muted)
        if self.excluded_tag_ids:
            under = Work.tags.through.objects.filter(tag_id__in=tags_filtered_under(self.excluded_tag_ids))
            found |= Q(pk__in=under.values("work_id"))
        return found

    def may_open_q(self) -> Q:
        if not self.signed_in:
            return self._open_to_all_q()
        return self._open_to_all_q() | self._own_q()

    def listed_q(self) -> Q:
        listed = self._open_to_all_q()
        if self.has_standing_exclusions:
            listed &= ~self._standing_q() | self._own_q()
        return listed

    def tag_q(self) -> Q:
        """Tags the viewer may know of: the archive's fixed tags, tags a wrangler made canonical or a synonym,
        and tags on a work the viewer may open. A tag used only on drafts, hidden or (for guests) restricted works is,
        to everyone else, a tag that does not exist."""
        from fanfold.tags.models import FIXED_TYPES

        on_open_work = Work.tags.through.objects.filter(
            tag_id=OuterRef("pk"), work_id__in=Work.objects.filter(self.may_open_q()).values("pk")
        )
        wrangled = Q(canonical=True) | Q(merger__isnull=False)
        return Q(type__in=FIXED_TYPES) | wrangled | Exists(on_open_work)

    def series_listed_q(self) -> Q:
        """As a condition on `series.Series`."""
        from fanfold.series.models import SeriesWork

        listed = SeriesWork.objects.filter(work__in=Work.objects.filter(self.listed_q()).values("pk"))
        return Q(pk__in=listed.values("series_id"))

    def bookmark_listed_q(self) -> Q:
        """As a condition on `bookmarks.Bookmark`."""
        from fanfold.bookmarks.models import ExternalWork
        from fanfold.series.models import Series

        external_ok = Q(work__isnull=True, external_work__isnull=False)
        if self.excluded_tag_ids:
            under = ExternalWork.tags.through.objects.filter(tag_id__in=tags_filtered_under(self.excluded_tag_ids))
            external_ok &= ~Q(external_work_id__in=under.values("externalwork_id"))
        series_ok = Q(series__in=Series.objects.filter(self.series_listed_q()).values("pk"))
        others = Q(private=False) & (
            Q(work__in=Work.objects.filter(self.listed_q()).values("pk")) | external_ok | series_ok
        )
        if self.muted_user_ids:
            others &= ~Q(user_id__in=self.muted_user_ids)
        return others | Q(user_id=self.user_id) if self.signed_in else others

    # As bitmaps of the discovery index's docs (the index holds posted, unhidden works only) --------------

    def listed_docs(self, index: "DiscoveryIndex") -> "BitMap":
        listed = index.listed_docs(restricted=self.signed_in)
        if self.has_standing_exclusions:
            standing = index.creator_docs(self.muted_user_ids) | index.tag_docs(self.excluded_tag_ids)
            listed = listed - (standing - index.creator_docs([self.user_id]))
        return listed

    def bookmark_listed_docs(self, index: "BookmarkIndex") -> "BitMap":
        """As a bitmap of the bookmark index's docs (see `bookmarks.index`)."""
        listed = index.shared_docs(restricted=self.signed_in)
        if self.muted_user_ids:
            listed -= index.bookmarker_docs(self.muted_user_ids)
        if self.has_standing_exclusions:
            standing = index.work_creator_docs(self.muted_user_ids) | index.work_tag_docs(self.excluded_tag_ids)
            listed -= standing - index.work_creator_docs([self.user_id])
            listed -= index.series_docs() - index.series_docs(self.listed_docs(index.series_works))
        if self.signed_in:
            listed |= index.bookmarker_docs([self.user_id])
        return listed


GUEST = ViewerPolicy()
_MUTED, _EXCLUDED = 0, 1


def _standing_rows(user_id: int) -> list[tuple[int, int, int | None]]:
    """A user's standing exclusions in one query, made on every signed-in page: (_MUTED, muted user id,
    None) and (_EXCLUDED, excluded tag id, the canonical tag it is a synonym of or None)."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    mutes, exclusions, tags = (quote(model._meta.db_table) for model in (Mute, TagExclusion, Tag))
    tag, excluder = column(TagExclusion, "tag"), column(TagExclusion, "user")
    muter = column(Mute, "user")
    muted = f"SELECT {_MUTED}, m.{column(Mute, 'muted')}, NULL FROM {mutes} m WHERE m.{muter} = %s"  # noqa: S608
    merger = column(Tag, "merger")
    excluded = f"SELECT {_EXCLUDED}, e.{tag}, t.{merger} FROM {exclusions} e "  # noqa: S608 (names from models)
    excluded += f"JOIN {tags} t ON t.{quote('id')} = e.{tag} WHERE e.{excluder} = %s"
    sql = f"{muted} UNION ALL {excluded}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, user_id])
        return cursor.fetchall()


def policy_for(viewer) -> ViewerPolicy:
    """The policy of a request's user (or of a policy already made, passed along)."""
    if isinstance(viewer, ViewerPolicy):
        return viewer
    if viewer is None or not viewer.is_authenticated:
        return GUEST
    # Kept on the user object: one request asks several times (listing, blurbs, tag names).
    policy = getattr(viewer, "_viewer_policy", None)
    if policy is None:
        policy = ViewerPolicy.for_viewer(viewer)
        viewer._viewer_policy = policy
    return policy
