"""Blocked users: who blocked whom, blocking and unblocking, and the refusals other apps ask about."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from fanfold.accounts.models import Block, User

# Every comment, gift and invitation asks whether someone blocked someone: the list stays bounded.
MAX_BLOCKS = 2000


# Reads ---------------------------------------------------------------------------------------------


def blocked_users(user: User) -> QuerySet[User]:
    """The users `user` blocked, by name."""
    return User.objects.filter(blocked_by__user=user).order_by(Lower("username"), "id")


def blocked_user_by_username(*, user: User, username: str) -> User | None:
    """The user called `username` among those `user` blocked, deactivated or not."""
    return blocked_users(user).filter(username__iexact=username).first()


def is_blocked(*, user, blocked) -> bool:
    """Whether `user` blocked `blocked` (guests block nobody and are blocked by nobody: they are no one)."""
    if not getattr(user, "is_authenticated", False) or not getattr(blocked, "is_authenticated", False):
        return False
    return Block.objects.filter(user=user, blocked=blocked).exists()


def blockers_among(*, user_ids: Iterable[int], blocked) -> set[int]:
    """Which of `user_ids` blocked `blocked` (a guest: none)."""
    user_ids = {user_id for user_id in user_ids if user_id is not None}
    if not user_ids or not getattr(blocked, "is_authenticated", False):
        return set()
    return set(Block.objects.filter(blocked=blocked, user_id__in=user_ids).values_list("user_id", flat=True))


def blocks_any(*, user, user_ids: Iterable[int]) -> bool:
    """Whether `user` blocked any of `user_ids`."""
    user_ids = {user_id for user_id in user_ids if user_id is not None}
    if not user_ids or not getattr(user, "is_authenticated", False):
        return False
    return Block.objects.filter(user=user, blocked_id__in=user_ids).exists()


# Writes --------------------------------------------------------------------------------------------


@transaction.atomic
def block_add(*, user: User, blocked: User) -> Block:
    """Block `blocked`; blocking someone already blocked changes nothing. A cap checked before the insert can
    be passed by one in a race; it bounds the list, so that is harmless."""
    if blocked.pk == user.pk:
        raise ValidationError("You cannot block yourself.")
    block = Block.objects.filter(user=user, blocked=blocked).first()
    if block is not None:
        return block
    if Block.objects.filter(user=user).count() >= MAX_BLOCKS:
        raise ValidationError(
            f"You have blocked {MAX_BLOCKS:,} users, the most you can. Unblock someone before blocking "
            f"{blocked.username}."
        )
    try:
        with transaction.atomic():
            return Block.objects.create(user=user, blocked=blocked)
    except IntegrityError:  # the same person's other request blocked them meanwhile
        return Block.objects.get(user=user, blocked=blocked)


@transaction.atomic
def block_remove(*, user: User, blocked: User) -> None:
    """Unblock `blocked`; unblocking someone not blocked changes nothing."""
    Block.objects.filter(user=user, blocked=blocked).delete()
