"""manage.py refresh_frequent_words: keep the words that many works hold as bitmaps, so searching them is fast."""

from django.core.management.base import BaseCommand, CommandError

from fanfold.discovery.fulltext import default_min_texts, refresh_frequent_words
from fanfold.works.models import Work


class Command(BaseCommand):
    help = (
        "Find the words that many stored texts hold and keep them as bitmaps of works, as the most common "
        "English words always are: searching such a word then reads a few rows instead of one per text. "
        "Run it now and then as the archive grows (weekly, say); it only adds words, and is safe while the "
        "archive runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-texts",
            type=int,
            help="how many texts must hold a word (default: 5,000 or one per 20 works, whichever is more)",
        )

    def handle(self, *args, **options):
        min_texts = options["min_texts"]
        if min_texts is None:
            min_texts = default_min_texts(Work.objects.count())
        if min_texts < 1:
            raise CommandError("--min-texts must be at least 1.")

        def progress(done: int, total: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"block {done:,} of {total:,}")

        added = refresh_frequent_words(min_texts, progress)
        shown = ", ".join(added[:10]) + (", …" if len(added) > 10 else "")
        self.stdout.write(
            f"{len(added):,} words added (held by at least {min_texts:,} texts){': ' if added else ''}{shown}"
        )
