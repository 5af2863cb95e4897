"""A real gunicorn serving this checkout, as the README runs it, and a small cookie-keeping HTTP client."""

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**overrides: str) -> dict[str, str]:
    """The environment of a server process: debug mode, no database or email settings but those given."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_HOST"}}
    env.update(DEBUG="1", PYTHONPATH=str(ROOT), **overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@contextlib.contextmanager
def gunicorn(*, env: dict[str, str], workers: int = 2, threads: int = 4):
    """Serve the app on a free local port; yields its base URL. Its output goes to a log in FANFOLD_VAR_DIR."""
    port = _free_port()
    log = open(Path(env["FANFOLD_VAR_DIR"]) / f"gunicorn-{port}.log", "w+b")  # noqa: SIM115
    command = [sys.executable, "-m", "gunicorn", "fanfold.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["-w", str(workers), "--threads", str(threads), "--timeout", "120"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/signup/", timeout=5).read()
                break
            except OSError:  # refused, reset or timed out while it starts
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError("gunicorn did not start:\n" + log.read().decode(errors="replace")) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: keeps cookies, does not follow redirects, sends X-Forwarded-For when given an address."""

    def __init__(self, base_url: str, *, address: str | None = None, timeout: float = 60) -> None:
        self.base_url = base_url
        self.headers = {"X-Forwarded-For": address} if address else {}
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=self.headers)
        try:
            response = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """GET the form's page for its CSRF token, then POST `data` with it, as a browser would."""
        status, _headers, html = self.request(path)
        assert status == 200, (path, status)
        token = _CSRF_INPUT.search(html).group(1)
        return self.request(path, {**data, "csrfmiddlewaretoken": token})
