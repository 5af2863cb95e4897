"""What readers leave on works: kudos, comments and hits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.works.models import Chapter, Work


class Kudos(models.Model):
    """One per signed-in user per work, or one per guest IP address per work."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="kudos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "kudos"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "user"], condition=Q(user__isnull=False), name="interactions_kudos_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["work", "ip_address"],
                condition=Q(user__isnull=True),
                name="interactions_kudos_one_per_guest_ip",
            ),
        ]

    def __str__(self) -> str:
        return f"kudos on {self.work_id} from {self.user_id or 'a guest'}"


# Counted on the text as typed, before it is turned into HTML.
MAX_COMMENT_LENGTH = 10_000


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting approval"


class Comment(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="comments")
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    # Signed-in commenters comment as one of their pseuds; guests give a name and a private email.
    pseud = models.ForeignKey(Pseud, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    guest_name = models.CharField(max_length=100, blank=True)
    guest_email = models.EmailField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    content = models.TextField(help_text="Sanitized HTML.")
    status = models.CharField(max_length=16, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED)
    # A deleted comment with replies stays as a placeholder so the thread keeps its shape.
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["work", "status", "created_at"]),
            models.Index(fields=["ip_address", "created_at"]),
            # The rate limit counts a signed-in commenter's recent comments.
            models.Index(fields=["user", "created_at"], name="interact_comment_user_recent"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on work {self.work_id}"

    def get_absolute_url(self) -> str:
        return f"{self.thread_url()}#comment_{self.pk}"

    def thread_url(self) -> str:
        """The page that shows this comment's thread: its chapter, or the entire work."""
        if self.chapter_id:
            return reverse("works:chapter", kwargs={"work_id": self.work_id, "chapter_id": self.chapter_id})
        return reverse("works:detail", kwargs={"work_id": self.work_id}) + "?view_full_work=true"

    @property
    def is_published(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def author_name(self) -> str:
        if self.pseud_id:
            return str(self.pseud)
        return self.guest_name or "Anonymous"


class Hit(models.Model):
    """One visit per visitor per work per day; `visitor` is a user id or a hash of the guest's address."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="hits")
    visitor = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "visitor", "day"], name="interactions_hit_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"hit on {self.work_id} on {self.day}"
