"""The shared cache that holds throttle counters: Django's database cache, with an atomic increment."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class AtomicDatabaseCache(DatabaseCache):
    """Django's database cache, whose `incr` two processes cannot interleave.

    Django's own `incr` reads the value and writes it back: ten concurrent sign-in attempts can all read 4
    and all write 5, so a throttle built on it lets through as many guesses as the attacker has connections.
    Here the read and the write are one transaction holding the row (SQLite's immediate transactions take
    the write lock at BEGIN; PostgreSQL locks the row with FOR UPDATE). The entry also keeps its expiry,
    where Django's `incr` would reset it to the cache's default timeout.
    """

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        select = f"SELECT {quote_name('value')} FROM {table} WHERE {quote_name('cache_key')} = %s AND {quote_name('expires')} > %s{lock}"  # noqa: S608, E501 (the table name is ours, from settings)
        update = f"UPDATE {table} SET {quote_name('value')} = %s WHERE {quote_name('cache_key')} = %s"  # noqa: S608
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(select, [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode())) + delta  # noqa: S301
            cursor.execute(update, [base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), key])
        return value


def create_cache_tables(*, using: str, **kwargs) -> None:
    """After `migrate`, make the database cache's table too, so no deploy or CI needs `createcachetable`.

    Connected to post_migrate by the accounts app: Django sends that signal only for apps with models.
    """
    call_command("createcachetable", database=using, verbosity=0)
