"""Accounts never activated: after `settings.ACCOUNT_ACTIVATION_DAYS` they are removed, as on AO3, and their
username and email address are free again.

An account is *never activated* when it is inactive and has never signed in (an account a maintainer
deactivated has signed in; it is kept). One is removed only when nothing points at it or its pseuds but its own
default pseud and preferences: any work, comment, bookmark, gift, mute or anything else keeps it, whatever the
app that made it. Removal happens when someone signs up with its username or address, and for all of them
when `manage.py purge_unactivated_accounts` runs (daily from cron, say).
"""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fanfold.accounts.models import Preference, Pseud, User

# The rows signing up makes for an account, and the path from each to its user.
_OWN_ROWS = {Pseud: "user", Preference: "user"}


def expired_unactivated_q(*, now: dt.datetime | None = None) -> Q:
    """Accounts never activated within `settings.ACCOUNT_ACTIVATION_DAYS` of signing up, as a condition on User."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ACCOUNT_ACTIVATION_DAYS)
    return Q(is_active=False, last_login__isnull=True, is_staff=False, is_superuser=False, date_joined__lt=cutoff)


def _pointed_at(model: type[models.Model], path: str) -> list[QuerySet]:
    """For every relation into `model`, the rows through it that belong to the user at `OuterRef("pk")`."""
    found = []
    relations = [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and field.is_relation and not field.concrete
    ]
    for relation in relations:
        if relation.related_model in _OWN_ROWS and path == "pk":
            continue
        lookup = relation.field.name if path == "pk" else f"{relation.field.name}__{path}"
        found.append(relation.related_model._base_manager.filter(**{lookup: OuterRef("pk")}))
    return found


def _holding_nothing(users: QuerySet[User]) -> QuerySet[User]:
    for rows in _pointed_at(User, "pk") + [q for own, path in _OWN_ROWS.items() for q in _pointed_at(own, path)]:
        users = users.exclude(Exists(rows))
    return users


def expired_unactivated_accounts(*, now: dt.datetime | None = None) -> QuerySet[User]:
    """The accounts `unactivated_accounts_purge` would remove now."""
    return _holding_nothing(User.objects.filter(expired_unactivated_q(now=now)))


@transaction.atomic
def unactivated_accounts_purge(
    *, usernames: list[str] | None = None, emails: list[str] | None = None, now: dt.datetime | None = None
) -> int:
    """Remove the accounts never activated in time that hold nothing (all of them, or those holding one of
    `usernames` or `emails`); return how many were removed."""
    accounts = expired_unactivated_accounts(now=now)
    if usernames is not None or emails is not None:
        named = Q(pk__in=[])
        for username in usernames or []:
            named |= Q(username__iexact=username)
        for email in emails or []:
            named |= Q(email__iexact=email)
        accounts = accounts.filter(named)
    ids = list(accounts.values_list("pk", flat=True))
    if not ids:
        return 0
    # Asked again as they are deleted: one activated, or given something, meanwhile is kept.
    _deleted, per_model = expired_unactivated_accounts(now=now).filter(pk__in=ids).delete()
    return per_model.get(User._meta.label, 0)
