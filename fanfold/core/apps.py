from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def _create_cache_tables(*, using: str, **kwargs) -> None:
    """`migrate` also makes the database cache's table, so no deploy or CI needs a `createcachetable` step."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "fanfold.core"

    def ready(self):
        post_migrate.connect(_create_cache_tables, sender=self)
