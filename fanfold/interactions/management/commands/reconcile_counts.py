"""`manage.py reconcile_counts`: recount every work's kudos, comments, hits, bookmarks, chapters and words from rows."""

from django.core.management.base import BaseCommand, CommandError

from fanfold.interactions.services import work_counts_reconcile


class Command(BaseCommand):
    help = (
        "Recount each work's kudos, comments, hits, bookmarks, chapters and words from the rows they count, and "
        "correct any counter that disagrees. Safe while the archive is in use. With --check, change nothing and exit "
        "non-zero if any counter is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report wrong counters without fixing them.")
        parser.add_argument("--batch-size", type=int, default=2_000, help="Works counted per batch of queries.")

    def handle(self, *args, check: bool = False, batch_size: int = 2_000, verbosity: int = 1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        checked = 0

        def progress(done: int, last_id: int) -> None:
            nonlocal checked
            checked = done
            if verbosity >= 2:
                self.stdout.write(f"{done:,} works checked (up to id {last_id}).")

        fixes = 0
        works: set[int] = set()
        for fix in work_counts_reconcile(fix=not check, batch_size=batch_size, progress=progress):
            self.stdout.write(f"work {fix.work_id}: {fix.field} was {fix.stored:,}, counted {fix.counted:,}")
            fixes += 1
            works.add(fix.work_id)
        counters = f"{fixes:,} counter{'' if fixes == 1 else 's'}"
        if not fixes:
            self.stdout.write(self.style.SUCCESS(f"Nothing to fix: {checked:,} works checked."))
        elif check:
            raise CommandError(
                f"{counters} off on {len(works):,} of {checked:,} works; run `manage.py reconcile_counts` to fix them."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Fixed {counters} on {len(works):,} of {checked:,} works."))
