"""Reads of accounts: users by name, their pseuds, profile links, preferences and works."""

from django.db.models import QuerySet

from fanfold.accounts.models import Preference, ProfileLink, Pseud, User
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
