"""Comment forms: they carry what was typed; the rules live in the services."""

from django import forms

from fanfold.accounts.models import Pseud
from fanfold.core.forms import SingleLineCharField
from fanfold.core.html import FORMAT_HTML, TEXT_FORMAT_CHOICES
from fanfold.interactions.models import MAX_COMMENT_LENGTH


def _content_field() -> forms.CharField:
    return forms.CharField(
        label="Comment",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_COMMENT_LENGTH}),
        help_text=f"Up to {MAX_COMMENT_LENGTH:,} characters. Basic HTML is allowed.",
    )


class CommentForm(forms.Form):
    guest_name = SingleLineCharField(label="Name", required=False, max_length=100)
    guest_email = SingleLineCharField(
        label="Email",
        required=False,
        max_length=254,
        widget=forms.EmailInput,
        help_text="Never shown to anyone; used only to tell you about replies.",
    )
    pseud = forms.TypedChoiceField(label="Pseud", coerce=int, required=False)
    content = _content_field()
    text_format = forms.ChoiceField(label="Text format", choices=TEXT_FORMAT_CHOICES, required=False)
    chapter_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, pseuds: list[Pseud] | tuple = (), guest: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "id_comment_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.pseuds = {pseud.pk: pseud for pseud in pseuds}
        if guest:
            del self.fields["pseud"]
        else:
            del self.fields["guest_name"], self.fields["guest_email"]
            if len(self.pseuds) > 1:
                self.fields["pseud"].choices = [(pseud.pk, pseud.name) for pseud in pseuds]
            else:
                # One pseud needs no choice; the service uses the default pseud.
                del self.fields["pseud"]

    def clean_pseud(self) -> Pseud | None:
        return self.pseuds.get(self.cleaned_data.get("pseud"))

    def clean_text_format(self) -> str:
        return self.cleaned_data.get("text_format") or FORMAT_HTML


class CommentEditForm(forms.Form):
    content = _content_field()
    text_format = forms.ChoiceField(label="Text format", choices=TEXT_FORMAT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_comment_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_text_format(self) -> str:
        return self.cleaned_data.get("text_format") or FORMAT_HTML
