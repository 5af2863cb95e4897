"""`manage.py lay_out_texts`: lay out stored works and chapters again by the current paragraph rules."""

from django.core.management.base import BaseCommand
from django.db import transaction

from fanfold.works.services import stored_texts_lay_out


class Command(BaseCommand):
    help = (
        "Lay out every stored work and chapter text again by the current paragraph and section-break rules, "
        "and recount word counts. Text already laid out by these rules is left as it is."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = stored_texts_lay_out()
        self.stdout.write(f"Laid out the stored texts again: {changed} works and chapters changed.")
