"""Related works: a work inspired by, or translating, a work here or elsewhere.

The link to the parent always shows on the child (to a reader who may not see the parent, as a line that names
nothing). On the parent it shows, under "Works inspired by this one", only once one of the parent's creators
approves it, and only to readers the viewer's policy lets see the child listed. The parent's creators decide
on their Related Works page, which asks their own policy too (see `related_requests`).
"""

import dataclasses
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse

from fanfold.accounts.models import Pseud, User
from fanfold.core.forms import parse_id
from fanfold.works.creators import ORPHAN_USERNAME, creator_user_ids
from fanfold.works.models import Creatorship, RelatedWork, RelationStatus, Work
from fanfold.works.notices import email_after_commit, site_url
from fanfold.works.selectors import visible_works
from fanfold.works.visibility import ViewerPolicy, policy_for

MAX_URL = 500
MAX_TITLE = 255
MAX_CREATOR = 100
# Parent links a work can have: a work answers a handful of others, not hundreds.
MAX_PARENTS = 20
_WORK_PATH = re.compile(r"^/works/(\d+)(?:/|$)")
_validate_web_url = URLValidator(schemes=["http", "https"])


@dataclasses.dataclass
class ParentFields:
    """What a creator types about the work theirs answers: its address here (or number), or a work elsewhere."""

    reference: str
    title: str = ""
    creator: str = ""
    translation: bool = False


def _parent_id(reference: str, site_hosts: set[str]) -> int | None:
    """The number of the work here that `reference` names, or None when it names a work elsewhere."""
    if reference.isdigit():
        return parse_id(reference, Work) or 0
    parts = urlsplit(reference)
    found = _WORK_PATH.match(parts.path)
    if found and (not parts.netloc or parts.netloc.lower() in site_hosts):
        return parse_id(found[1], Work) or 0
    return None


def _site_hosts(request_host: str) -> set[str]:
    hosts = {request_host.lower()} if request_host else set()
    if settings.SITE_URL:
        hosts.add(urlsplit(settings.SITE_URL).netloc.lower())
    return hosts


def _notify_parent_creators(link: RelatedWork) -> None:
    kind = "translated" if link.translation else "inspired a new work"
    # The orphan account's works have nobody to ask: the link waits, unannounced, like any other. A creator
    # whose policy does not list the child (they muted its creator, or exclude its tags) is not mailed its
    # title: their Related Works page has it as a line that names nothing, to decline.
    for user in User.objects.filter(pseuds__works=link.parent).exclude(username=ORPHAN_USERNAME).distinct():
        if Work.objects.filter(policy_for(user).listed_q(), pk=link.child_id).exists():
            _notify(link, user, kind)


def _notify(link: RelatedWork, user: User, kind: str) -> None:
    email_after_commit(
        addresses=[user.email],
        subject=f"Related work notification: {link.parent.title}",
        template="works/creators/emails/related_work.txt",
        context={
            "link": link,
            "kind": kind,
            "url": site_url(reverse("creators:related_requests", kwargs={"username": user.username})),
            "child_url": site_url(link.child.get_absolute_url()),
        },
    )


@transaction.atomic
def related_work_add(*, child: Work, by: User, parent: ParentFields, request_host: str = "") -> RelatedWork:
    """Link `child` to the work it answers. A work here must be one `by` may open; its creators are emailed
    and approve the link before it shows on their work (at once when `by` is one of them)."""
    if by.pk not in creator_user_ids(child):
        raise PermissionDenied("Only a work's creators can say what inspired it.")
    reference = parent.reference.strip()
    if not reference:
        raise ValidationError({"parent_reference": ["Please enter the address of the work that inspired yours."]})
    if RelatedWork.objects.filter(child=child).count() >= MAX_PARENTS:
        raise ValidationError({"parent_reference": [f"A work can be linked to at most {MAX_PARENTS} others."]})
    parent_id = _parent_id(reference, _site_hosts(request_host))
    if parent_id is not None:
        return _link_to_work_here(
            child=child, by=by, parent_id=parent_id, typed=reference, translation=parent.translation
        )
    return _link_to_work_elsewhere(child=child, parent=parent, url=reference)


def _link_to_work_here(*, child: Work, by: User, parent_id: int, typed: str, translation: bool) -> RelatedWork:
    parent = visible_works(by).filter(pk=parent_id).first() if parent_id else None
    if parent is None:
        raise ValidationError(
            {"parent_reference": [f"There is no work “{typed}” on {settings.SITE_NAME} that you can see."]}
        )
    if parent.pk == child.pk:
        raise ValidationError({"parent_reference": ["A work can't be inspired by itself."]})
    existing = RelatedWork.objects.filter(child=child, parent=parent).first()
    if existing is not None:
        return existing
    own = by.pk in creator_user_ids(parent)
    status = RelationStatus.APPROVED if own else RelationStatus.PENDING
    try:
        with transaction.atomic():
            link = RelatedWork.objects.create(child=child, parent=parent, translation=translation, status=status)
    except IntegrityError:  # linked by another request meanwhile
        return RelatedWork.objects.get(child=child, parent=parent)
    if not own and child.posted:
        _announce(link)
    return link


def _announce(link: RelatedWork) -> None:
    _notify_parent_creators(link)
    RelatedWork.objects.filter(pk=link.pk).update(announced=True)


def related_works_announce(*, child: Work) -> None:
    """Tell the creators of the works `child` answers, now that it is posted (a draft tells nobody)."""
    pending = RelatedWork.objects.filter(child=child, status=RelationStatus.PENDING, announced=False)
    for link in pending.exclude(parent=None).select_related("parent", "child"):
        _announce(link)


def _link_to_work_elsewhere(*, child: Work, parent: ParentFields, url: str) -> RelatedWork:
    errors: dict[str, list[str]] = {}
    if len(url) > MAX_URL:
        errors["parent_reference"] = [f"The address can be at most {MAX_URL} characters long."]
    else:
        try:
            _validate_web_url(url)
        except ValidationError:
            errors["parent_reference"] = [
                "Please enter the address of the work (starting with http:// or https://) or its number on "
                f"{settings.SITE_NAME}."
            ]
    title, creator = " ".join(parent.title.split()), " ".join(parent.creator.split())
    if not title:
        errors["parent_title"] = ["Please give the title of the work elsewhere."]
    elif len(title) > MAX_TITLE:
        errors["parent_title"] = [f"The title can be at most {MAX_TITLE} characters long."]
    if len(creator) > MAX_CREATOR:
        errors["parent_creator"] = [f"The creator's name can be at most {MAX_CREATOR} characters long."]
    if errors:
        raise ValidationError(errors)
    link, _created = RelatedWork.objects.get_or_create(
        child=child,
        parent=None,
        url=url,
        defaults={"title": title, "creator": creator, "translation": parent.translation},
    )
    return link


def _as_parent_creator(link: RelatedWork, user: User) -> None:
    if link.parent is None or user.pk not in creator_user_ids(link.parent):
        raise PermissionDenied("Only the creators of the work it links to can approve this link.")


@transaction.atomic
def related_work_approve(*, link: RelatedWork, user: User) -> RelatedWork:
    """Show the link on the parent work, as one of its creators, if their viewer policy lists the work that
    links (see `related_requests`: nobody puts on their work a work they chose not to see, or may not see)."""
    _as_parent_creator(link, user)
    if not Work.objects.filter(policy_for(user).listed_q(), pk=link.child_id).exists():
        raise ValidationError(
            "You can approve only a work you can see. Decline it, or unmute its creator or stop excluding its "
            "tags first."
        )
    RelatedWork.objects.filter(pk=link.pk).update(status=RelationStatus.APPROVED)
    link.status = RelationStatus.APPROVED
    return link


@transaction.atomic
def related_work_decline(*, link: RelatedWork, user: User) -> RelatedWork:
    """Keep the link off the parent work (it stays on the child, which is its creators' to say)."""
    _as_parent_creator(link, user)
    RelatedWork.objects.filter(pk=link.pk).update(status=RelationStatus.DECLINED)
    link.status = RelationStatus.DECLINED
    return link


@transaction.atomic
def related_works_remove(*, child: Work, by: User, link_ids: list[int]) -> None:
    """Remove links from `child` to the works that inspired it, as one of its creators."""
    if by.pk not in creator_user_ids(child):
        raise PermissionDenied("Only a work's creators can change what it links to.")
    RelatedWork.objects.filter(child=child, pk__in=link_ids).delete()


# Reads ---------------------------------------------------------------------------------------------


def _with_creators(queryset):
    return queryset.prefetch_related(Prefetch("creators", queryset=Pseud.objects.select_related("user")))


@dataclasses.dataclass(frozen=True)
class ParentLink:
    """One "inspired by" line on a child work: `work` is None for a parent here the viewer may not see."""

    link: RelatedWork
    work: Work | None


def parent_links(*, child: Work, viewer) -> list[ParentLink]:
    """The works `child` answers, as the viewer may see them: a parent here that the viewer's policy would
    not list (a draft, hidden, restricted to guests, by someone they muted, under a tag they exclude), and that
    is not their own, is shown as a line that names nothing."""
    links = list(RelatedWork.objects.filter(child=child).order_by("created_at", "id"))
    parent_ids = [link.parent_id for link in links if link.parent_id]
    shown = {}
    if parent_ids:
        policy = policy_for(viewer)
        seen = policy.listed_q()
        if policy.signed_in:  # and their own works, drafts and all
            seen |= Q(pk__in=Creatorship.objects.filter(pseud__user_id=policy.user_id).values("work_id"))
        listed = Work.objects.filter(seen, pk__in=parent_ids).only("title")
        shown = {work.pk: work for work in _with_creators(listed)}
    return [ParentLink(link=link, work=shown.get(link.parent_id)) for link in links]


def child_works(*, parent: Work, viewer) -> list[RelatedWork]:
    """The approved works inspired by `parent` that the viewer's policy lists, each with its `child` loaded."""
    listed = policy_for(viewer).listed_q()
    children = _with_creators(Work.objects.filter(listed).only("title", "language"))
    return list(
        RelatedWork.objects.filter(parent=parent, status=RelationStatus.APPROVED, child__in=Work.objects.filter(listed))
        .prefetch_related(Prefetch("child", queryset=children))
        .order_by("created_at", "id")
    )


class Withheld(models.TextChoices):
    """Why a request on a creator's Related Works page names nothing (the empty value: it names its work)."""

    NOTHING = "", "named"
    MUTED = "muted", "A request from a user you muted."
    EXCLUDED = "excluded", "A request from a work with a tag you exclude."
    UNAVAILABLE = "unavailable", "A request from a work that is not available to you."


@dataclasses.dataclass(frozen=True)
class RelatedRequest:
    """One line of a creator's Related Works page: `link` to one of their works, and why it names nothing."""

    link: RelatedWork
    withheld: str = Withheld.NOTHING

    @property
    def withheld_line(self) -> str:
        return Withheld(self.withheld).label if self.withheld else ""


def related_requests(user: User) -> list[RelatedRequest]:
    """The links from works here to `user`'s works, waiting ones first, as `user`'s viewer policy lets them see
    the works that link:

    - a work their policy lists is named (title, creators), to approve or decline;
    - a work by a user they muted, or under a tag they exclude, is a collapsed line that names nothing ("A
      request from a user you muted."), as a muted user's comment is: it can be declined (or removed once
      approved) but not approved, since approving puts on their work something they chose not to see;
    - a work they may not open (its creators made it a draft again, or a maintainer hid it) is a line that names
      nothing, to decline, if they were ever told of the link or approved it; a draft that was never posted
      told nobody, and is not shown at all.
    """
    return _requests(user)


def _requests(user: User, *, link_id: int | None = None) -> list[RelatedRequest]:
    policy = policy_for(user)
    own = Creatorship.objects.filter(pseud__user=user).values("work_id")
    opens = Q(child__in=Work.objects.filter(policy.may_open_q()).values("pk"))
    heard_of = Q(announced=True) | ~Q(status=RelationStatus.PENDING)
    links = RelatedWork.objects.filter(opens | heard_of, parent__in=own)
    if link_id is not None:
        links = links.filter(pk=link_id)
    links = list(
        links.select_related("parent", "child")
        .prefetch_related(Prefetch("child__creators", queryset=Pseud.objects.select_related("user")))
        .order_by("-status", "-created_at", "-id")
    )
    return _as_requests(links, policy)


def _as_requests(links: list[RelatedWork], policy: ViewerPolicy) -> list[RelatedRequest]:
    """`links` (each with its child's creators loaded) as lines of a page, each withheld as `policy` says."""
    child_ids = {link.child_id for link in links}
    listed = set(Work.objects.filter(policy.listed_q(), pk__in=child_ids).values_list("pk", flat=True))
    may_open = set(Work.objects.filter(policy.may_open_q(), pk__in=child_ids).values_list("pk", flat=True))

    def withheld(link: RelatedWork) -> str:
        if link.child_id in listed:
            return Withheld.NOTHING
        if link.child_id not in may_open:
            return Withheld.UNAVAILABLE
        if any(pseud.user_id in policy.muted_user_ids for pseud in link.child.creators.all()):
            return Withheld.MUTED
        return Withheld.EXCLUDED

    return [RelatedRequest(link=link, withheld=withheld(link)) for link in links]


def related_request_for(*, user: User, link_id) -> RelatedRequest | None:
    """One line of `user`'s Related Works page, by its link's id (any number may be typed into a form)."""
    link_id = parse_id(link_id, RelatedWork)
    if link_id is None:
        return None
    found = _requests(user, link_id=link_id)
    return found[0] if found else None
