"""Show times in the signed-in reader's own time zone."""

import zoneinfo

from django.utils import timezone


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tz_name = "UTC"
        if user is not None and user.is_authenticated:
            preference = getattr(user, "preference", None)
            if preference is not None:
                tz_name = preference.time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
