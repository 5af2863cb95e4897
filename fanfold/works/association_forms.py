"""The part of the posting and edit forms about a work's co-creators, gifts and the works that inspired it."""

from django import forms
from django.core.exceptions import ValidationError

from fanfold.core.forms import IdMultipleChoiceField, SingleLineCharField
from fanfold.works.associations import Associations
from fanfold.works.forms import split_tags
from fanfold.works.gifts import gift_recipients_text
from fanfold.works.models import RelatedWork, Work
from fanfold.works.related import ParentFields
from fanfold.works.selectors import visible_works

NAMES_HELP = "Separate names with commas. Type a pseud as “pseud (username)”."


class NameListField(SingleLineCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_tags(super().to_python(value))

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class AssociationsForm(forms.Form):
    """The work form's "Associations" (with the series choice, `series.forms.WorkSeriesForm`), in AO3's words."""

    co_creators = NameListField(
        label="Add co-creators",
        help_text=f"{NAMES_HELP} They are invited, and credited once they accept.",
    )
    gifts = NameListField(label="Gift this work to", help_text=f"{NAMES_HELP} Anyone's name, with an account or not.")
    parent_reference = SingleLineCharField(
        label="URL",
        required=False,
        help_text="The address of the work, here or elsewhere, or its number here.",
    )
    parent_title = SingleLineCharField(label="Title", required=False, help_text="For a work elsewhere.")
    parent_creator = SingleLineCharField(label="Creator", required=False, help_text="For a work elsewhere.")
    parent_translation = forms.BooleanField(label="This is a translation", required=False)
    remove_parent_links = IdMultipleChoiceField(
        label="Remove these links",
        queryset=RelatedWork.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, work: Work | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.work = work
        links = RelatedWork.objects.filter(child=work) if work else RelatedWork.objects.none()
        if work is not None and links.exists():
            # A parent the creator can no longer open (made a draft, hidden) is not named here either.
            seen = dict(visible_works(user).filter(child_links__child=work).values_list("pk", "title"))
            self.fields["remove_parent_links"].queryset = links
            self.fields["remove_parent_links"].label_from_instance = lambda link: _link_label(link, seen)
        else:
            del self.fields["remove_parent_links"]
        if work is not None and not self.is_bound:
            self.initial.setdefault("gifts", gift_recipients_text(work))

    PARENT_FIELDS = ["parent_reference", "parent_title", "parent_creator", "parent_translation", "remove_parent_links"]

    @property
    def parent_fields(self) -> list:
        """The fields about the work this one answers, shown together."""
        return [self[name] for name in self.PARENT_FIELDS if name in self.fields]

    def associations(self) -> Associations:
        data = self.cleaned_data
        return Associations(
            co_creators=data["co_creators"],
            gifts=data["gifts"],
            parent=ParentFields(
                reference=data["parent_reference"],
                title=data["parent_title"],
                creator=data["parent_creator"],
                translation=data["parent_translation"],
            ),
            removed_parent_links=[link.pk for link in data.get("remove_parent_links", [])],
        )

    def take_errors(self, error: ValidationError) -> ValidationError | None:
        """Show the errors about this form's fields here; the rest, for the work's form."""
        if not hasattr(error, "error_dict"):
            return error
        rest = {}
        for field, messages in error.message_dict.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
            else:
                rest[field] = messages
        return ValidationError(rest) if rest else None


def _link_label(link: RelatedWork, seen: dict[int, str]) -> str:
    if link.parent_id is None:
        return f"{link.title} ({link.url})"
    return seen.get(link.parent_id, "A work that is not available to you")
