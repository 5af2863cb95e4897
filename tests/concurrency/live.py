"""People at the archive over real HTTP, for concurrency tests against pytest-django's live server.

Each `Visitor` keeps its own cookies, as a browser would: a CSRF token, and a session when signed in. The
live server serves each request in its own thread with its own database connection, on PostgreSQL and on
SQLite alike (the SQLite test database is a file, see `settings.DATABASES`), so requests really race.
"""

import dataclasses
import http.client
import json
import re
import urllib.parse

from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string


@dataclasses.dataclass
class Response:
    status: int
    location: str
    text: str

    def json(self):
        return json.loads(self.text)


class Visitor:
    def __init__(self, live_server, user=None, *, agent: str = "Reader/1.0"):
        parts = urllib.parse.urlsplit(live_server.url)
        self.host, self.port = parts.hostname, parts.port
        self.agent = agent
        # Django accepts a token it did not hand out, as long as cookie and header agree.
        self.csrf = get_random_string(32)
        self.cookies = {settings.CSRF_COOKIE_NAME: self.csrf}
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, method: str, path: str, data=None, *, wants_json: bool = False) -> Response:
        headers = {
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            "User-Agent": self.agent,
            "Accept": "application/json" if wants_json else "text/html",
        }
        body = None
        if method != "GET":
            headers["X-CSRFToken"] = self.csrf
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(data or {}, doseq=True)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, answer.getheader("Location", ""), answer.read().decode())
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data=None, *, wants_json: bool = False) -> Response:
        return self.request("POST", path, data, wants_json=wants_json)


def stat(page: str, name: str) -> int:
    """A number from a work page's stats ("Kudos", "Hits", ...), as a reader sees it."""
    found = re.search(rf'<dd class="{name}">([\d,]+)</dd>', page)
    assert found, f"no {name} on the page"
    return int(found.group(1).replace(",", ""))
