"""Authentication backends: a gate that applies the sign-in throttle to every page that signs people in."""

from django.core.exceptions import PermissionDenied

from fanfold.accounts.services import login_throttle

# Set on a request whose sign-in attempt was already counted (by the log-in page), so it counts once.
COUNTED = "_fanfold_login_attempt_counted"


class LoginThrottleBackend:
    """Listed before ModelBackend: refuses sign-ins over the throttle from pages that do not check it
    themselves (the admin's log-in page), and otherwise lets the next backend decide.

    It authenticates nobody and has no `get_user`, so sessions are never tied to it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or getattr(request, COUNTED, False):
            return None
        setattr(request, COUNTED, True)
        if login_throttle(request=request, identifier=username or ""):
            # Stops authenticate() at once: no other backend is asked, and the page says the login failed.
            raise PermissionDenied("Too many sign-in attempts.")
        return None
