"""Who is credited on a work: co-creator invitations (credited only once accepted), leaving a work, orphaning.

Credit is a `Creatorship`; everything that reads creators (bylines, pseud pages, listings, the discovery
index, search) reads only those, so an invitation credits nobody. A change of credit notes the work as
changed for the index and re-reads its creator names for search, in the same transaction.
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse

from fanfold.accounts.blocks import is_blocked
from fanfold.accounts.models import Block, Preference, Pseud, User
from fanfold.accounts.services import RESERVED_USERNAME
from fanfold.discovery.services import record_work_changes, search_text_refresh
from fanfold.works.models import CreatorInvitation, Creatorship, Work
from fanfold.works.notices import email_after_commit, site_url

ORPHAN_USERNAME = RESERVED_USERNAME
# Invitations waiting on one work at once: enough for any collaboration, and a bound on what one form can send.
MAX_PENDING_INVITATIONS = 20


def _credit_changed(work_ids: list[int]) -> None:
    """Listings and search read a work's creators: have them read these works again."""
    record_work_changes(work_ids)
    search_text_refresh(work_ids=work_ids, fields=["creator"])


def creator_user_ids(work: Work) -> set[int]:
    return set(Creatorship.objects.filter(work=work).values_list("pseud__user_id", flat=True))


def _require_creator(work: Work, user) -> None:
    if not getattr(user, "is_authenticated", False) or user.pk not in creator_user_ids(work):
        raise PermissionDenied("Only a work's creators can change who is credited on it.")


# Invitations ---------------------------------------------------------------------------------------


def invitation_refusal(*, work: Work, by: User, pseud: Pseud) -> str | None:
    """Why `by` may not invite `pseud` to be a co-creator of `work`, or None if they may."""
    name = str(pseud)
    if pseud.user_id == by.pk:
        return f"“{name}” is one of your own pseuds: choose it under Creator/Pseud(s) instead."
    if pseud.user_id in creator_user_ids(work):
        return f"{pseud.user.username} is already a creator of this work."
    if is_blocked(user=pseud.user, blocked=by):
        return f"You can't invite {name} to be a co-creator: they have blocked you."
    preference = Preference.objects.filter(user_id=pseud.user_id).first()
    if preference is None or not preference.allow_cocreator_invitations:
        return f"{name} does not allow others to invite them to be a co-creator."
    return None


@transaction.atomic
def creator_invite(*, work: Work, by: User, pseud: Pseud) -> CreatorInvitation:
    """Ask the owner of `pseud` to be credited on `work`; they are emailed and credited only once they accept.
    Inviting a pseud already invited changes nothing."""
    _require_creator(work, by)
    Work.objects.lock(work.pk)  # invitations to one work are counted one writer at a time
    existing = CreatorInvitation.objects.filter(work=work, pseud=pseud).first()
    if existing is not None:
        return existing
    refusal = invitation_refusal(work=work, by=by, pseud=pseud)
    if refusal:
        raise ValidationError(refusal, code="refused")
    if CreatorInvitation.objects.filter(work=work).count() >= MAX_PENDING_INVITATIONS:
        raise ValidationError(
            f"A work can have at most {MAX_PENDING_INVITATIONS} co-creator invitations waiting at once.", code="refused"
        )
    inviter = Pseud.objects.filter(user=by, works=work).first()
    invitation = CreatorInvitation.objects.create(work=work, pseud=pseud, invited_by=inviter)
    email_after_commit(
        addresses=[pseud.user.email],
        subject=f"Co-creator request for {work.title}",
        template="works/creators/emails/invitation.txt",
        context={
            "work": work,
            "pseud": pseud,
            "inviter": inviter or by.username,
            "url": site_url(reverse("creators:invitations", kwargs={"username": pseud.user.username})),
        },
    )
    return invitation


def invitations_waiting_for(user: User) -> QuerySet[CreatorInvitation]:
    """Invitations to `user`, less those sent by someone they have blocked since (blocked people may not
    invite them, so an invitation sent before the block stops waiting too)."""
    blocked = Block.objects.filter(user=user).values("blocked_id")
    return CreatorInvitation.objects.filter(pseud__user=user).exclude(invited_by__user_id__in=blocked)


def _own_invitation(*, work: Work, user: User) -> CreatorInvitation:
    invitation = invitations_waiting_for(user).filter(work=work).select_related("pseud").first()
    if invitation is None:
        raise ValidationError("That invitation is no longer waiting for you.", code="gone")
    return invitation


@transaction.atomic
def creator_invitation_accept(*, work: Work, user: User) -> Creatorship:
    """Accept the invitation to `work`: its pseud is credited, after the work's other creators."""
    Work.objects.lock(work.pk)
    invitation = _own_invitation(work=work, user=user)
    last = Creatorship.objects.filter(work=work).aggregate(last=Max("position"))["last"]
    creatorship, _created = Creatorship.objects.get_or_create(
        work=work, pseud=invitation.pseud, defaults={"position": 0 if last is None else last + 1}
    )
    invitation.delete()
    _credit_changed([work.pk])
    return creatorship


@transaction.atomic
def creator_invitation_decline(*, work: Work, user: User) -> None:
    """Decline the invitation to `work`: nothing is credited, and the invitation is gone."""
    _own_invitation(work=work, user=user).delete()


@transaction.atomic
def creator_invitation_cancel(*, work: Work, by: User, pseud_id: int) -> None:
    """A creator of `work` withdraws an invitation not yet answered."""
    _require_creator(work, by)
    CreatorInvitation.objects.filter(work=work, pseud_id=pseud_id).delete()


def pending_invitations(user: User) -> QuerySet[CreatorInvitation]:
    """The invitations waiting for `user`, oldest first. The invited person sees the title of the work they
    are asked to share credit on, whatever its state: its creators chose to show it to them."""
    return (
        invitations_waiting_for(user)
        .select_related("work", "pseud__user", "invited_by__user")
        .order_by("created_at", "id")
    )


def work_invitations(work: Work) -> list[CreatorInvitation]:
    """The invitations waiting on `work`, for its creators."""
    return list(CreatorInvitation.objects.filter(work=work).select_related("pseud__user").order_by("created_at", "id"))


# Leaving -------------------------------------------------------------------------------------------


ONLY_CREATOR = (
    "You are the only creator of this work, so you can't remove yourself from it. "
    "You can orphan it or delete it instead."
)


@transaction.atomic
def creator_remove_self(*, work: Work, user: User) -> None:
    """Take `user`'s pseuds off `work`; the other creators keep it. The last creator cannot leave."""
    Work.objects.lock(work.pk)  # two co-creators leaving at once must not leave the work with nobody
    users = creator_user_ids(work)
    if user.pk not in users:
        raise PermissionDenied("You are not a creator of this work.")
    if users == {user.pk}:
        raise ValidationError(ONLY_CREATOR, code="last_creator")
    Creatorship.objects.filter(work=work, pseud__user=user).delete()
    _credit_changed([work.pk])


# Orphaning -----------------------------------------------------------------------------------------


def orphan_account() -> User:
    """The account orphaned works are credited to, made the first time it is needed. Nobody can log in to it."""
    user = User.objects.filter(username__iexact=ORPHAN_USERNAME).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=ORPHAN_USERNAME, email=f"{ORPHAN_USERNAME}@localhost.invalid", password=make_password(None)
            )
            Pseud.objects.create(user=user, name=ORPHAN_USERNAME, is_default=True)
            Preference.objects.create(user=user)
    except IntegrityError:  # another orphaning made it meanwhile
        user = User.objects.get(username__iexact=ORPHAN_USERNAME)
    return user


def _orphan_pseud(account: User, *, like: Pseud | None) -> Pseud:
    """The orphan account's pseud named like `like`, made if missing; its default pseud when `like` is None."""
    if like is None:
        return account.pseuds.get(is_default=True)
    pseud = account.pseuds.filter(name__iexact=like.name).first()
    if pseud is not None:
        return pseud
    try:
        with transaction.atomic():
            return Pseud.objects.create(user=account, name=like.name)
    except IntegrityError:
        return account.pseuds.get(name__iexact=like.name)


def _orphan(work_ids: list[int], *, user: User, keep_pseud: bool) -> int:
    account = orphan_account()
    if user.pk == account.pk:
        raise ValidationError("These works are already orphaned.")
    credits = list(
        Creatorship.objects.filter(work_id__in=work_ids, pseud__user=user).select_related("pseud").order_by("work_id")
    )
    for work_id in sorted({credit.work_id for credit in credits}):
        Work.objects.lock(work_id)
    for credit in credits:
        target = _orphan_pseud(account, like=credit.pseud if keep_pseud else None)
        if Creatorship.objects.filter(work_id=credit.work_id, pseud=target).exists():
            credit.delete()  # two of the user's pseuds become one orphan pseud: it is credited once
        else:
            Creatorship.objects.filter(pk=credit.pk).update(pseud=target)
    moved = sorted({credit.work_id for credit in credits})
    if moved:
        _credit_changed(moved)
    return len(moved)


@transaction.atomic
def work_orphan(*, work: Work, user: User, keep_pseud: bool) -> None:
    """Give `user`'s credit on `work` to the orphan account, for good: the work stays up with its kudos and
    comments, and its other co-creators keep theirs. `keep_pseud` credits an orphan pseud of the same name."""
    _require_creator(work, user)
    _orphan([work.pk], user=user, keep_pseud=keep_pseud)


@transaction.atomic
def works_orphan_all(*, user: User, keep_pseud: bool) -> int:
    """Orphan every work `user` is credited on (see `work_orphan`); how many."""
    work_ids = list(Creatorship.objects.filter(pseud__user=user).values_list("work_id", flat=True).distinct())
    return _orphan(work_ids, user=user, keep_pseud=keep_pseud)


def user_credited_work_count(user: User) -> int:
    return Creatorship.objects.filter(pseud__user=user).values("work_id").distinct().count()
