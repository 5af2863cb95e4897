"""How a visitor is told apart: a signed-in user by id, a guest by address."""

import hashlib

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the request came from (the proxy in front must set REMOTE_ADDR to the reader's)."""
    return request.META.get("REMOTE_ADDR") or None


def visitor_key(request) -> str:
    """'u<id>' for a signed-in user; for a guest a salted hash, so no address is stored."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    raw = "|".join([request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_USER_AGENT", ""), settings.SECRET_KEY])
    return hashlib.sha256(raw.encode()).hexdigest()[:64]
