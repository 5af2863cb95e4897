"""Reads of accounts: users by name, their pseuds, profile links, preferences, works, mutes and exclusions."""

import dataclasses
import re

from django.db.models import QuerySet
from django.db.models.functions import Lower

from fanfold.accounts.models import Mute, Preference, ProfileLink, Pseud, TagExclusion, User
from fanfold.works.selectors import listed_works


def user_by_username(username: str) -> User | None:
    """The active user called `username`, whatever the case it is typed in."""
    return User.objects.filter(username__iexact=username, is_active=True).first()


def user_for_login(identifier: str) -> User | None:
    """The user someone means when they type `identifier` to log in: a username or an email address."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is None and "@" in identifier:
        user = User.objects.filter(email__iexact=identifier).first()
    return user


def user_pseuds(user: User) -> QuerySet[Pseud]:
    """`user`'s pseuds, the default first, then by name."""
    return Pseud.objects.filter(user=user).select_related("user").order_by("-is_default", "name")


def pseud_by_name(*, user: User, name: str) -> Pseud | None:
    return user_pseuds(user).filter(name__iexact=name).first()


def user_profile_links(user: User) -> QuerySet[ProfileLink]:
    return ProfileLink.objects.filter(user=user).order_by("position", "id")


def user_preference(user) -> Preference:
    """`user`'s reading preferences; the defaults (unsaved) for guests and for users without any yet."""
    if user is not None and user.is_authenticated:
        preference = Preference.objects.filter(user=user).first()
        if preference is not None:
            return preference
        return Preference(user=user)
    return Preference()


def user_works(*, viewer, user: User):
    """The works of `user` (under any pseud) that `viewer` may see listed, newest revision first."""
    return listed_works(viewer).filter(creators__user=user).distinct().order_by("-revised_at", "-id")


def pseud_works(*, viewer, pseud: Pseud):
    """The works credited to `pseud` that `viewer` may see listed, newest revision first."""
    return listed_works(viewer).filter(creators=pseud).distinct().order_by("-revised_at", "-id")


# Muted users and excluded tags ---------------------------------------------------------------------


def muted_users(user: User) -> QuerySet[User]:
    """The users `user` muted, by name."""
    return User.objects.filter(muted_by__user=user).order_by(Lower("username"), "id")


def muted_user_by_username(*, user: User, username: str) -> User | None:
    """The user called `username` among those `user` muted, deactivated or not."""
    return muted_users(user).filter(username__iexact=username).first()


def is_muted(*, user, muted: User) -> bool:
    """Whether `user` (a guest mutes nobody) muted `muted`."""
    if user is None or not user.is_authenticated:
        return False
    return Mute.objects.filter(user=user, muted=muted).exists()


def tag_exclusions(user: User) -> QuerySet[TagExclusion]:
    """The tags `user` excluded (with the canonical tag of each synonym), by tag name."""
    return TagExclusion.objects.filter(user=user).select_related("tag__merger").order_by(Lower("tag__name"), "id")


def tag_exclusion_by_tag_id(*, user: User, tag_id: int) -> TagExclusion | None:
    # Through the tag's own primary key: that lookup answers "none" for an id past the column's range,
    # where `tag_id=` would hand the database an integer it cannot hold.
    return tag_exclusions(user).filter(tag__pk=tag_id).first()


# Pseuds by the name people type ----------------------------------------------------------------------

_BYLINE = re.compile(r"^(?P<name>.+?)\s*\((?P<username>[^()]+)\)$")


@dataclasses.dataclass(frozen=True)
class BylineMatch:
    """What a typed name means: one pseud, or nothing with `problem` saying why (more than one pseud has that
    name), or nothing and no problem (nobody here is called that)."""

    pseud: Pseud | None = None
    problem: str = ""


def pseud_by_byline(byline: str) -> BylineMatch:
    """The pseud someone means by `byline`, as AO3 writes it: “pseud (username)”, a username (that user's
    pseud of the same name, else their default), or a pseud name held by exactly one active user."""
    byline = " ".join(byline.split())
    active = Pseud.objects.filter(user__is_active=True).select_related("user")
    found = _BYLINE.match(byline)
    if found:
        pseud = active.filter(name__iexact=found["name"], user__username__iexact=found["username"].strip()).first()
        return BylineMatch(pseud=pseud)
    user = user_by_username(byline)
    if user is not None:
        pseud = (
            active.filter(user=user, name__iexact=byline).first() or active.filter(user=user, is_default=True).first()
        )
        return BylineMatch(pseud=pseud)
    named = list(active.filter(name__iexact=byline)[:2])
    if len(named) > 1:
        return BylineMatch(
            problem=f"More than one person has a pseud called “{byline}”: please type it as “{byline} (username)”."
        )
    return BylineMatch(pseud=named[0] if named else None)
