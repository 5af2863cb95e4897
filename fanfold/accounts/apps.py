from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "fanfold.accounts"

    def ready(self):
        from fanfold.core.cache import create_cache_tables

        # The throttle counters of sign-in, reset and sign-up live in a database table that migrate makes.
        post_migrate.connect(create_cache_tables, sender=self)
