"""The state of a works listing (filters, sort, page) and its round trip to and from a URL query string."""

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone

from fanfold.works.models import LANGUAGE_CHOICES

SORTS = (
    "revised_at",
    "published_on",
    "title",
    "creator",
    "word_count",
    "hit_count",
    "kudos_count",
    "comment_count",
    "bookmark_count",
)
# Only when searching: by how well a work matches the search, AO3's "Best Match".
BEST_MATCH = "best_match"
SORT_LABELS = {
    BEST_MATCH: "Best Match",
    "revised_at": "Date Updated",
    "published_on": "Date Posted",
    "title": "Title",
    "creator": "Creator",
    "word_count": "Word Count",
    "hit_count": "Hits",
    "kudos_count": "Kudos",
    "comment_count": "Comments",
    "bookmark_count": "Bookmarks",
}
# Short names people type or bookmark; the long names are what `to_query` writes.
_SORT_ALIASES = {
    "updated": "revised_at",
    "posted": "published_on",
    "published": "published_on",
    "words": "word_count",
    "hits": "hit_count",
    "kudos": "kudos_count",
    "comments": "comment_count",
    "bookmarks": "bookmark_count",
}
DIRECTIONS = ("desc", "asc")
CROSSOVER_CHOICES = ("include", "exclude", "only")
LANGUAGES = frozenset(code for code, _name in LANGUAGE_CHOICES)

# Beyond these a listing is not a listing any more, and the cost of a query should stay bounded.
MAX_TAGS_PER_FIELD = 50
MAX_PAGE = 100_000
MAX_WORDS = 2**31 - 1
MAX_QUERY = 1000

_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


@dataclasses.dataclass(frozen=True)
class WorkFilter:
    """Which works a listing shows and in what order. Tag ids are global (every type shares one id space).

    What the viewer may see (and always leaves out) is not part of the filter: that is their policy
    (`works.visibility.ViewerPolicy`), which the search applies to every filter.
    """

    include_tags: tuple[int, ...] = ()
    exclude_tags: tuple[int, ...] = ()
    ratings: tuple[int, ...] = ()
    warnings: tuple[int, ...] = ()
    categories: tuple[int, ...] = ()
    complete: bool | None = None
    single_chapter: bool = False
    words_from: int | None = None
    words_to: int | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    language: str | None = None
    crossover: str = "include"
    sort: str = "revised_at"
    direction: str = "desc"
    page: int = 1
    # What was typed into the search box ("search within results"), parsed by `search_query`.
    query: str = ""
    # A creator's works page: works by all of these users (from the path, not the query string).
    creator_user_ids: tuple[int, ...] = ()
    # What was dropped while reading a query string, in words for the reader. Not part of the filter.
    errors: tuple[str, ...] = dataclasses.field(default=(), compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # Tag id sets are kept sorted and unique so equal filters are equal objects and equal URLs.
        for name in ("include_tags", "exclude_tags", "ratings", "warnings", "categories"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        object.__setattr__(self, "creator_user_ids", tuple(sorted(set(self.creator_user_ids))))
        object.__setattr__(self, "errors", tuple(self.errors))
        object.__setattr__(self, "query", " ".join(self.query.split()))
        if self.sort not in SORTS and not (self.sort == BEST_MATCH and self.query):
            raise ValueError(f"unknown sort {self.sort!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        if self.crossover not in CROSSOVER_CHOICES:
            raise ValueError(f"unknown crossover choice {self.crossover!r}")
        if self.page < 1:
            raise ValueError("page must be at least 1")

    @property
    def default_sort(self) -> str:
        return BEST_MATCH if self.query else "revised_at"

    def replace(self, **changes) -> "WorkFilter":
        return dataclasses.replace(self, **changes)

    # URL -------------------------------------------------------------------------------------------

    @classmethod
    def from_query(cls, query: "QueryDict | Mapping[str, str | Iterable[str]] | str") -> "WorkFilter":
        """Read a filter from a query string; what cannot be understood is dropped and named in `errors`."""
        params = _Params(query)
        errors: list[str] = []
        values: dict = {}
        for field, param, label in _TAG_PARAMS:
            ids = _tag_ids(params.all(param), label, errors)
            if ids:
                values[field] = ids
        complete = params.first("complete")
        if complete is not None:
            parsed = _boolean(complete)
            if parsed is None:
                errors.append("“Complete” should be yes or no; showing works whether complete or not.")
            else:
                values["complete"] = parsed
        single = params.first("single_chapter")
        if single is not None:
            parsed = _boolean(single)
            if parsed is None:
                errors.append("“Single chapter” should be yes or no; showing works of any length.")
            else:
                values["single_chapter"] = parsed
        for field, label in (("words_from", "Words from"), ("words_to", "Words to")):
            raw = params.first(field)
            if raw is not None:
                number = _whole_number(raw)
                if number is None:
                    errors.append(f"“{label}” should be a whole number of words, like 1000 or 1,000; ignored.")
                else:
                    values[field] = number
        for field, label in (("updated_from", "Updated from"), ("updated_to", "Updated to")):
            raw = params.first(field)
            if raw is not None:
                day = _day(raw)
                if day is None:
                    errors.append(f"“{label}” should be a date like 2024-05-31, or like “2 weeks ago”; ignored.")
                else:
                    values[field] = day
        language = params.first("language")
        if language is not None:
            if language.strip() in LANGUAGES:
                values["language"] = language.strip()
            else:
                errors.append("That language is not one the archive knows; showing works in every language.")
        crossover = params.first("crossover")
        if crossover is not None:
            if crossover.strip() in CROSSOVER_CHOICES:
                values["crossover"] = crossover.strip()
            else:
                errors.append("“Crossovers” should be include, exclude or only; including them.")
        query = params.first("q")
        if query is not None:
            if len(query) > MAX_QUERY:
                errors.append(f"A search can be at most {MAX_QUERY:,} characters long; the rest was left out.")
            values["query"] = query[:MAX_QUERY]
        default_sort = BEST_MATCH if values.get("query", "").strip() else "revised_at"
        values["sort"] = default_sort
        sort = params.first("sort")
        if sort is not None:
            sort = _SORT_ALIASES.get(sort.strip(), sort.strip())
            if sort in SORTS or (sort == BEST_MATCH and default_sort == BEST_MATCH):
                values["sort"] = sort
            elif sort == BEST_MATCH:
                errors.append("“Best match” sorts a search; with nothing searched, sorting by date updated.")
            else:
                label = "best match" if default_sort == BEST_MATCH else "date updated"
                errors.append(f"Works cannot be sorted that way; sorting by {label}.")
        direction = params.first("direction")
        if direction is not None:
            if direction.strip() in DIRECTIONS:
                values["direction"] = direction.strip()
            else:
                errors.append("The sort direction should be asc or desc; using the usual one.")
        page = params.first("page")
        if page is not None:
            number = _whole_number(page)
            if number is None or not 1 <= number <= MAX_PAGE:
                errors.append("That page number does not exist; showing the first page.")
            else:
                values["page"] = number
        return cls(**values, errors=tuple(errors))

    def to_query(self) -> str:
        """The query string that reads back as this filter (standing exclusions and errors left out)."""
        pairs: list[tuple[str, str]] = []
        for field, param, _label in _TAG_PARAMS:
            pairs += [(param, str(tag_id)) for tag_id in getattr(self, field)]
        if self.complete is not None:
            pairs.append(("complete", "yes" if self.complete else "no"))
        if self.single_chapter:
            pairs.append(("single_chapter", "yes"))
        for field in ("words_from", "words_to"):
            if getattr(self, field) is not None:
                pairs.append((field, str(getattr(self, field))))
        for field in ("updated_from", "updated_to"):
            if getattr(self, field) is not None:
                pairs.append((field, getattr(self, field).isoformat()))
        if self.language is not None:
            pairs.append(("language", self.language))
        if self.crossover != "include":
            pairs.append(("crossover", self.crossover))
        if self.query:
            pairs.append(("q", self.query))
        if self.sort != self.default_sort:
            pairs.append(("sort", self.sort))
        if self.direction != "desc":
            pairs.append(("direction", self.direction))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return urlencode(pairs)

    def page_query(self, page: int) -> str:
        """The query string of another page of the same listing (for pagination links)."""
        return self.replace(page=page).to_query()


_TAG_PARAMS = (
    ("include_tags", "tag", "Tags to include"),
    ("exclude_tags", "exclude", "Tags to exclude"),
    ("ratings", "rating", "Ratings"),
    ("warnings", "warning", "Archive warnings"),
    ("categories", "category", "Categories"),
)


class _Params:
    """Uniform access to a QueryDict, a plain dict (of strings or lists of strings) or a raw query string."""

    def __init__(self, query) -> None:
        if isinstance(query, str | bytes):
            query = QueryDict(query)
        self._query = query

    def all(self, key: str) -> list[str]:
        if isinstance(self._query, QueryDict):
            values = self._query.getlist(key)
        else:
            value = self._query.get(key)
            if value is None:
                values = []
            elif isinstance(value, str | int):
                values = [value]
            else:
                values = list(value)
        return [str(value) for value in values]

    def first(self, key: str) -> str | None:
        values = [value for value in self.all(key) if value.strip()]
        return values[-1] if values else None


def _tag_ids(values: list[str], label: str, errors: list[str]) -> tuple[int, ...]:
    ids: list[int] = []
    bad = False
    for value in values:
        # Several ids may share one parameter: tag=1,2,3.
        for part in value.split(","):
            if not part.strip():
                continue
            number = _whole_number(part)
            if number is None or number < 1:
                bad = True
            else:
                ids.append(number)
    if bad:
        errors.append(f"{label}: some tags were not understood and were left out.")
    unique = sorted(set(ids))
    if len(unique) > MAX_TAGS_PER_FIELD:
        errors.append(f"{label}: at most {MAX_TAGS_PER_FIELD} tags can be used at once; the rest were left out.")
        unique = unique[:MAX_TAGS_PER_FIELD]
    return tuple(unique)


_RELATIVE_RE = re.compile(r"^[<>]?\s*(\d{1,4})\s*(day|week|month|year)s?(?:\s+ago)?$", re.IGNORECASE)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _day(value: str) -> date | None:
    """A date typed as 2024-05-31, or relative to today: "3 days ago", "2 weeks", "< 1 year ago"."""
    text = value.strip()
    try:
        # A day from the calendar's very edge is kept a day inside it, so that "the day after" and the
        # same day in any time zone exist; the listing shows the same works either way.
        return min(max(date.fromisoformat(text), date.min + timedelta(days=1)), date.max - timedelta(days=1))
    except ValueError:
        pass
    match = _RELATIVE_RE.match(text)
    if match is None:
        return None
    days = int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]
    try:
        return timezone.localdate() - timedelta(days=days)
    except OverflowError:
        return None


def _whole_number(value: str) -> int | None:
    text = value.strip().replace(",", "").replace("_", "")
    if not text.isdigit() or not text.isascii() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= MAX_WORDS else None


def _boolean(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None
