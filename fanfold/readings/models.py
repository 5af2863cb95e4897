"""What each signed-in reader read and kept for later: one Reading per reader per work (AO3's word)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fanfold.works.models import Work


class Reading(models.Model):
    """A reader's history of one work (`visit_count` > 0) and whether they marked it for later.

    One row per reader and work: a visit is one upsert on it (`readings.services.reading_record`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readings")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="readings")
    visit_count = models.PositiveIntegerField(default=0)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    marked_for_later = models.BooleanField(default=False)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_visited_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "work"], name="readings_reading_one_per_work")]
        indexes = [
            models.Index(fields=["user", "-last_visited_at"], condition=Q(visit_count__gt=0), name="readings_history"),
            models.Index(fields=["user", "-marked_at"], condition=Q(marked_for_later=True), name="readings_later"),
        ]

    def __str__(self) -> str:
        return f"reading of {self.work_id} by {self.user_id}"
