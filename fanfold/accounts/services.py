"""Writes to accounts: sign-up, pseuds, profiles and their links, preferences, mutes and tag exclusions."""

import dataclasses
import logging
import re
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from fanfold.accounts.models import Mute, Preference, ProfileLink, Pseud, TagExclusion, User
from fanfold.accounts.selectors import user_for_login
from fanfold.accounts.unactivated import expired_unactivated_q, unactivated_accounts_purge
from fanfold.core.html import FORMAT_HTML, TEXT_FORMAT_CHOICES, render_user_text
from fanfold.core.throttle import Limit, address_of, throttle_attempt
from fanfold.discovery.services import record_work_changes, search_text_refresh
from fanfold.tags.models import Tag

logger = logging.getLogger(__name__)

USERNAME_MIN = 3
USERNAME_MAX = 40
_USERNAME = re.compile(r"[A-Za-z0-9_]+")
# The account orphaned works are credited to (`works.creators.orphan_account`).
RESERVED_USERNAME = "orphan_account"

PSEUD_NAME_MAX = 40
PSEUD_DESCRIPTION_MAX = 500
# Pseud names appear in URLs: no slashes, nothing that needs explaining.
_PSEUD_NAME = re.compile(r"[\w -]+")

BIO_MAX = 2000
MAX_PROFILE_LINKS = 20
LINK_LABEL_MAX = 60
LINK_URL_MAX = 500
_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_validate_web_url = URLValidator(schemes=["http", "https"])

# Every listing query carries a reader's mutes and exclusions, so their number must stay bounded.
MAX_MUTES = 500
MAX_TAG_EXCLUSIONS = 500

_TEXT_FORMATS = {value for value, _label in TEXT_FORMAT_CHOICES}


def _raise_if(errors: dict[str, list[str]]) -> None:
    """Raise one ValidationError with every field's messages, if any field has some."""
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _text_format_errors(text_format: str) -> list[str]:
    return [] if text_format in _TEXT_FORMATS else ["Please choose a text format from the list."]


# Users ---------------------------------------------------------------------------------------------


def username_errors(username: str, *, email: str = "") -> list[str]:
    """What is wrong with `username` as a new username, taken or not.

    A name held by an account not yet activated is free to the same `email`: signing up again resends the link.
    One held by an account never activated in time is free to anyone (signing up removes it, see `unactivated`).
    """
    if not username:
        return ["Please choose a username."]
    errors = []
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        errors.append(
            f"Usernames must be {USERNAME_MIN} to {USERNAME_MAX} characters long (this one is {len(username)})."
        )
    if not _USERNAME.fullmatch(username):
        errors.append("Usernames can contain only letters (a–z), numbers and underscores (_).")
    if username.lower() == RESERVED_USERNAME:
        errors.append(f"The username “{username}” is kept for orphaned works. Please choose another one.")
    holders = User.objects.filter(username__iexact=username).exclude(expired_unactivated_q())
    if email:
        holders = holders.exclude(is_active=False, email__iexact=email.strip())
    if not errors and holders.exists():
        errors.append(f"The username “{username}” is already taken. Please choose another one.")
    return errors


def email_errors(email: str) -> list[str]:
    """What is wrong with the form of `email`. Whether it has an account is never said (see `user_signup`)."""
    if not email:
        return ["Please enter your email address."]
    try:
        validate_email(email)
    except ValidationError:
        return ["Please enter a valid email address, like name@example.org."]
    return []


def password_errors(password: str, *, username: str = "", email: str = "") -> list[str]:
    """What the site's password validators say about `password` for a person with that name and address."""
    try:
        validate_password(password, user=User(username=username, email=email))
    except ValidationError as error:
        return error.messages
    return []


def user_create(*, username: str, email: str, password: str, is_active: bool = True) -> User:
    """A new user with their default pseud (named as the user) and default preferences.

    Trusts its input; people signing up go through `user_signup`, which checks it first. The password is
    hashed before the transaction begins: hashing takes a few hundred milliseconds on purpose, and on SQLite
    a write transaction holds the one write lock, so every other writer would wait for it.
    """
    password_hash = make_password(password)
    with transaction.atomic():
        user = User(
            username=User.normalize_username(username),
            email=email.strip().lower(),
            password=password_hash,
            is_active=is_active,
        )
        user.save()
        Pseud.objects.create(user=user, name=username, is_default=True)
        Preference.objects.create(user=user)
    return user


class _ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the link that activates a new account; activating it makes the link stale."""

    key_salt = "fanfold.accounts.activation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.is_active}{user.email}{timestamp}"


activation_tokens = _ActivationTokenGenerator()


def user_signup(*, username: str, email: str, password: str, site_url: str, next_url: str = "") -> User | None:
    """Sign a person up: the new account is inactive until they open the link emailed to them.

    Whether an email address has an account is never shown to whoever types it: when it has one, nothing is
    created and its owner is emailed instead ("you already have an account"), and the person signing up sees
    the same "check your email" page either way. Usernames are public, so a taken one is still reported.
    Returns the new user, or None when the address already had an account. `site_url` is the archive's
    address for the links in the email; `next_url` is where the activation link leads after activating.
    """
    username = username.strip()
    email = email.strip().lower()
    # An account never activated in time that holds this name or address gives them up now.
    unactivated_accounts_purge(usernames=[username], emails=[email])
    _raise_if(
        {
            "username": username_errors(username, email=email),
            "email": email_errors(email),
            "password": password_errors(password, username=username, email=email),
        }
    )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            user = user_create(username=username, email=email, password=password, is_active=False)
        except IntegrityError as error:
            # Someone took the name or the address between the check and the insert.
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise ValidationError(
                    {"username": [f"The username “{username}” was just taken. Please choose another one."]}
                ) from error
        else:
            _send_activation(user=user, site_url=site_url, next_url=next_url)
            return user
    # Hash anyway, so the answer takes as long as a real sign-up's.
    make_password(password)
    if existing.is_active:
        _send_account_exists(user=existing, site_url=site_url)
    else:
        # They signed up before and lost the email: send a fresh link (the password they typed now is not kept),
        # with as many days to use it as a new account has.
        User.objects.filter(pk=existing.pk).update(date_joined=timezone.now())
        _send_activation(user=existing, site_url=site_url, next_url=next_url)
    return None


def _pk_from_uid(uidb64: str) -> int | None:
    """The user id an emailed link's uid holds, if it holds one (anything may be typed into a URL)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return pk if 0 < pk < 2**63 else None


def _user_from_uid(uidb64: str) -> User | None:
    """The user an emailed link's uid names, if it names one."""
    pk = _pk_from_uid(uidb64)
    return User.objects.filter(pk=pk).first() if pk is not None else None


def user_activate(*, uidb64: str, token: str) -> User | None:
    """Activate the account the emailed link names; None if the link is wrong, stale or already used, or its
    account was not activated in time (and is removed, or about to be)."""
    if activation_link_state(uidb64=uidb64, token=token) != ActivationLink.VALID:
        return None
    user = _user_from_uid(uidb64)
    # Asked again as it changes: an account removed meanwhile is not signed in.
    if not User.objects.filter(pk=user.pk, is_active=False).exclude(expired_unactivated_q()).update(is_active=True):
        return None
    user.is_active = True
    return user


class ActivationLink(models.TextChoices):
    VALID = "valid"
    USED_OR_STALE = "stale"  # wrong, expired or already used
    GONE = "gone"  # its account was never activated in time, and is removed (or about to be)


def activation_link_state(*, uidb64: str, token: str) -> str:
    """What `user_activate` would make of this link, without activating anything."""
    if _pk_from_uid(uidb64) is None:
        return ActivationLink.USED_OR_STALE
    user = _user_from_uid(uidb64)
    if user is None or User.objects.filter(expired_unactivated_q(), pk=user.pk).exists():
        return ActivationLink.GONE
    if user.is_active or not activation_tokens.check_token(user, token):
        return ActivationLink.USED_OR_STALE
    return ActivationLink.VALID


def _send_activation(*, user: User, site_url: str, next_url: str) -> None:
    path = reverse(
        "accounts:activate",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": activation_tokens.make_token(user)},
    )
    if next_url:
        path += "?" + urlencode({"next": next_url})
    _send_account_email(
        user=user,
        subject=f"Activate your {settings.SITE_NAME} account",
        template="accounts/email/activate.txt",
        context={"activate_url": site_url + path},
    )


def _send_account_exists(*, user: User, site_url: str) -> None:
    _send_account_email(
        user=user,
        subject=f"You already have a {settings.SITE_NAME} account",
        template="accounts/email/account_exists.txt",
        context={
            "login_url": site_url + reverse("accounts:login"),
            "reset_url": site_url + reverse("accounts:password_reset"),
        },
    )


def _send_account_email(*, user: User, subject: str, template: str, context: dict) -> None:
    """Send one of the sign-up emails, after any transaction: a slow mail server never holds a lock."""
    message = render_to_string(template, {"user": user, "site_name": settings.SITE_NAME, **context})

    def send() -> None:
        try:
            send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])
        except Exception:
            # The page says an email is on its way, so a failure must reach the logs, not the person.
            logger.exception("Could not send the email %r to user %s", subject, user.pk)

    transaction.on_commit(send)


# Throttles: each returns the seconds to wait, or 0 when the attempt may go ahead. Call before the work.


def login_throttle(*, request, identifier: str) -> int:
    """Count a sign-in attempt against the account typed (by username or email alike) and the address."""
    user = user_for_login(identifier)
    account = f"u{user.pk}" if user is not None else identifier.strip().lower()
    return throttle_attempt(
        request,
        action="login",
        limits=[
            Limit("account", account, settings.LOGIN_RATE),
            Limit("ip", address_of(request), settings.LOGIN_RATE),
        ],
    )


def password_reset_throttle(*, request, email: str) -> int:
    """Count a request for a password-reset email against the address typed and the one it came from."""
    return throttle_attempt(
        request,
        action="password-reset",
        limits=[
            Limit("email", email.strip().lower(), settings.PASSWORD_RESET_RATE),
            Limit("ip", address_of(request), settings.PASSWORD_RESET_IP_RATE),
        ],
    )


def signup_throttle(*, request) -> int:
    """Count a sign-up form sent from the request's address."""
    return throttle_attempt(request, action="signup", limits=[Limit("ip", address_of(request), settings.SIGNUP_RATE)])


@transaction.atomic
def user_profile_ensure(*, user: User) -> User:
    """Give `user` the default pseud and preferences every account has (for users made outside sign-up)."""
    if not user.pseuds.filter(is_default=True).exists():
        pseud = user.pseuds.filter(name__iexact=user.username).first()
        if pseud is None:
            Pseud.objects.create(user=user, name=user.username[:PSEUD_NAME_MAX], is_default=True)
        else:
            pseud.is_default = True
            pseud.save(update_fields=["is_default"])
    Preference.objects.get_or_create(user=user)
    return user


# Pseuds --------------------------------------------------------------------------------------------


def pseud_name_errors(*, user: User, name: str, pseud: Pseud | None = None) -> list[str]:
    """What is wrong with `name` for one of `user`'s pseuds (`pseud` being the one renamed, if any)."""
    if not name:
        return ["Please enter a name for the pseud."]
    errors = []
    if len(name) > PSEUD_NAME_MAX:
        errors.append(f"Pseud names can be at most {PSEUD_NAME_MAX} characters long (this one is {len(name)}).")
    if not _PSEUD_NAME.fullmatch(name) or not any(ch.isalnum() for ch in name):
        errors.append("Pseud names can contain only letters, numbers, spaces, underscores and hyphens.")
    others = user.pseuds.filter(name__iexact=name)
    if pseud is not None:
        others = others.exclude(pk=pseud.pk)
    if not errors and others.exists():
        errors.append(f"You already have a pseud called “{others.first().name}”.")
    return errors


def _description_errors(description: str, text_format: str) -> dict[str, list[str]]:
    errors = {"text_format": _text_format_errors(text_format)}
    if len(description) > PSEUD_DESCRIPTION_MAX:
        errors["description"] = [
            f"Descriptions can be at most {PSEUD_DESCRIPTION_MAX} characters long (this one is {len(description)})."
        ]
    return errors


def _set_default(pseud: Pseud) -> None:
    # One default per user is a database constraint: clear the old default before setting the new.
    Pseud.objects.filter(user_id=pseud.user_id, is_default=True).exclude(pk=pseud.pk).update(is_default=False)
    if not pseud.is_default:
        pseud.is_default = True
        pseud.save(update_fields=["is_default"])


@transaction.atomic
def pseud_create(
    *, user: User, name: str, description: str = "", text_format: str = FORMAT_HTML, make_default: bool = False
) -> Pseud:
    name = " ".join(name.split())
    errors = {"name": pseud_name_errors(user=user, name=name), **_description_errors(description, text_format)}
    _raise_if(errors)
    try:
        with transaction.atomic():
            pseud = Pseud.objects.create(user=user, name=name, description=render_user_text(description, text_format))
    except IntegrityError as error:
        raise ValidationError({"name": [f"You already have a pseud called “{name}”."]}) from error
    if make_default:
        _set_default(pseud)
    return pseud


@transaction.atomic
def pseud_update(
    *, pseud: Pseud, name: str, description: str, text_format: str = FORMAT_HTML, make_default: bool = False
) -> Pseud:
    """Rename `pseud` and replace its description; the pseud named as the user keeps its name."""
    name = " ".join(name.split())
    errors: dict[str, list[str]] = _description_errors(description, text_format)
    if name != pseud.name:
        if pseud.name.lower() == pseud.user.username.lower():
            errors["name"] = ["The pseud named after your username cannot be renamed."]
        else:
            errors["name"] = pseud_name_errors(user=pseud.user, name=name, pseud=pseud)
    _raise_if(errors)
    renamed = name != pseud.name
    pseud.name = name
    pseud.description = render_user_text(description, text_format)
    try:
        with transaction.atomic():
            pseud.save(update_fields=["name", "description"])
    except IntegrityError as error:
        raise ValidationError({"name": [f"You already have a pseud called “{name}”."]}) from error
    if renamed:
        # Listings sort and search by creator name: the works credited to this pseud are read again.
        work_ids = list(pseud.works.values_list("id", flat=True))
        record_work_changes(work_ids)
        search_text_refresh(work_ids=work_ids, fields=["creator"])
    if make_default:
        _set_default(pseud)
    return pseud


@transaction.atomic
def pseud_set_default(*, pseud: Pseud) -> Pseud:
    """Make `pseud` the one new works are credited to unless the creator chooses another."""
    _set_default(pseud)
    return pseud


@transaction.atomic
def pseud_delete(*, pseud: Pseud) -> None:
    """Delete a pseud nothing is credited to; the default pseud stays."""
    if pseud.is_default:
        raise ValidationError("You cannot delete your default pseud. Make another pseud the default first.")
    if pseud.works.exists():
        raise ValidationError(
            f"“{pseud.name}” is credited on works, so it cannot be deleted. Change the creators of those works first."
        )
    pseud.delete()


# Profile -------------------------------------------------------------------------------------------


@dataclasses.dataclass
class LinkFields:
    """One row of a creator's profile links, as typed."""

    label: str
    url: str


def link_url_normalize(url: str) -> str:
    """`url` as it will be stored: a bare "example.org/me" is taken to mean https."""
    url = url.strip()
    if url and not _HAS_SCHEME.match(url):
        url = "https://" + url
    return url


def link_errors(*, label: str, url: str) -> list[str]:
    """What is wrong with one profile link."""
    label, url = label.strip(), link_url_normalize(url)
    errors = []
    if not label:
        errors.append("Please give the link a label, like “tumblr” or “prompts”.")
    elif len(label) > LINK_LABEL_MAX:
        errors.append(f"Link labels can be at most {LINK_LABEL_MAX} characters long.")
    if not url:
        errors.append("Please enter the address the link goes to.")
    elif len(url) > LINK_URL_MAX:
        errors.append(f"Link addresses can be at most {LINK_URL_MAX} characters long.")
    else:
        try:
            _validate_web_url(url)
        except ValidationError:
            if url.split(":", 1)[0].lower() not in {"http", "https"}:
                errors.append("Links must be web addresses starting with http:// or https://.")
            else:
                errors.append(f"“{url}” is not a valid web address.")
    return errors


def _links_errors(links: list[LinkFields]) -> list[str]:
    errors = []
    if len(links) > MAX_PROFILE_LINKS:
        errors.append(
            f"You can have at most {MAX_PROFILE_LINKS} profile links; you entered {len(links)}. Please remove some."
        )
    for number, link in enumerate(links, start=1):
        errors.extend(f"Link {number}: {message}" for message in link_errors(label=link.label, url=link.url))
    return errors


@transaction.atomic
def profile_update(
    *,
    user: User,
    bio: str,
    text_format: str = FORMAT_HTML,
    show_links_on_works: bool,
    links: list[LinkFields] | None = None,
) -> User:
    """Replace `user`'s bio and, when `links` is given, their profile links (in that order)."""
    errors = {"text_format": _text_format_errors(text_format)}
    if len(bio) > BIO_MAX:
        errors["bio"] = [f"Your bio can be at most {BIO_MAX:,} characters long (it is {len(bio):,})."]
    if links is not None:
        errors["links"] = _links_errors(links)
    _raise_if(errors)

    user.bio = render_user_text(bio, text_format)
    user.show_links_on_works = show_links_on_works
    user.save(update_fields=["bio", "show_links_on_works"])
    if links is not None:
        user.profile_links.all().delete()
        ProfileLink.objects.bulk_create(
            ProfileLink(user=user, label=link.label.strip(), url=link_url_normalize(link.url), position=position)
            for position, link in enumerate(links)
        )
    return user


# Preferences ---------------------------------------------------------------------------------------


@transaction.atomic
def preference_update(
    *,
    user: User,
    view_adult: bool,
    hide_warnings: bool,
    hide_freeform: bool,
    view_full_works: bool,
    time_zone: str,
    allow_cocreator_invitations: bool | None = None,
    allow_gifts: bool | None = None,
    history_enabled: bool | None = None,
) -> Preference:
    """Save `user`'s preferences; a preference given as None keeps its value."""
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": ["Please choose a time zone from the list."]})
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.view_adult = view_adult
    preference.hide_warnings = hide_warnings
    preference.hide_freeform = hide_freeform
    preference.view_full_works = view_full_works
    preference.time_zone = time_zone
    if allow_cocreator_invitations is not None:
        preference.allow_cocreator_invitations = allow_cocreator_invitations
    if allow_gifts is not None:
        preference.allow_gifts = allow_gifts
    if history_enabled is not None:
        preference.history_enabled = history_enabled
    preference.save()
    return preference


# Muted users and excluded tags ---------------------------------------------------------------------
# A cap checked before the insert can be passed by one or two in a race; it bounds query size, so that is harmless.


@transaction.atomic
def mute_add(*, user: User, muted: User) -> Mute:
    """Leave `muted`'s works out of `user`'s listings; muting someone already muted changes nothing."""
    if muted.pk == user.pk:
        raise ValidationError("You cannot mute yourself.")
    mute = Mute.objects.filter(user=user, muted=muted).first()
    if mute is not None:
        return mute
    if Mute.objects.filter(user=user).count() >= MAX_MUTES:
        raise ValidationError(
            f"You have muted {MAX_MUTES} users, the most you can. Unmute someone before muting {muted.username}."
        )
    mute, _created = Mute.objects.get_or_create(user=user, muted=muted)
    return mute


@transaction.atomic
def mute_remove(*, user: User, muted: User) -> None:
    """Show `muted`'s works in `user`'s listings again; unmuting someone not muted changes nothing."""
    Mute.objects.filter(user=user, muted=muted).delete()


@transaction.atomic
def tag_exclusion_add(*, user: User, tag: Tag) -> TagExclusion:
    """Leave works with `tag` out of `user`'s listings; excluding a tag already excluded changes nothing."""
    exclusion = TagExclusion.objects.filter(user=user, tag=tag).first()
    if exclusion is not None:
        return exclusion
    if TagExclusion.objects.filter(user=user).count() >= MAX_TAG_EXCLUSIONS:
        raise ValidationError(
            f"You have excluded {MAX_TAG_EXCLUSIONS} tags, the most you can. Remove one before excluding “{tag.name}”."
        )
    exclusion, _created = TagExclusion.objects.get_or_create(user=user, tag=tag)
    return exclusion


@transaction.atomic
def tag_exclusion_remove(*, user: User, tag: Tag) -> None:
    """Let works with `tag` into `user`'s listings again; removing a tag not excluded changes nothing."""
    TagExclusion.objects.filter(user=user, tag=tag).delete()
