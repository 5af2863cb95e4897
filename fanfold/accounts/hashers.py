"""Password hashing: Django's Argon2, one hash at a time per process."""

import threading

from django.contrib.auth import hashers

# One Argon2 hash already runs on every core (parallelism 8) and takes 100 MB for about a third of a second.
# Running several at once in one process gains no speed, multiplies the memory, and leaves the process's other
# requests (a reader's listing) only a sliver of the CPU; a burst of sign-ups or sign-in attempts now queues
# here instead.
_one_at_a_time = threading.Lock()


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Django's Argon2 hasher, with the same parameters and stored hashes, hashing one password at a time."""

    def encode(self, password, salt):
        with _one_at_a_time:
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _one_at_a_time:
            return super().verify(password, encoded)
