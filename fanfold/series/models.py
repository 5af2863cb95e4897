"""Series: works their creators put in order, each work with its place ("Part 2 of …") in every series it is in."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from fanfold.accounts.models import Pseud
from fanfold.works.models import Work


class Series(models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True, help_text="Sanitized HTML.")
    notes = models.TextField(blank=True, help_text="Sanitized HTML.")
    complete = models.BooleanField(default=False)
    # The pseuds that made the series and may change it; readers see the creators of its works they can see.
    creators = models.ManyToManyField(Pseud, related_name="series")
    works = models.ManyToManyField(Work, through="SeriesWork", related_name="series")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("series:detail", kwargs={"series_id": self.pk})


class SeriesWork(models.Model):
    """A work's place in one series. Positions are 1, 2, 3… as the creators ordered them; readers who cannot
    see some of the works see the rest numbered without gaps."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="series_works")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="series_works")
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "work"], name="series_serieswork_unique")]

    def __str__(self) -> str:
        return f"work {self.work_id} in series {self.series_id} at {self.position}"
