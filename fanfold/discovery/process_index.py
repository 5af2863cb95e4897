"""One in-memory index per web process (works or bookmarks): built on first use, kept current from its change
log, rebuilt compact in the background."""

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from django.conf import settings
from django.db import connection

# How often a process deletes change notes past their retention (any process may; deleting twice is harmless).
PRUNE_EVERY = 600.0

logger = logging.getLogger(__name__)


class Index(Protocol):
    @classmethod
    def build(cls) -> "Index": ...

    def catch_up(self) -> int: ...

    def wants_compacting(self) -> bool: ...


IndexT = TypeVar("IndexT", bound=Index)


class ProcessIndex(Generic[IndexT]):
    """This process's copy of an index of `kind`, shared by its threads.

    One thread catches up with the change log at a time, and the others go on meanwhile with the index as it
    is, if their lag allows; with a lag of 0 (a reader who may be looking for their own change) a request
    waits for a catch-up that began after it did. An index that has not read the log for half the log's
    retention builds itself afresh (notes it never read may have been pruned); one with many tombstones is
    rebuilt compact in a background thread, and replaces the current one once it has caught up.

    With INDEX_CATCH_UP_IN_BACKGROUND, a thread of each process catches up twice per lag, so a request with a
    lag to allow hardly ever does it itself (it would cost that request a few database queries and tens of
    milliseconds); requests still catch up when the thread falls behind."""

    def __init__(self, kind: type[IndexT], *, prune: Callable[[], object], name: str) -> None:
        self.kind = kind
        self.prune = prune
        self.name = name
        self.index: IndexT | None = None
        self.caught_up = 0.0  # when the last catch-up began (time.monotonic)
        self.compacting: threading.Thread | None = None
        self.last_pruned = time.monotonic()  # the first prune comes one period after the process starts
        self._lock = threading.Lock()  # guards `index` and `caught_up`
        self._catching_up = threading.Lock()  # one thread at a time applies the change log
        self._background_pid: int | None = None  # the process whose catch-up thread runs

    def get(self, *, max_lag: float = 1.0) -> IndexT:
        """The index, with every change recorded up to `max_lag` seconds before this call applied."""
        asked = time.monotonic()
        if 0 < max_lag < float("inf"):
            self._keep_caught_up(max_lag)
        with self._lock:
            stale = asked - self.caught_up > settings.CHANGE_LOG_RETENTION_SECONDS / 2
            if self.index is None or stale:
                self.index = self.kind.build()
                self.caught_up = asked
                return self.index
            index = self.index
        if asked - self.caught_up < max_lag or not self._catching_up.acquire(blocking=max_lag == 0):
            return index
        try:
            # Another thread may have caught up while this one waited, late enough for this request.
            if self.caught_up < asked or (max_lag > 0 and asked - self.caught_up >= max_lag):
                started = time.monotonic()
                index.catch_up()
                with self._lock:
                    if self.index is index:
                        self.caught_up = started
                self._maintain(index, started)
        finally:
            self._catching_up.release()
        return index

    def _keep_caught_up(self, lag: float) -> None:
        """Start this process's catch-up thread, once (a forked worker starts its own)."""
        if not settings.INDEX_CATCH_UP_IN_BACKGROUND or self._background_pid == os.getpid():
            return
        with self._lock:
            if self._background_pid == os.getpid():
                return
            self._background_pid = os.getpid()
        name = f"{self.name}-catch-up"
        threading.Thread(target=self._catch_up_in_background, args=(lag,), name=name, daemon=True).start()

    def _catch_up_in_background(self, lag: float) -> None:
        while settings.INDEX_CATCH_UP_IN_BACKGROUND:
            time.sleep(lag / 2)
            if self.index is None:
                continue  # forgotten: the next request builds it
            try:
                self.get(max_lag=lag / 2)
            except Exception:  # a database that went away: try again next time, on a new connection
                logger.exception("The %s index could not catch up; it will try again", self.name)
                connection.close()
        self._background_pid = None
        connection.close()

    def _maintain(self, index: IndexT, now: float) -> None:
        if now - self.last_pruned >= PRUNE_EVERY:
            self.last_pruned = now
            self.prune()
        if index.wants_compacting() and self.compacting is None:
            self.start_compacting()

    def start_compacting(self) -> threading.Thread:
        """Build a compact index in a background thread; it replaces the current one once it has caught up.
        Searches go on meanwhile against the current one."""
        thread = threading.Thread(target=self._compact_in_background, name=f"{self.name}-compact", daemon=True)
        self.compacting = thread
        thread.start()
        return thread

    def _compact_in_background(self) -> None:
        try:
            self.compact()
        finally:
            self.compacting = None
            connection.close()  # this thread's own connection

    def compact(self) -> None:
        """Replace the index by a freshly built one, without tombstones, caught up to the log."""
        fresh = self.kind.build()
        fresh.catch_up()
        with self._catching_up, self._lock:
            if self.index is not None:
                started = time.monotonic()
                fresh.catch_up()
                self.index = fresh
                self.caught_up = started

    def reset(self) -> None:
        """Forget the index; the next `get()` builds a new one."""
        with self._lock:
            self.index = None
