"""The change log that keeps every process's discovery index current."""

from django.db import models
from django.utils import timezone


class WorkChange(models.Model):
    """A work whose listing data may have changed; each process's index re-reads it once it sees the row.

    Not a foreign key: a deleted work is a change too, and its row must outlive the work.
    """

    work_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"work {self.work_id} changed at {self.created_at:%Y-%m-%d %H:%M:%S}"
