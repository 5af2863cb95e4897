"""Forms that translate what a tag wrangler types into calls to the wrangling services."""

from django import forms

from fanfold.tags.models import Tag

TAG_NAME_INPUT = forms.TextInput(attrs={"autocomplete": "off"})


class TagWrangleForm(forms.Form):
    canonical = forms.BooleanField(
        label="Canonical",
        required=False,
        help_text="A canonical tag is the one works are filtered under. To stop a tag being canonical, "
        "make it a synonym of another.",
    )
    synonym_of = forms.CharField(
        label="Synonym of",
        required=False,
        widget=TAG_NAME_INPUT,
        help_text="The name of a canonical tag of the same type.",
    )
    add_meta_tag = forms.CharField(
        label="Add meta tag",
        required=False,
        widget=TAG_NAME_INPUT,
        help_text="A broader canonical tag this tag's works are also found under.",
    )
    add_parent_fandom = forms.CharField(
        label="Add parent fandom", required=False, widget=TAG_NAME_INPUT, help_text="A canonical fandom."
    )
    rename = forms.CharField(
        label="Rename",
        required=False,
        widget=TAG_NAME_INPUT,
        help_text="Correct the name's case or spelling. Leave empty to keep it.",
    )
    unwrangleable = forms.BooleanField(
        label="Unwrangleable",
        required=False,
        help_text="Looked at and left alone: neither canonical nor a synonym.",
    )

    @staticmethod
    def initial_for(tag: Tag) -> dict:
        return {
            "canonical": tag.canonical,
            "synonym_of": tag.merger.name if tag.merger_id else "",
            "unwrangleable": tag.unwrangleable,
        }
