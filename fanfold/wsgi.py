"""WSGI entry point (gunicorn fanfold.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanfold.settings")
application = get_wsgi_application()


def _build_discovery_index() -> None:
    from django.conf import settings
    from django.db import connections

    from fanfold.discovery.index import get_index

    if settings.DISCOVERY_BUILD_AT_START:
        get_index(max_lag=float("inf"))  # built, with no catch-up thread in this (perhaps gunicorn's master) process
        # Forked workers must not share the connection the build used.
        connections.close_all()


_build_discovery_index()
