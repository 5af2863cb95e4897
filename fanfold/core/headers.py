"""Response headers and statuses every answer of the archive carries, whatever view made it."""

# Powerful browser features the archive never uses, switched off for its pages and anything they embed, so a
# script that slipped through could not ask for them either; `interest-cohort` and `browsing-topics` keep the
# archive's readers out of the browser's advertising cohorts. Only features Chromium recognises: an unknown one
# (`bluetooth`, say) makes it log a warning on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "interest-cohort",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

_FOUND_STATUSES = {301, 302, 307, 308}


class SecurityHeadersMiddleware:
    """Adds Permissions-Policy to every response, and answers a DELETE that redirects with 303 See Other.

    After a DELETE, a 302 (or 301, 307, 308) tells the browser to repeat the DELETE on the page it is sent to;
    303 is the one redirect that is always followed with a GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.method == "DELETE" and response.status_code in _FOUND_STATUSES:
            response.status_code = 303
        return response
