"""Request plumbing shared by every app."""

from django.conf import settings


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
