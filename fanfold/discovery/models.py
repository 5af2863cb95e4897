"""The change log that keeps every process's discovery index current."""

from django.db import models
from django.utils import timezone


class WorkChange(models.Model):
    """A work whose listing data may have changed; each process's index re-reads it once it sees the row.

    Written by the database's triggers on the works table and by `services.record_work_change` (see
    `changelog`). Not a foreign key: a deleted work is a change too, and its row must outlive the work.
    On PostgreSQL the table also has a `txid` column (the writing transaction's id), which only the
    change log's reader uses.
    """

    class Kind(models.TextChoices):
        WORK = "work", "Anything a listing shows"
        COUNTS = "counts", "Counters only"

    work_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WORK)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"work {self.work_id} changed at {self.created_at:%Y-%m-%d %H:%M:%S}"


class SearchText(models.Model):
    """One text of a work that full-text search matches: its title, a tag's name, a chunk of its chapters.

    `words` is already tokenized (see `fulltext`). SQLite matches it through the FTS5 table
    `discovery_searchtext_fts`, kept in step by triggers; PostgreSQL through the generated `tsv` column and
    its GIN index. Both are made by this app's migrations, not by the model.
    """

    # Not a counter: `fulltext.text_id` packs the field, the work and the text's number into it.
    id = models.BigIntegerField(primary_key=True)
    work_id = models.BigIntegerField(db_index=True)
    field = models.CharField(max_length=10)
    words = models.TextField()

    def __str__(self) -> str:
        return f"work {self.work_id} {self.field}: {self.words[:40]}"


class CommonWordWorks(models.Model):
    """Which works hold one very common or frequent word in one field, for a block of work ids: bit
    `work_id % BLOCK_WORKS` of `bits` (least significant bit first) for work `block * BLOCK_WORKS + …`.
    `field` is the field's number in `fulltext.FIELDS`, or that plus 8 for a pair token in a pair text.

    Such a word is in most works, and reading it from a full-text index means reading hundreds of thousands
    of entries; here it is a few dozen rows. Kept by `fulltext.store_search_texts`.
    """

    word = models.CharField(max_length=100)
    field = models.PositiveSmallIntegerField()
    block = models.BigIntegerField()
    bits = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["word", "field", "block"], name="discovery_commonword_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.word} in field {self.field}, block {self.block}"


class FrequentWord(models.Model):
    """A word outside `fulltext.COMMON_WORDS`, or a pair token (two common words side by side), that so many
    texts hold that it is kept as `CommonWordWorks` bitmaps too (`manage.py refresh_frequent_words` picks
    them). Searches use the bitmaps once `ready`."""

    word = models.CharField(max_length=100, unique=True)
    ready = models.BooleanField(default=False)
    texts = models.PositiveIntegerField(help_text="How many texts held the word when it was picked.")

    def __str__(self) -> str:
        return self.word
