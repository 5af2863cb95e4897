"""Throttles: how many attempts at something one account, address or email may make in a window."""

import dataclasses
import ipaddress
import logging

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `rate` ("5/20s") attempts at one action for one `scope` ("ip", "account") and `value`."""

    scope: str
    value: str
    rate: str


def address_of(request) -> str:
    """The request's address as throttles count it: one IPv6 /64 is one household, as one IPv4 address is."""
    # ForwardedForMiddleware has put the reader's own address here when behind a trusted proxy.
    ip = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def throttle_attempt(request, *, action: str, limits: list[Limit]) -> int:
    """Count one attempt at `action` against every limit; the seconds to wait if any is exceeded, else 0.

    Counters live in the shared "throttle" cache, so every web process sees the same counts. An attempt
    refused for being over the limit still counts, but windows are fixed, so waiting always ends.
    """
    wait = 0
    for limit in limits:
        usage = get_usage(
            request,
            group=f"{action}:{limit.scope}",
            key=lambda _group, _request, value=limit.value: value,
            rate=limit.rate,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            if usage["limit"] == 0:
                # The cache could not be read or written: refuse for a moment rather than let guesses through
                # unchecked, and say so where an administrator will see it.
                logger.error("The throttle cache failed counting a %s attempt; the attempt was refused", action)
            wait = max(wait, usage["time_left"] if usage["time_left"] > 0 else 1)
    return wait


def wait_in_words(seconds: int) -> str:
    """'12 seconds', '1 minute', '40 minutes': how long a person is asked to wait."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"
