from django.conf import settings
from django.core.management.base import BaseCommand

from fanfold.accounts.unactivated import expired_unactivated_accounts, unactivated_accounts_purge


class Command(BaseCommand):
    help = (
        "Remove accounts never activated within ACCOUNT_ACTIVATION_DAYS that hold nothing, freeing their "
        "usernames and email addresses. Safe while the archive runs; run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be removed.")

    def handle(self, *args, dry_run: bool = False, **options):
        days = settings.ACCOUNT_ACTIVATION_DAYS
        if dry_run:
            count = expired_unactivated_accounts().count()
            self.stdout.write(f"{count} account(s) not activated within {days} days would be removed.")
            return
        count = unactivated_accounts_purge()
        self.stdout.write(f"Removed {count} account(s) not activated within {days} days.")
