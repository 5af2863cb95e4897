"""Error pages a person sees instead of a stack trace."""

from django.shortcuts import render


def bad_request(request, exception=None, *, message: str = ""):
    """The 400 page; `message` says what was wrong when the archive itself refused the request."""
    return render(request, "errors/400.html", {"message": message}, status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
