"""Bookmarks: a reader's kept works (on Fanfold or elsewhere), with their notes, tags and rec and private flags."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.series.models import Series
from fanfold.tags.models import Tag, TagType
from fanfold.works.models import Work

MAX_NOTES_LENGTH = 5000


class ExternalWork(models.Model):
    """A work hosted elsewhere that someone bookmarked (a rec); one per normalised URL, shared by every
    bookmark of it. The reader who added it may edit it."""

    url = models.URLField(max_length=2000)
    # The normalised URL's digest: URLs are too long for a unique index on every database.
    url_key = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=255)
    creator = models.CharField(max_length=255)
    summary = models.TextField(blank=True, help_text="Sanitized HTML.")
    tags = models.ManyToManyField(Tag, related_name="external_works", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="external_works"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title

    def tags_of(self, tag_type: str) -> list[Tag]:
        return [tag for tag in self.tags.all() if tag.type == tag_type]

    @property
    def fandoms(self) -> list[Tag]:
        return self.tags_of(TagType.FANDOM)


class BookmarkQuerySet(models.QuerySet):
    def public(self):
        """Bookmarks anyone but their owner may see, and that a work's bookmark count counts."""
        return self.filter(private=False)


class Bookmark(models.Model):
    """One user's bookmark of one work, series or external work.

    Exactly one target is set, except for a bookmark of a deleted work or series: it keeps its `title` for its
    owner.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="bookmarks")
    work = models.ForeignKey(Work, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookmarks")
    external_work = models.ForeignKey(
        ExternalWork, on_delete=models.PROTECT, null=True, blank=True, related_name="bookmarks"
    )
    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookmarks")
    title = models.CharField(max_length=255, help_text="The bookmarked work's title when last bookmarked.")
    notes = models.TextField(blank=True, help_text="Sanitized HTML.")
    tags = models.ManyToManyField(Tag, related_name="bookmarks", blank=True)
    private = models.BooleanField(default=False, help_text="Seen by its owner only, and counted nowhere.")
    rec = models.BooleanField(default=False, help_text="Recommended by the bookmarker.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookmarkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(work__isnull=False, external_work__isnull=False)
                & ~models.Q(work__isnull=False, series__isnull=False)
                & ~models.Q(series__isnull=False, external_work__isnull=False),
                name="bookmarks_bookmark_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "work"], condition=models.Q(work__isnull=False), name="bookmarks_one_per_work"
            ),
            models.UniqueConstraint(
                fields=["user", "series"], condition=models.Q(series__isnull=False), name="bookmarks_one_per_series"
            ),
            models.UniqueConstraint(
                fields=["user", "external_work"],
                condition=models.Q(external_work__isnull=False),
                name="bookmarks_one_per_external_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("bookmarks:detail", kwargs={"bookmark_id": self.pk})


class BookmarkChange(models.Model):
    """A bookmark whose listing data may have changed (or that was deleted); written by the database's
    triggers (see `bookmarks.changelog`) and after wrangling (`bookmarks.services.bookmarks_refile`), read by
    each process's bookmark index. On PostgreSQL the table also has a `txid` column, as `discovery.WorkChange`
    has."""

    bookmark_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=8, default="bookmark")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"bookmark {self.bookmark_id} changed at {self.created_at:%Y-%m-%d %H:%M:%S}"
