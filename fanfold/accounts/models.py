"""Users, their pseuds, profile links, preferences, muted and blocked users, and excluded tags."""

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from fanfold.core.links import reverse_names

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    bio = models.TextField(blank=True, help_text="Sanitized HTML.")
    # Whether a creator's profile links are shown under the end notes of their works: on for new users, who
    # add links to be found by; users from before it was the default keep what they had.
    show_links_on_works = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def get_absolute_url(self) -> str:
        return reverse_names("accounts:profile", username=self.username)

    @property
    def default_pseud(self) -> "Pseud":
        return self.pseuds.get(is_default=True)


class Pseud(models.Model):
    """A name a user writes under; works are credited to pseuds, not users."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pseuds")
    name = models.CharField(max_length=40)
    description = models.TextField(blank=True, help_text="Sanitized HTML.")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="accounts_pseud_name_per_user_ci_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_default=True), name="accounts_pseud_one_default"
            ),
        ]

    def __str__(self) -> str:
        return pseud_label(self.name, self.user.username)

    def get_absolute_url(self) -> str:
        return pseud_url(self.name, self.user.username)


def pseud_label(name: str, username: str) -> str:
    """How a pseud is credited: its name, followed by its user's name when the two differ (AO3's "name (user)")."""
    return name if name.lower() == username.lower() else f"{name} ({username})"


def pseud_url(name: str, username: str) -> str:
    return reverse_names("accounts:pseud", username=username, pseud=name)


class ProfileLink(models.Model):
    """A labelled link on a creator's profile ("tumblr", "prompts"), kept in the creator's order."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="profile_links")
    label = models.CharField(max_length=60)
    url = models.URLField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.url}"


class Preference(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preference")
    # Skip the adult-content warning page on Mature, Explicit and Not Rated works.
    view_adult = models.BooleanField("show adult works without a warning", default=False)
    hide_warnings = models.BooleanField("hide archive warnings (show them on click)", default=False)
    hide_freeform = models.BooleanField("hide additional tags (show them on click)", default=False)
    view_full_works = models.BooleanField("show the entire work by default", default=False)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    # Off by default, as on AO3: nobody is asked to share credit for a work unless they said they may be.
    allow_cocreator_invitations = models.BooleanField("allow others to invite me to be a co-creator", default=False)
    allow_gifts = models.BooleanField("allow others to give me works as gifts", default=True)
    # Off: the works a reader opens are not recorded (their Marked for Later list still works).
    history_enabled = models.BooleanField("keep a history of the works I read", default=True)

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class Mute(models.Model):
    """`user` wants `muted`'s works left out of their listings; the works stay readable by link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="accounts_mute_unique"),
            models.CheckConstraint(condition=~models.Q(user=models.F("muted")), name="accounts_mute_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.muted}"


class TagExclusion(models.Model):
    """`user` wants works with `tag` left out of every listing, whatever the listing's own filters say."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tag_exclusions")
    # No reverse accessor: the tags app has no business knowing who excludes its tags.
    tag = models.ForeignKey("tags.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="accounts_tag_exclusion_unique")]

    def __str__(self) -> str:
        return f"{self.user} excludes {self.tag}"


class Block(models.Model):
    """`user` blocked `blocked`: they may not comment on `user`'s works, reply to their comments, give them
    gifts or invite them to be a co-creator. What they left before stays."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "blocked"], name="accounts_block_unique"),
            models.CheckConstraint(condition=~models.Q(user=models.F("blocked")), name="accounts_block_not_self"),
        ]
        indexes = [models.Index(fields=["blocked", "user"], name="accounts_block_blocked_user")]

    def __str__(self) -> str:
        return f"{self.user} blocks {self.blocked}"
