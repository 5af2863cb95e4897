"""Writes that may wait a moment: gathered per process and written in batches by a background thread.

For what a page records as it is read (hits, readers' history): writing each one in its own transaction on the reader's
request makes the page wait for the database's write lock, behind every post and edit. Here the page adds
an entry in memory and returns; a thread writes what has gathered every `interval` seconds in one
transaction, and whatever is left when the process exits. What a batch could not write (a locked or
read-only database) is kept for the next one, up to `limit` entries, then the oldest are dropped and logged:
a lost visit costs a statistic, never a page.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


class WriteBehind:
    """Entries (hashable, deduplicated) waiting for `write(entries)`, which writes them in one go."""

    def __init__(self, name: str, write: Callable[[list], None], *, interval: float, limit: int = 100_000) -> None:
        self.name = name
        self.write = write
        self.interval = interval
        self.limit = limit
        self._pending: dict[Hashable, None] = {}  # a dict keeps arrival order, so the oldest go first
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._owner_pid: int | None = None

    def add(self, entry: Hashable) -> bool:
        """Queue `entry`; False if it was already waiting."""
        self._start()
        with self._lock:
            if entry in self._pending:
                return False
            self._pending[entry] = None
            overflow = len(self._pending) - self.limit
            if overflow > 0:
                for old in list(self._pending)[:overflow]:
                    del self._pending[old]
                logger.error("%s: %d entries dropped (more than %d waiting)", self.name, overflow, self.limit)
        return True

    def pending(self, entry: Hashable) -> bool:
        with self._lock:
            return entry in self._pending

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write everything waiting now, in this thread; returns how many entries were written."""
        with self._flushing:
            with self._lock:
                batch, self._pending = list(self._pending), {}
            if not batch:
                return 0
            try:
                self.write(batch)
            except DatabaseError:
                logger.exception("%s: could not write %d entries; keeping them for the next try", self.name, len(batch))
                with self._lock:
                    # The failed batch goes back in front of whatever arrived meanwhile.
                    self._pending = dict.fromkeys([*batch, *self._pending])
                return 0
            return len(batch)

    def _start(self) -> None:
        # A process forked from one that had started the thread (gunicorn --preload) starts its own.
        pid = os.getpid()
        if self._owner_pid == pid:
            return
        with self._lock:
            if self._owner_pid == pid:
                return
            self._owner_pid = pid
            self._pending = {}
        threading.Thread(target=self._run, name=f"write-behind {self.name}", daemon=True).start()
        atexit.register(self._flush_at_exit)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            # This thread's own connection is kept from batch to batch, as a request thread keeps its own
            # (CONN_MAX_AGE): a new one each second in every process cost PostgreSQL a new server process each
            # time. One that failed, or that the database dropped (a restart), is replaced here.
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
            try:
                self.flush()
            except Exception:  # a bug must not kill the thread and silently stop every later write
                logger.exception("%s: writing a batch failed", self.name)

    def _flush_at_exit(self) -> None:
        if self._owner_pid == os.getpid():
            self.flush()


_buffers: dict[str, WriteBehind] = {}
_buffers_lock = threading.Lock()


def write_behind(name: str, write: Callable[[list], None]) -> WriteBehind | None:
    """This process's buffer called `name`, written by `write`; None when `VISIT_WRITE_BEHIND_SECONDS` is 0
    and entries are to be written at once."""
    interval = settings.VISIT_WRITE_BEHIND_SECONDS
    if interval <= 0:
        return None
    with _buffers_lock:
        buffer = _buffers.get(name)
        if buffer is None:
            buffer = _buffers[name] = WriteBehind(name, write, interval=interval)
        return buffer
