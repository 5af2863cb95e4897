"""Request plumbing shared by every app."""

import time

from django.conf import settings
from django.http import JsonResponse, UnreadablePostError

from fanfold.core.text import has_control_characters
from fanfold.core.views import bad_request


class ForwardedForMiddleware:
    """Behind a trusted reverse proxy, take the reader's address from X-Forwarded-For.

    Guest kudos, guest comment limits and hits are counted per address; without this every guest
    behind the proxy would share the proxy's address. Only on when TRUSTED_PROXY_COUNT is set, since
    the header is the client's to forge otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.proxies:
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            # Each trusted proxy appends the address it saw; the one added by the outermost is the client.
            if len(hops) >= self.proxies:
                request.META["REMOTE_ADDR"] = hops[-self.proxies]
        return self.get_response(request)


UNUSABLE_CHARACTERS = (
    "The address or form held characters that cannot be used (such as a NUL byte or another control "
    "character). Please remove them and try again."
)


class ControlCharacterMiddleware:
    """Refuse, once for every view, a request whose address or form holds control characters.

    PostgreSQL cannot store or even compare a NUL byte: a NUL in a username in the address, a tag
    filter, an autocomplete term or a tag typed into the posting form was a server error there (and on
    SQLite a NUL was stored in a tag name). No field or parameter has a use for control characters, so
    they are refused here with a 400 page that says why, before any view can send them to the database.
    Form fields may hold tabs and line breaks (a story has lines); the address and query may not.
    Cookies holding control characters are dropped, as if never sent: no cookie of ours holds one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items() if has_control_characters(name + value)]:
            del request.COOKIES[name]
        if _holds_control_characters(request):
            return _refusal(request)
        return self.get_response(request)


def _holds_control_characters(request) -> bool:
    if has_control_characters(request.path):
        return True
    for key, values in request.GET.lists():
        if has_control_characters(key) or any(has_control_characters(value, allow="tab") for value in values):
            return True
    if request.method == "POST":
        try:
            fields = request.POST.lists()
        except UnreadablePostError:
            # The client went away mid-body; CSRF checking answers that one (with a 403), as before.
            return False
        # Uploaded files are not text; only the form's own fields are looked at.
        for key, values in fields:
            if has_control_characters(key) or any(has_control_characters(v, allow="whitespace") for v in values):
                return True
    return False


def _refusal(request):
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"error": UNUSABLE_CHARACTERS}, status=400)
    return bad_request(request, message=UNUSABLE_CHARACTERS)


# A browser that has just changed something (posted, edited, left kudos or a comment, bookmarked) carries this
# cookie for a minute; its listings are read fresh (see `wrote_recently`).
WROTE_COOKIE = "fanfold_wrote"
WROTE_WINDOW_SECONDS = 60


class RecentWriteMiddleware:
    """Mark a browser whose change was just accepted, so that it finds what it changed at once in every
    listing, while everyone else's listings may lag by up to GUEST_LISTING_LAG_SECONDS (reading the change
    log on every listing request would cost every request a lock and a query). The cookie holds only the
    time; a forged one costs its sender nothing but a fresher listing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE,
                str(int(time.time())),
                max_age=WROTE_WINDOW_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def wrote_recently(request) -> bool:
    """Whether this browser changed something within the last minute (the cookie expires after it)."""
    return WROTE_COOKIE in request.COOKIES
