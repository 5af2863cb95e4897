"""Forms that translate what a creator types into WorkFields and ChapterFields."""

from django import forms
from django.core.exceptions import ValidationError

from fanfold.core.forms import IdMultipleChoiceField, SingleLineCharField
from fanfold.core.html import FORMAT_HTML, TEXT_FORMAT_CHOICES
from fanfold.tags.models import CATEGORIES, RATINGS, WARNINGS
from fanfold.works.models import LANGUAGE_CHOICES, CommentPermission, Work
from fanfold.works.services import (
    MAX_CHAPTER_TEXT,
    MAX_EXPECTED_CHAPTERS,
    MAX_NOTES,
    MAX_SUMMARY,
    MAX_TITLE,
    ChapterFields,
    WorkFields,
)

TAG_HELP = "Separate tags with commas."


def split_tags(value: str) -> list[str]:
    seen: dict[str, str] = {}
    for part in (value or "").replace("，", ",").replace("、", ",").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


class TagListField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", TAG_HELP)
        tag_type = kwargs.pop("tag_type", None)
        attrs = {"autocomplete": "off", "data-tag-autocomplete": ""}
        if tag_type:
            attrs["data-tag-type"] = tag_type
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_tags(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value


def _text(label: str, limit: int, *, required: bool = False, rows: int = 4, help_text: str = "") -> forms.CharField:
    # No max_length here: the service reports lengths with the count, and the form keeps the text.
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        help_text=help_text or f"At most {limit:,} characters.",
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ChapterForm(forms.Form):
    """A chapter's own fields; the work form reuses them for the first chapter."""

    chapter_title = SingleLineCharField(label="Chapter title", required=False, strip=True)
    chapter_summary = _text("Chapter summary", MAX_SUMMARY, rows=3)
    chapter_notes = _text("Chapter beginning notes", MAX_NOTES, rows=3)
    chapter_end_notes = _text("Chapter end notes", MAX_NOTES, rows=3)
    chapter_published_on = forms.DateField(
        label="Chapter publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today.",
    )
    content = _text(
        "Chapter text",
        MAX_CHAPTER_TEXT,
        required=True,
        rows=18,
        help_text=(
            f"At most {MAX_CHAPTER_TEXT:,} characters. A blank line starts a new paragraph, with or without HTML. "
            "A line with only a divider such as “* * *”, “~*~” or “-x-”, or a <hr>, is a section break."
        ),
    )
    text_format = forms.ChoiceField(
        label="Text format", choices=TEXT_FORMAT_CHOICES, initial=FORMAT_HTML, widget=forms.RadioSelect
    )

    def chapter_fields(self) -> ChapterFields:
        data = self.cleaned_data
        return ChapterFields(
            content=data["content"],
            title=data.get("chapter_title", ""),
            summary=data.get("chapter_summary", ""),
            notes=data.get("chapter_notes", ""),
            end_notes=data.get("chapter_end_notes", ""),
            published_on=data.get("chapter_published_on"),
            text_format=data["text_format"],
        )

    @classmethod
    def initial_for(cls, chapter) -> dict:
        return {
            "chapter_title": chapter.title,
            "chapter_summary": chapter.summary,
            "chapter_notes": chapter.notes,
            "chapter_end_notes": chapter.end_notes,
            "chapter_published_on": chapter.published_on,
            "content": chapter.content,
            "text_format": FORMAT_HTML,
        }


class WorkForm(ChapterForm):
    """The whole posting form: the work's details and, for a new work or a one-shot, its text."""

    pseuds = IdMultipleChoiceField(label="Creator/Pseud(s)", queryset=None, widget=forms.CheckboxSelectMultiple)
    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Choose a rating")] + [(r, r) for r in RATINGS],
        error_messages={"required": "Please choose a rating."},
    )
    warnings = forms.MultipleChoiceField(
        label="Archive Warnings",
        choices=[(w, w) for w in WARNINGS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Please choose at least one archive warning."},
    )
    fandoms = TagListField(
        label="Fandoms",
        required=True,
        tag_type="fandom",
        error_messages={"required": "Please add at least one fandom."},
    )
    categories = forms.MultipleChoiceField(
        label="Categories", required=False, choices=[(c, c) for c in CATEGORIES], widget=forms.CheckboxSelectMultiple
    )
    relationships = TagListField(label="Relationships", tag_type="relationship")
    characters = TagListField(label="Characters", tag_type="character")
    freeforms = TagListField(label="Additional Tags", tag_type="freeform")
    title = SingleLineCharField(label="Work title", strip=True, help_text=f"At most {MAX_TITLE} characters.")
    summary = _text("Summary", MAX_SUMMARY)
    notes = _text("Beginning notes", MAX_NOTES)
    end_notes = _text("End notes", MAX_NOTES)
    language = forms.ChoiceField(label="Language", choices=LANGUAGE_CHOICES, initial="en")
    expected_chapters = forms.IntegerField(
        label="Expected number of chapters",
        required=False,
        min_value=1,
        max_value=MAX_EXPECTED_CHAPTERS,
        initial=1,
        error_messages={"max_value": f"The expected number of chapters can be at most {MAX_EXPECTED_CHAPTERS:,}."},
        help_text="Leave empty if you don't know yet (shown as “1/?”).",
    )
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Set a past date to backdate the work; leave empty for today.",
    )
    restricted = forms.BooleanField(label="Only show this work to signed-in users", required=False)
    comment_permission = forms.ChoiceField(
        label="Who can comment on this work",
        choices=CommentPermission.choices,
        initial=CommentPermission.REGISTERED,
        widget=forms.RadioSelect,
    )
    moderate_comments = forms.BooleanField(
        label="Enable comment moderation (new comments wait for your approval)", required=False
    )

    field_order = [
        "rating", "warnings", "fandoms", "categories", "relationships", "characters", "freeforms",
        "pseuds", "title", "summary", "notes", "end_notes", "language", "expected_chapters", "published_on",
        "restricted", "comment_permission", "moderate_comments",
        "chapter_title", "content", "text_format",
    ]  # fmt: skip

    def __init__(self, *args, user, include_text: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pseuds"].queryset = user.pseuds.all()
        if "content" in self.fields:
            self.fields["content"].label = "Work text"
        if not self.is_bound and "pseuds" not in self.initial:
            self.initial["pseuds"] = [p.pk for p in user.pseuds.all() if p.is_default]
        # A posted work's later chapters are edited on their own; the first chapter's extra fields
        # live on the chapter form.
        for name in ("chapter_summary", "chapter_notes", "chapter_end_notes", "chapter_published_on"):
            del self.fields[name]
        if not include_text:
            for name in ("chapter_title", "content"):
                del self.fields[name]
            self.fields["text_format"].help_text = "The format of the summary and notes above."

    FIELDSETS = [
        ("Tags", ["rating", "warnings", "fandoms", "categories", "relationships", "characters", "freeforms"]),
        ("Preface", ["pseuds", "title", "summary", "notes", "end_notes"]),
        ("Details", ["language", "expected_chapters", "published_on"]),
        ("Privacy and comments", ["restricted", "comment_permission", "moderate_comments"]),
        ("Work text", ["chapter_title", "content", "text_format"]),
    ]

    def fieldsets(self):
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.FIELDSETS]

    def clean_fandoms(self):
        fandoms = self.cleaned_data["fandoms"]
        if not fandoms:
            raise ValidationError("Please add at least one fandom.")
        return fandoms

    def work_fields(self) -> WorkFields:
        data = self.cleaned_data
        return WorkFields(
            title=data["title"],
            rating=data["rating"],
            warnings=data["warnings"],
            fandoms=data["fandoms"],
            categories=data["categories"],
            relationships=data["relationships"],
            characters=data["characters"],
            freeforms=data["freeforms"],
            summary=data["summary"],
            notes=data["notes"],
            end_notes=data["end_notes"],
            language=data["language"],
            expected_chapters=data["expected_chapters"],
            published_on=data["published_on"],
            restricted=data["restricted"],
            comment_permission=data["comment_permission"],
            moderate_comments=data["moderate_comments"],
            text_format=data["text_format"],
        )

    def chapter_fields(self) -> ChapterFields:
        data = self.cleaned_data
        return ChapterFields(
            content=data["content"], title=data.get("chapter_title", ""), text_format=data["text_format"]
        )

    @classmethod
    def initial_for(cls, work: Work, first_chapter=None) -> dict:
        initial = {
            "pseuds": [p.pk for p in work.creators.all()],
            "rating": work.rating.name if work.rating else "",
            "warnings": [t.name for t in work.warnings],
            "categories": [t.name for t in work.categories],
            "fandoms": ", ".join(t.name for t in work.fandoms),
            "relationships": ", ".join(t.name for t in work.relationships),
            "characters": ", ".join(t.name for t in work.characters),
            "freeforms": ", ".join(t.name for t in work.freeforms),
            "title": work.title,
            "summary": work.summary,
            "notes": work.notes,
            "end_notes": work.end_notes,
            "language": work.language,
            "expected_chapters": work.expected_chapters,
            "published_on": work.published_on,
            "restricted": work.restricted,
            "comment_permission": work.comment_permission,
            "moderate_comments": work.moderate_comments,
            "text_format": FORMAT_HTML,
        }
        if first_chapter is not None:
            initial |= {"chapter_title": first_chapter.title, "content": first_chapter.content}
        return initial


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field where the field is on it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
