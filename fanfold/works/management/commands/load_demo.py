"""`manage.py load_demo`: fill an empty archive with demo creators and works (safe to run again)."""

import os

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from fanfold.demo.loader import ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERNAME, demo_admin_ensure, demo_load


class Command(BaseCommand):
    help = (
        "Create demo creators, works, kudos and comments, unless they exist already. "
        "With FANFOLD_DEMO_ADMIN=1 also an 'admin' superuser with the demo password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Where the archive is served, to print with the demo login.")

    def handle(self, *args, url: str | None = None, **options):
        # The demo's comments would otherwise email their made-up example.org creators.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            summary = demo_load(warn=lambda message: self.stderr.write(self.style.WARNING(message)))
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo archive: {summary.creators} creators, {summary.works} works "
                    f"({summary.chapters} chapters) in {summary.fandoms} fandoms, "
                    f"{summary.kudos} kudos, {summary.comments} comments."
                )
            )
        else:
            self.stdout.write("The demo archive is already loaded; nothing to add.")
        if os.environ.get("FANFOLD_DEMO_ADMIN", "").strip().lower() in {"1", "true", "yes", "on"}:
            made = demo_admin_ensure()
            self.stdout.write(
                f"{'Created the' if made else 'The'} admin login: username {ADMIN_USERNAME}, "
                f"password {DEMO_PASSWORD} (site admin at /admin/)."
            )
        login = f"demo login: username {DEMO_USERNAME}, password {DEMO_PASSWORD}"
        if url:
            self.stdout.write(self.style.SUCCESS(f"Fanfold is running at {url} — {login}"))
        else:
            self.stdout.write(login[0].upper() + login[1:])
