"""Works, their chapters and the pseuds credited as their creators."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.core.links import reverse_ids
from fanfold.tags.models import ADULT_RATINGS, Tag, TagType

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("uk", "Українська"),
    ("tr", "Türkçe"),
    ("vi", "Tiếng Việt"),
    ("id", "Bahasa Indonesia"),
    ("ar", "العربية"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("th", "ไทย"),
    ("zh", "中文"),
    ("ja", "日本語"),
    ("ko", "한국어"),
]
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


# Languages written right to left: their works' text is laid out that way whatever its first letter is.
RIGHT_TO_LEFT_LANGUAGES = frozenset(["ar", "he"])


class CommentPermission(models.TextChoices):
    EVERYONE = "everyone", "Everyone, including guests"
    REGISTERED = "registered", "Only signed-in users"
    NOBODY = "nobody", "Nobody (comments are off)"


# Kept by atomic increments from the rows readers leave (kudos, comments, hits, bookmarks).
COUNTER_FIELDS = ("kudos_count", "comment_count", "hit_count", "bookmark_count")
# Recounted from the chapters COUNTED_CHAPTERS picks, under a lock on the work's row.
TOTAL_FIELDS = ("word_count", "chapter_count")
# A posted work's totals count its posted chapters; a draft's count all of them, as it will be once posted
# (its preview and the drafts list show them).
COUNTED_CHAPTERS = models.Q(posted=True) | models.Q(work__posted=False)


BLURB_COLUMNS = (
    "title",
    "summary",
    "language",
    "expected_chapters",
    "complete",
    "posted",
    "restricted",
    "hidden",
    "revised_at",
    "published_on",
    "word_count",
    "chapter_count",
    "comment_count",
    "kudos_count",
    "hit_count",
    "bookmark_count",
)


class WorkQuerySet(models.QuerySet):
    def posted(self):
        return self.filter(posted=True)

    def locked(self):
        """These works' rows, read `FOR NO KEY UPDATE` (PostgreSQL) to the end of the transaction: writers of
        a work's chapters and comments, and recounts, wait for each other; kudos and hits, whose rows only
        need the work to exist, do not. (SQLite has one writer at a time anyway.)"""
        return self.select_for_update(no_key=True)

    def lock(self, work_id: int) -> None:
        """Hold one work's row (see `locked`)."""
        list(self.locked().filter(pk=work_id).values_list("pk", flat=True))

    def with_blurb_data(self):
        """What a blurb shows, loaded in a fixed number of queries, and only the columns it shows (notes
        can be long, and timestamps cost more to convert than to query)."""
        return self.only(*BLURB_COLUMNS).prefetch_related(*blurb_prefetches())


def blurb_prefetches() -> tuple[models.Prefetch, ...]:
    """A blurb's tags and creators, only the columns it shows."""
    return (
        models.Prefetch("tags", queryset=Tag.objects.order_by("sort_order", "name").only("name", "type")),
        models.Prefetch("creators", queryset=Pseud.objects.select_related("user").only("name", "user__username")),
    )


class Work(models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True, help_text="Sanitized HTML.")
    notes = models.TextField("beginning notes", blank=True, help_text="Sanitized HTML.")
    end_notes = models.TextField(blank=True, help_text="Sanitized HTML.")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    creators = models.ManyToManyField(Pseud, through="Creatorship", related_name="works")
    tags = models.ManyToManyField(Tag, related_name="works", blank=True)

    # None means the creator does not know yet ("3/?").
    expected_chapters = models.PositiveIntegerField(null=True, blank=True)
    complete = models.BooleanField(default=False)

    posted = models.BooleanField(default=False, help_text="Unposted works are drafts, seen by their creators only.")
    restricted = models.BooleanField(default=False, help_text="Visible to signed-in users only.")
    hidden = models.BooleanField(default=False, help_text="Hidden by a maintainer; seen by its creators only.")
    comment_permission = models.CharField(
        max_length=16, choices=CommentPermission.choices, default=CommentPermission.REGISTERED
    )
    moderate_comments = models.BooleanField(default=False)

    # Publication date is the creator's to set (backdating is allowed); revised_at moves with updates.
    published_on = models.DateField(null=True, blank=True)
    revised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Denormalised counters for listings and sorting; kept by the services that change them.
    word_count = models.PositiveIntegerField(default=0)
    chapter_count = models.PositiveIntegerField(default=0)
    kudos_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    hit_count = models.PositiveIntegerField(default=0)
    bookmark_count = models.PositiveIntegerField(default=0)

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["-revised_at", "-id"]
        indexes = [models.Index(fields=["posted", "-revised_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Save the work without ever writing its counters and totals back, unless they are named.

        A `Work` in memory was read some time ago, and kudos, hits and comments may have been counted
        since: a plain `save()` of the whole row (an edit, the admin) would put the old counts back, and
        acknowledged kudos would be lost. So an update that does not name its `update_fields` writes every
        field except COUNTER_FIELDS and TOTAL_FIELDS; those change only by `F()` updates and recounts
        (`interactions.services`, `works.services.work_recount`). A new work is inserted whole.
        """
        if (
            not args
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
            and not self._state.adding
        ):
            kept = set(COUNTER_FIELDS + TOTAL_FIELDS) | self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname not in kept
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_ids("works:detail", work_id=self.pk)

    # Tags by type, read from the prefetched `tags` so templates trigger no queries.
    def tags_of(self, tag_type: str) -> list[Tag]:
        return [tag for tag in self.tags.all() if tag.type == tag_type]

    @property
    def rating(self) -> Tag | None:
        ratings = self.tags_of(TagType.RATING)
        return ratings[0] if ratings else None

    @property
    def tags_of_rating(self) -> list[Tag]:
        return self.tags_of(TagType.RATING)

    @property
    def warnings(self) -> list[Tag]:
        return self.tags_of(TagType.WARNING)

    @property
    def categories(self) -> list[Tag]:
        return self.tags_of(TagType.CATEGORY)

    @property
    def fandoms(self) -> list[Tag]:
        return self.tags_of(TagType.FANDOM)

    @property
    def relationships(self) -> list[Tag]:
        return self.tags_of(TagType.RELATIONSHIP)

    @property
    def characters(self) -> list[Tag]:
        return self.tags_of(TagType.CHARACTER)

    @property
    def freeforms(self) -> list[Tag]:
        return self.tags_of(TagType.FREEFORM)

    @property
    def is_adult(self) -> bool:
        rating = self.rating
        return rating is None or rating.name in ADULT_RATINGS

    @property
    def text_direction(self) -> str:
        return "rtl" if self.language in RIGHT_TO_LEFT_LANGUAGES else "ltr"

    @property
    def chapters_display(self) -> str:
        expected = self.expected_chapters if self.expected_chapters else "?"
        return f"{self.chapter_count}/{expected}"

    def is_created_by(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return any(pseud.user_id == user.pk for pseud in self.creators.all())


class Creatorship(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE)
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["work", "pseud"], name="works_creatorship_unique")]

    def __str__(self) -> str:
        return f"{self.pseud_id} on {self.work_id}"


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=255, blank=True)
    summary = models.TextField(blank=True, help_text="Sanitized HTML.")
    notes = models.TextField("beginning notes", blank=True, help_text="Sanitized HTML.")
    end_notes = models.TextField(blank=True, help_text="Sanitized HTML.")
    content = models.TextField(help_text="Sanitized HTML.")
    posted = models.BooleanField(default=False)
    published_on = models.DateField(null=True, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.work.title}, chapter {self.position}"

    def get_absolute_url(self) -> str:
        return reverse_ids("works:chapter", work_id=self.work_id, chapter_id=self.pk)

    @property
    def display_title(self) -> str:
        # `number` is the chapter's place among those the viewer sees (`selectors.visible_chapters`).
        number = getattr(self, "number", None) or self.position
        return f"{number}. {self.title}" if self.title else f"Chapter {number}"


class CreatorInvitation(models.Model):
    """A creator of `work` asked the owner of `pseud` to be credited as a co-creator. Until they accept, the
    pseud is credited nowhere (it is not a `Creatorship`); accepting makes it one, declining deletes this."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creator_invitations")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="creator_invitations")
    invited_by = models.ForeignKey(Pseud, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["work", "pseud"], name="works_creator_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.pseud_id} invited to {self.work_id}"


class Gift(models.Model):
    """A work given to a user's pseud, or to a name that has no account here. A refused gift is kept, so the
    same work cannot be given to them again."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="gifts")
    pseud = models.ForeignKey(Pseud, null=True, blank=True, on_delete=models.CASCADE, related_name="gifts")
    recipient_name = models.CharField(max_length=100, blank=True)
    refused = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "pseud"], condition=models.Q(pseud__isnull=False), name="works_gift_one_per_pseud"
            ),
            models.UniqueConstraint(
                "work",
                Lower("recipient_name"),
                condition=models.Q(pseud__isnull=True),
                name="works_gift_one_per_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_id} for {self.recipient}"

    @property
    def recipient(self) -> str:
        return str(self.pseud) if self.pseud_id else self.recipient_name


class RelationStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Not shown on the parent work"


class RelatedWork(models.Model):
    """`child` was inspired by (or is a translation of) a work here (`parent`) or elsewhere (`url`, `title`,
    `creator`). The link always shows on the child; on the parent only once its creators approve it."""

    child = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Work, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links")
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=255, blank=True)
    creator = models.CharField(max_length=100, blank=True)
    translation = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=RelationStatus.choices, default=RelationStatus.PENDING)
    # Whether the parent's creators were told: when the child is posted, not while it is a draft.
    announced = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent"],
                condition=models.Q(parent__isnull=False),
                name="works_related_one_per_parent",
            ),
            models.UniqueConstraint(
                fields=["child", "url"], condition=models.Q(parent__isnull=True), name="works_related_one_per_url"
            ),
            models.CheckConstraint(condition=~models.Q(child=models.F("parent")), name="works_related_not_itself"),
        ]
        indexes = [models.Index(fields=["parent", "status"], name="works_related_parent_status")]

    def __str__(self) -> str:
        return f"{self.child_id} from {self.parent_id or self.url}"

    @property
    def is_external(self) -> bool:
        return self.parent_id is None
