"""Gifts: a work given to a user's pseud or to a name; the recipient's gifts page; refusing a gift.

A refused gift is kept (marked refused), so it leaves the recipient's page and the work's header and the same
work cannot be given to them again. Who sees a gifted work on a gifts page is the viewer's policy, as on every
listing.
"""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse

from fanfold.accounts.blocks import blocks_any, is_blocked
from fanfold.accounts.models import Preference, Pseud, User
from fanfold.accounts.selectors import pseud_by_byline
from fanfold.works.creators import creator_user_ids
from fanfold.works.models import Gift, Work
from fanfold.works.notices import email_after_commit, site_url
from fanfold.works.selectors import listed_works, visible_works

MAX_GIFTS = 20
MAX_RECIPIENT_NAME = 100


@dataclasses.dataclass(frozen=True)
class _Recipient:
    pseud: Pseud | None
    name: str

    @property
    def key(self) -> tuple:
        return ("pseud", self.pseud.pk) if self.pseud else ("name", self.name.casefold())


def _key_of(gift: Gift) -> tuple:
    return ("pseud", gift.pseud_id) if gift.pseud_id else ("name", gift.recipient_name.casefold())


def _resolve(names: list[str]) -> tuple[list[_Recipient], list[str]]:
    recipients, errors = [], []
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        if len(name) > MAX_RECIPIENT_NAME:
            errors.append(f"A gift recipient's name can be at most {MAX_RECIPIENT_NAME} characters long.")
            continue
        found = pseud_by_byline(name)
        if found.problem:
            errors.append(found.problem)
        else:
            recipients.append(_Recipient(pseud=found.pseud, name="" if found.pseud else name))
    return recipients, errors


def gift_refusal(*, work: Work, by: User, pseud: Pseud) -> str | None:
    """Why `work` may not be given to `pseud` by `by` (with the work's other creators)."""
    recipient = pseud.user
    if recipient.pk == by.pk or recipient.pk in creator_user_ids(work):
        return "You can't give a work to yourself or to one of its creators."
    if Gift.objects.filter(work=work, pseud__user=recipient, refused=True).exists():
        return f"{pseud} refused this work as a gift, so it can't be given to them again."
    if is_blocked(user=recipient, blocked=by):
        return f"You can't give a gift to {pseud}: they have blocked you."
    if blocks_any(user=recipient, user_ids=creator_user_ids(work)):
        return f"You can't give this work to {pseud}: they have blocked one of its creators."
    preference = Preference.objects.filter(user=recipient).first()
    if preference is not None and not preference.allow_gifts:
        return f"{pseud} does not accept gifts."
    return None


@transaction.atomic
def work_gifts_set(*, work: Work, by: User, recipients: list[str]) -> list[Gift]:
    """Make `work` a gift to exactly the people named in `recipients` (pseuds as “pseud (username)”, usernames,
    or any other name): new ones are given, ones left out are taken back, refused ones stay refused."""
    named = [name for name in recipients if name.strip()]
    if len(named) > MAX_GIFTS:  # before looking anyone up: each name is a query
        raise ValidationError(
            {"gifts": [f"A work can be a gift to at most {MAX_GIFTS} people; you named {len(named)}."]}
        )
    wanted, errors = _resolve(named)
    unique = list({recipient.key: recipient for recipient in wanted}.values())
    current = {_key_of(gift): gift for gift in Gift.objects.filter(work=work).select_related("pseud__user")}
    new = [recipient for recipient in unique if recipient.key not in current]
    for recipient in unique:
        gift = current.get(recipient.key)
        if gift is not None and gift.refused:
            errors.append(f"{gift.recipient} refused this work as a gift, so it can't be given to them again.")
    for recipient in new:
        if recipient.pseud is not None:
            refusal = gift_refusal(work=work, by=by, pseud=recipient.pseud)
            if refusal:
                errors.append(refusal)
    if errors:
        raise ValidationError({"gifts": errors})
    wanted_keys = {recipient.key for recipient in unique}
    taken_back = [gift.pk for key, gift in current.items() if key not in wanted_keys and not gift.refused]
    Gift.objects.filter(pk__in=taken_back).delete()
    given = []
    for recipient in new:
        try:
            with transaction.atomic():
                given.append(Gift.objects.create(work=work, pseud=recipient.pseud, recipient_name=recipient.name))
        except IntegrityError:  # given by another request meanwhile
            pass
    _announce(work, given)
    return work_gifts(work)


def gifts_announce(*, work: Work) -> None:
    """Tell the recipients of a draft's gifts, now that it is posted (a draft tells nobody)."""
    _announce(work, list(Gift.objects.filter(work=work, refused=False, pseud__isnull=False)))


def _announce(work: Work, gifts: list[Gift]) -> None:
    """Email each recipient with an account that `work` is a gift to them, once the write commits, if their
    viewer policy lets them open it (a draft, or a work a maintainer hid, tells nobody)."""
    pseud_ids = [gift.pseud_id for gift in gifts if gift.pseud_id is not None and not gift.refused]
    if not pseud_ids:
        return
    creators = ", ".join(
        str(pseud) for pseud in Pseud.objects.filter(creatorship__work=work).order_by("creatorship__position")
    )
    for pseud in Pseud.objects.filter(pk__in=pseud_ids).select_related("user"):
        if not visible_works(pseud.user).filter(pk=work.pk).exists():
            continue
        email_after_commit(
            addresses=[pseud.user.email],
            subject=f"A gift for you: {work.title}",
            template="works/creators/emails/gift.txt",
            context={
                "work": work,
                "pseud": pseud,
                "creators": creators,
                "url": site_url(work.get_absolute_url()),
                "gifts_url": site_url(reverse("creators:gifts", kwargs={"username": pseud.user.username})),
            },
        )


def work_gifts(work: Work) -> list[Gift]:
    """The gifts a work's header shows: not refused, in the order given."""
    return list(
        Gift.objects.filter(work=work, refused=False).select_related("pseud__user").order_by("created_at", "id")
    )


def gift_recipients_text(work: Work) -> str:
    """The gifts of `work` as the posting form's field shows them."""
    return ", ".join(gift.recipient for gift in work_gifts(work))


@transaction.atomic
def gift_refuse(*, work: Work, user: User) -> int:
    """Refuse `work` as a gift to any of `user`'s pseuds; how many gifts were refused."""
    refused = Gift.objects.filter(work=work, pseud__user=user, refused=False).update(refused=True)
    if not refused:
        raise ValidationError("This work is not a gift to you.", code="not_a_gift")
    return refused


def gifted_works(*, viewer, user: User) -> QuerySet[Work]:
    """The works given to `user` (not refused) that `viewer` may see listed, newest revision first."""
    given = Gift.objects.filter(pseud__user=user, refused=False).values("work_id")
    return listed_works(viewer).filter(pk__in=given).order_by("-revised_at", "-id")


def refused_gifts(user: User) -> QuerySet[Work]:
    """The works `user` refused as gifts and may still open, for their own gifts page."""
    refused = Gift.objects.filter(pseud__user=user, refused=True).values("work_id")
    return visible_works(user).filter(pk__in=refused).order_by("-revised_at", "-id")


def is_gift_to(*, work: Work, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(gift.pseud is not None and gift.pseud.user_id == user.pk for gift in work_gifts(work))
