"""Forms for series: the series' own details, and the series choice on the work posting and edit forms."""

from django import forms
from django.core.exceptions import ValidationError

from fanfold.core.forms import SingleLineCharField
from fanfold.core.html import FORMAT_HTML, TEXT_FORMAT_CHOICES
from fanfold.series.models import Series
from fanfold.series.selectors import user_series_choices
from fanfold.series.services import MAX_NOTES, MAX_SUMMARY, MAX_TITLE, SeriesFields


class SeriesForm(forms.Form):
    title = SingleLineCharField(label="Series title", strip=True, help_text=f"At most {MAX_TITLE} characters.")
    summary = forms.CharField(
        label="Summary", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"At most {MAX_SUMMARY:,} characters.",
    )  # fmt: skip
    notes = forms.CharField(
        label="Notes", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"At most {MAX_NOTES:,} characters.",
    )  # fmt: skip
    complete = forms.BooleanField(label="This series is complete", required=False)
    text_format = forms.ChoiceField(
        label="Text format", choices=TEXT_FORMAT_CHOICES, initial=FORMAT_HTML, widget=forms.RadioSelect
    )

    def series_fields(self) -> SeriesFields:
        data = self.cleaned_data
        return SeriesFields(
            title=data["title"],
            summary=data["summary"],
            notes=data["notes"],
            complete=data["complete"],
            text_format=data["text_format"],
        )

    @classmethod
    def initial_for(cls, series: Series) -> dict:
        return {
            "title": series.title,
            "summary": series.summary,
            "notes": series.notes,
            "complete": series.complete,
            "text_format": FORMAT_HTML,
        }


class WorkSeriesForm(forms.Form):
    """ "Add to series" on the posting and edit forms: one of the creator's series, or a new one by name."""

    series = forms.TypedChoiceField(
        label="Choose one of your existing series", required=False, coerce=int, empty_value=None
    )
    new_series_title = SingleLineCharField(
        label="Or create a new series", required=False, strip=True,
        help_text=f"The new series' title, at most {MAX_TITLE} characters.",
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._series = {series.pk: series for series in user_series_choices(user)}
        self.fields["series"].choices = [("", "Choose a series")] + [(pk, s.title) for pk, s in self._series.items()]

    def clean(self):
        data = super().clean()
        if data.get("series") and data.get("new_series_title"):
            raise ValidationError("Please choose one of your series or name a new one, not both.")
        title = data.get("new_series_title") or ""
        if len(title) > MAX_TITLE:
            self.add_error("new_series_title", f"Series title must be at most {MAX_TITLE} characters.")
        return data

    @property
    def wanted(self) -> bool:
        return bool(self.cleaned_data.get("series") or self.cleaned_data.get("new_series_title"))

    def chosen_series(self) -> Series | None:
        return self._series.get(self.cleaned_data.get("series"))
