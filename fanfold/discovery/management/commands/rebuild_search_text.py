"""manage.py rebuild_search_text: read every work's text into full-text search again."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from fanfold.discovery.fulltext import pair_buckets_sql
from fanfold.discovery.models import SearchText
from fanfold.discovery.services import search_text_refresh
from fanfold.works.models import Work

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rebuild what full-text search knows of every work (after restoring a backup made without it, or an "
        "upgrade that changes how text is stored). Safe while the archive runs."
    )

    def handle(self, *args, **options):
        if connection.vendor == "postgresql":
            # The phrase index's function as the code now has it (`COMMON_WORDS` may have changed): every
            # text is written again below, and indexed with it.
            with connection.cursor() as cursor:
                for statement in pair_buckets_sql():
                    cursor.execute(statement)
        work_ids = list(Work.objects.order_by("id").values_list("id", flat=True))
        for start in range(0, len(work_ids), BATCH):
            batch = work_ids[start : start + BATCH]
            with transaction.atomic():
                search_text_refresh(work_ids=batch)
            if options["verbosity"] > 1:
                self.stdout.write(f"{start + len(batch):,} of {len(work_ids):,} works")
        # Texts of works deleted without going through the services: storing them again removes them.
        stale = SearchText.objects.exclude(work_id__in=Work.objects.values("id"))
        stale_ids = sorted(set(stale.values_list("work_id", flat=True)))
        with transaction.atomic():
            search_text_refresh(work_ids=stale_ids)
        self.stdout.write(
            f"Search text rebuilt for {len(work_ids):,} works ({len(stale_ids):,} deleted works' texts removed)."
        )
