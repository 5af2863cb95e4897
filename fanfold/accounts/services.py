"""Writes to accounts: sign-up, pseuds, profile links, preferences."""

from django.db import transaction

from fanfold.accounts.models import Preference, Pseud, User


@transaction.atomic
def user_create(*, username: str, email: str, password: str) -> User:
    """A new user with their default pseud (named as the user) and default preferences."""
    user = User.objects.create_user(username=username, email=email.strip().lower(), password=password)
    Pseud.objects.create(user=user, name=username, is_default=True)
    Preference.objects.create(user=user)
    return user
