"""The state of a bookmarks listing (filters, sort, page): a Django form reads the query string into a
`BookmarkFilter`."""

import dataclasses
from datetime import date

from django import forms
from django.utils.datastructures import MultiValueDict

BOOKMARK_SORTS = ("created_at", "work_revised_at")
SORT_LABELS = {"created_at": "Date Bookmarked", "work_revised_at": "Date Updated"}
MAX_TAGS_PER_FIELD = 50
MAX_PAGE = 100_000
MAX_TAG_ID = 2**62


@dataclasses.dataclass(frozen=True)
class BookmarkFilter:
    """Which bookmarks a listing shows and in what order. Tag ids are filter tags; `include_tags`,
    `exclude_tags`, `ratings`, `warnings` and `categories` are the bookmarked work's, `bookmark_tags` and
    `exclude_bookmark_tags` the bookmarker's own, `any_tags` either (a tag's bookmarks page).

    What the viewer may see is their policy's to decide (`ViewerPolicy.bookmark_listed_docs`), not the filter's.
    """

    include_tags: tuple[int, ...] = ()
    exclude_tags: tuple[int, ...] = ()
    ratings: tuple[int, ...] = ()
    warnings: tuple[int, ...] = ()
    categories: tuple[int, ...] = ()
    bookmark_tags: tuple[int, ...] = ()
    exclude_bookmark_tags: tuple[int, ...] = ()
    any_tags: tuple[int, ...] = ()
    user_ids: tuple[int, ...] = ()
    work_id: int | None = None
    series_id: int | None = None
    rec_only: bool = False
    with_notes: bool = False
    bookmarked_from: date | None = None
    bookmarked_to: date | None = None
    sort: str = "created_at"
    direction: str = "desc"
    page: int = 1

    def __post_init__(self) -> None:
        if self.sort not in BOOKMARK_SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")
        if self.direction not in ("desc", "asc"):
            raise ValueError(f"unknown direction {self.direction!r}")
        if self.page < 1:
            raise ValueError("page must be at least 1")

    def replace(self, **changes) -> "BookmarkFilter":
        return dataclasses.replace(self, **changes)


class _Ids(forms.MultipleHiddenInput):
    """Every value given for the parameter (`tag=1&tag=2`, or `tag=1,2`)."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if isinstance(data, MultiValueDict) else data.get(name, [])
        if isinstance(values, str | int):
            values = [values]
        return [part for value in values for part in str(value).split(",") if part.strip()]


class TagIdsField(forms.Field):
    widget = _Ids

    def to_python(self, value) -> tuple[int, ...]:
        ids = set()
        for part in value or ():
            text = str(part).strip()
            if not text.isascii() or not text.isdigit() or not 0 < int(text) < MAX_TAG_ID:
                raise forms.ValidationError("Some tags were not understood and were left out.")
            ids.add(int(text))
        if len(ids) > MAX_TAGS_PER_FIELD:
            raise forms.ValidationError(f"At most {MAX_TAGS_PER_FIELD} tags can be used at once.")
        return tuple(sorted(ids))


class BookmarkFilterForm(forms.Form):
    """The sort-and-filter sidebar of every bookmarks listing; what cannot be understood is left out and
    named in `problems()`, and the rest still filters."""

    tag = TagIdsField(required=False, label="Work tags to include")
    exclude = TagIdsField(required=False, label="Work tags to exclude")
    rating = TagIdsField(required=False, label="Ratings")
    warning = TagIdsField(required=False, label="Archive warnings")
    category = TagIdsField(required=False, label="Categories")
    bookmark_tag = TagIdsField(required=False, label="Bookmarker's tags to include")
    exclude_bookmark_tag = TagIdsField(required=False, label="Bookmarker's tags to exclude")
    other_tags = forms.CharField(required=False, max_length=2000, label="Other work tags to include")
    other_bookmark_tags = forms.CharField(required=False, max_length=2000, label="Other bookmarker's tags to include")
    rec = forms.BooleanField(required=False, label="Recs only")
    with_notes = forms.BooleanField(required=False, label="Only bookmarks with notes")
    bookmarked_from = forms.DateField(required=False, label="Bookmarked from", input_formats=["%Y-%m-%d"])
    bookmarked_to = forms.DateField(required=False, label="Bookmarked to", input_formats=["%Y-%m-%d"])
    sort = forms.ChoiceField(
        required=False, choices=[("", SORT_LABELS["created_at"]), ("work_revised_at", SORT_LABELS["work_revised_at"])]
    )
    direction = forms.ChoiceField(required=False, choices=[("desc", "Descending"), ("asc", "Ascending")])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, data, **kwargs):
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(data, **kwargs)
        self.is_valid()

    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label or name.title()}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]

    def value(self, name: str, default=None):
        found = self.cleaned_data.get(name)
        return default if found in (None, "") else found

    def names(self, name: str) -> list[str]:
        """Tag names typed into a text field, comma-separated."""
        return [part.strip() for part in self.value(name, "").split(",") if part.strip()][:MAX_TAGS_PER_FIELD]

    def to_filter(self, **fixed) -> BookmarkFilter:
        """The filter the form describes, with `fixed` parts from the page's path (a user, a work, a tag)."""
        return BookmarkFilter(
            include_tags=self.value("tag", ()),
            exclude_tags=self.value("exclude", ()),
            ratings=self.value("rating", ()),
            warnings=self.value("warning", ()),
            categories=self.value("category", ()),
            bookmark_tags=self.value("bookmark_tag", ()),
            exclude_bookmark_tags=self.value("exclude_bookmark_tag", ()),
            rec_only=self.value("rec", False),
            with_notes=self.value("with_notes", False),
            bookmarked_from=self.value("bookmarked_from"),
            bookmarked_to=self.value("bookmarked_to"),
            sort=self.value("sort", "created_at"),
            direction=self.value("direction", "desc"),
            page=self.value("page", 1),
            **fixed,
        )
