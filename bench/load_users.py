"""The people of the load benchmark, as locust users: guests reading, signed-in readers leaving kudos and comments,
and writers posting and editing works.

    python bench/load_users.py CONFIG.json RESULTS.json

Run by `bench/load.py` in a process of its own (locust patches the standard library for gevent, which Django's
database work in the parent must not see). CONFIG names the server, the run's users and duration, and what the
users pick from (work ids, listing URLs, search words, accounts with ready sessions); RESULTS gets every response
time by route class, the failures, and every write the server acknowledged, for the parent to look for in the
database.
"""

import collections
import itertools
import json
import logging
import random
import re
import secrets
import sys
import time
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

CONFIG: dict = {}
SAMPLES: dict[str, list[float]] = collections.defaultdict(list)
FAILURES: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
SLOW_MS = 500.0
SLOW: list[tuple[float, str, float]] = []  # (seconds into the run, route class, ms) of responses over SLOW_MS
_STARTED = [time.perf_counter()]
# What the server said it wrote: checked against the database once the run is over.
ACKNOWLEDGED: dict[str, list] = {"works": [], "edits": [], "kudos": [], "comments": []}
# Every edit sent, acknowledged or not, in order: one still in flight when the run stops may be stored unseen.
EDITS_SENT: list[list] = []
REFUSED = collections.Counter()  # answers that are correct refusals, not errors (kudos left twice)
# Works posted during this run: readers visit them too, so edits race with kudos, comments and hits.
FRESH_WORKS: list[int] = []
_ACCOUNTS: dict[str, itertools.count] = {"writers": itertools.count(), "readers": itertools.count()}
_GUESTS = itertools.count(1)

_WORK_LOCATION = re.compile(r"/works/(\d+)/$")
_COMMENT_LOCATION = re.compile(r"#comment_(\d+)$")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# Words for generated titles and comments.
WORDS = "lantern paper river winter quiet harbour letters storm ember orchard compass thread tide".split()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **_kwargs) -> None:
    SAMPLES[name].append(response_time)
    if response_time > SLOW_MS:
        SLOW.append((round(time.perf_counter() - _STARTED[0], 1), name, round(response_time)))
    if exception is not None:
        FAILURES[name][str(exception)[:160]] += 1


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {})


def _phrase(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


class Visitor(FastHttpUser):
    """What every kind of user does to read: the home page, listings, work pages and the search box."""

    abstract = True
    wait_time = constant(0.5)

    def on_start(self) -> None:
        self.rng = random.Random(secrets.randbits(64))
        self.agent = {"User-Agent": f"fanfold-load/{next(_GUESTS)}"}  # each guest is a visitor of its own for hits

    def get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=self.agent, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    def work_id(self) -> int:
        if FRESH_WORKS and self.rng.random() < CONFIG["fresh_share"]:
            return self.rng.choice(FRESH_WORKS[-50:])
        return self.rng.choice(self.readable)

    @property
    def readable(self) -> list[int]:
        return CONFIG["public_work_ids"]

    def home(self) -> None:
        self.get("/", "home")

    def listing(self) -> None:
        self.get(self.rng.choice(CONFIG["listing_urls"]), "listing")

    def work_page(self) -> None:
        # The adult gate is passed once, as a reader does; the session remembers it.
        self.get(f"/works/{self.work_id()}/?view_adult=true", "work page")

    def search(self) -> None:
        self.get(self.rng.choice(CONFIG["search_urls"]), "search")


class Guest(Visitor):
    weight = 6

    @task(1)
    def read_home(self) -> None:
        self.home()

    @task(4)
    def read_listing(self) -> None:
        self.listing()

    @task(5)
    def read_work(self) -> None:
        self.work_page()

    @task(2)
    def use_search(self) -> None:
        self.search()


class Member(Visitor):
    """A signed-in user: a session made for them beforehand, and the CSRF secret they post back."""

    abstract = True
    pool = ""

    def on_start(self) -> None:
        super().on_start()
        accounts = CONFIG[self.pool]
        number = next(_ACCOUNTS[self.pool])
        if number >= len(accounts):
            raise StopUser()
        self.account = accounts[number]
        self.agent = {"User-Agent": f"fanfold-load/{self.pool}/{number}"}
        self.client.cookiejar.set_cookie(_cookie(CONFIG["session_cookie"], self.account["session"]))
        self.client.cookiejar.set_cookie(_cookie(CONFIG["csrf_cookie"], self.account["csrf"]))

    @property
    def readable(self) -> list[int]:
        return CONFIG["listed_work_ids"]

    def post(self, path: str, name: str, fields: list[tuple[str, str]], headers: dict | None = None):
        body = urlencode([("csrfmiddlewaretoken", self.account["csrf"]), *fields])
        return self.client.post(
            path,
            data=body,
            name=name,
            headers={**self.agent, **FORM, **(headers or {})},
            allow_redirects=False,
            catch_response=True,
        )


class Reader(Member):
    """Reads as a signed-in user, leaves kudos and comments."""

    weight = 3
    pool = "readers"

    @task(3)
    def read_listing(self) -> None:
        self.listing()

    @task(4)
    def read_work(self) -> None:
        self.work_page()

    @task(1)
    def use_search(self) -> None:
        self.search()

    @task(2)
    def give_kudos(self) -> None:
        work_id = self.work_id()
        with self.post(f"/works/{work_id}/kudos/", "kudos", [], headers={"Accept": "application/json"}) as response:
            if response.status_code == 200 and (response.json() or {}).get("ok"):
                ACKNOWLEDGED["kudos"].append([work_id, self.account["user_id"]])
            elif response.status_code == 409:
                REFUSED["kudos already left"] += 1  # the right answer to a second kudos
                response.success()
            else:
                response.failure(f"{response.status_code}")

    @task(1)
    def comment(self) -> None:
        work_id = self.work_id()
        token = secrets.token_hex(6)
        content = f"<p>Load comment {token}: {_phrase(self.rng, 12)}.</p>"
        fields = [("content", content), ("text_format", "html")]
        with self.post(f"/works/{work_id}/comments/", "comment", fields) as response:
            found = _COMMENT_LOCATION.search(response.headers.get("Location") or "")
            if response.status_code == 302 and found:
                ACKNOWLEDGED["comments"].append([int(found.group(1)), work_id, token])
            else:
                response.failure(f"{response.status_code}")


class Writer(Member):
    """Posts new works and edits their own, and reads them back."""

    weight = 1
    pool = "writers"

    def on_start(self) -> None:
        super().on_start()
        self.own: dict[int, list[tuple[str, str]]] = {}  # work id -> the form as last saved

    def work_form(self) -> list[tuple[str, str]]:
        rng = self.rng
        fandoms = rng.sample(CONFIG["fandoms"], rng.choice((1, 1, 1, 2)))
        freeforms = rng.sample(CONFIG["freeforms"], rng.randint(1, 4))
        if rng.random() < 0.1:
            freeforms.append(f"Load tag {secrets.token_hex(3)}")  # a new tag now and then
        paragraphs = "".join(f"<p>{_phrase(rng, 40)}.</p>" for _ in range(rng.randint(3, 12)))
        return [
            ("rating", rng.choice(CONFIG["ratings"])),
            ("warnings", rng.choice(CONFIG["warnings"])),
            ("fandoms", ", ".join(fandoms)),
            ("categories", rng.choice(CONFIG["categories"])),
            ("relationships", ""),
            ("characters", ""),
            ("freeforms", ", ".join(freeforms)),
            ("pseuds", str(self.account["pseud_id"])),
            ("title", f"Load work {secrets.token_hex(5)}"),
            ("summary", f"<p>{_phrase(rng, 20)}.</p>"),
            ("notes", ""),
            ("end_notes", ""),
            ("language", "en"),
            ("expected_chapters", "1"),
            ("published_on", ""),
            ("comment_permission", "registered"),
            ("chapter_title", ""),
            ("content", paragraphs),
            ("text_format", "html"),
        ]

    @task(2)
    def post_work(self) -> None:
        self.get("/works/new/", "work form")
        fields = self.work_form()
        with self.post("/works/new/", "post work", [*fields, ("post", "Post")]) as response:
            found = _WORK_LOCATION.search(response.headers.get("Location") or "")
            if response.status_code == 302 and found:
                work_id = int(found.group(1))
                title = dict(fields)["title"]
                ACKNOWLEDGED["works"].append([work_id, title, self.account["user_id"]])
                self.own[work_id] = fields
                FRESH_WORKS.append(work_id)
            else:
                response.failure(f"{response.status_code}")

    @task(3)
    def edit_work(self) -> None:
        if not self.own:
            self.post_work()
            return
        work_id = self.rng.choice(list(self.own))
        self.get(f"/works/{work_id}/edit/", "work form")
        fields = [
            (name, f"{value.split(' (edit')[0]} (edit {secrets.token_hex(3)})" if name == "title" else value)
            for name, value in self.own[work_id]
        ]
        EDITS_SENT.append([work_id, dict(fields)["title"]])
        with self.post(f"/works/{work_id}/edit/", "edit work", fields) as response:
            if response.status_code == 302 and _WORK_LOCATION.search(response.headers.get("Location") or ""):
                ACKNOWLEDGED["edits"].append([work_id, dict(fields)["title"]])
                self.own[work_id] = fields
            else:
                response.failure(f"{response.status_code}")

    @task(2)
    def read_own(self) -> None:
        if self.own:
            self.get(f"/works/{self.rng.choice(list(self.own))}/", "work page")
        else:
            self.work_page()

    @task(1)
    def read_listing(self) -> None:
        self.listing()


def run(config: dict) -> dict:
    CONFIG.update(config)
    Visitor.host = config["host"]
    Visitor.wait_time = constant(config["think_s"])
    logging.getLogger("locust").setLevel(logging.WARNING)
    environment = Environment(user_classes=[Guest, Reader, Writer], events=events)
    runner = environment.create_local_runner()
    users = config["users"]
    started = _STARTED[0] = time.perf_counter()
    runner.start(users, spawn_rate=max(1.0, users / config["spawn_s"]))
    gevent.sleep(config["duration_s"])
    user_classes = dict(runner.user_classes_count)
    runner.quit()
    elapsed = time.perf_counter() - started
    return {
        "users": users,
        "elapsed_s": round(elapsed, 2),
        "user_classes": user_classes,
        "samples_ms": {name: [round(value, 2) for value in values] for name, values in SAMPLES.items()},
        "failures": {name: dict(counter) for name, counter in FAILURES.items()},
        "acknowledged": ACKNOWLEDGED,
        "edits_sent": EDITS_SENT,
        "refused": dict(REFUSED),
        "slow": SLOW,
    }


if __name__ == "__main__":
    config_path, results_path = map(Path, sys.argv[1:3])
    results = run(json.loads(config_path.read_text()))
    results_path.write_text(json.dumps(results))
