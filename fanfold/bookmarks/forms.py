"""Bookmark forms: they carry what was typed; the rules live in the services."""

from django import forms

from fanfold.bookmarks.models import MAX_NOTES_LENGTH
from fanfold.bookmarks.services import BookmarkFields, ExternalWorkFields
from fanfold.core.forms import SingleLineCharField
from fanfold.tags.models import RATINGS, TagType


def _names(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


class BookmarkForm(forms.Form):
    pseud = forms.TypedChoiceField(label="Bookmarker's pseud", coerce=int)
    notes = forms.CharField(
        label="Notes",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {MAX_NOTES_LENGTH:,} characters. Basic HTML is allowed.",
    )
    tags = SingleLineCharField(
        label="Your tags",
        required=False,
        max_length=20_000,
        help_text="Separate tags with commas.",
        widget=forms.TextInput(attrs={"data-tag-autocomplete": "", "autocomplete": "off"}),
    )
    rec = forms.BooleanField(label="Rec", required=False, help_text="Recommend this work to others.")
    private = forms.BooleanField(label="Private bookmark", required=False, help_text="Only you will see it.")

    def __init__(self, *args, pseuds=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["pseud"].choices = [(pseud.pk, pseud.name) for pseud in pseuds]

    def bookmark_fields(self) -> BookmarkFields:
        data = self.cleaned_data
        return BookmarkFields(
            pseud_id=data["pseud"],
            notes=data["notes"],
            tags=_names(data["tags"]),
            private=data["private"],
            rec=data["rec"],
        )


class ExternalWorkForm(forms.Form):
    url = SingleLineCharField(label="URL", max_length=2000)
    title = SingleLineCharField(label="Title", max_length=255)
    creator = SingleLineCharField(label="Creator", max_length=255)
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    fandoms = SingleLineCharField(label="Fandoms", max_length=5000, help_text="Separate fandoms with commas.")
    rating = forms.ChoiceField(label="Rating", choices=[(name, name) for name in RATINGS])
    relationships = SingleLineCharField(label="Relationships", required=False, max_length=5000)
    characters = SingleLineCharField(label="Characters", required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "external")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(external) -> dict:
        def names(tag_type: str) -> str:
            return ", ".join(tag.name for tag in external.tags_of(tag_type))

        ratings = external.tags_of(TagType.RATING)
        return {
            "url": external.url,
            "title": external.title,
            "creator": external.creator,
            "summary": external.summary,
            "fandoms": names(TagType.FANDOM),
            "rating": ratings[0].name if ratings else "",
            "relationships": names(TagType.RELATIONSHIP),
            "characters": names(TagType.CHARACTER),
        }

    def external_fields(self) -> ExternalWorkFields:
        data = self.cleaned_data
        return ExternalWorkFields(
            url=data["url"],
            title=data["title"],
            creator=data["creator"],
            summary=data["summary"],
            fandoms=_names(data["fandoms"]),
            rating=data["rating"],
            relationships=_names(data["relationships"]),
            characters=_names(data["characters"]),
        )
