"""Form fields shared by every app's forms: one place for the rules every text box and number keeps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import renderers
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

from fanfold.core.text import single_line


class SingleLineCharField(forms.CharField):
    """A text box for a title or a name: line breaks pasted into it become spaces.

    A title reaches email subjects, page titles and logs; Django refuses to send an email whose header
    holds a line break, so a title with one silently lost its notifications.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = single_line(value)
        return super().to_python(value)


class FormRenderer(renderers.Jinja2):
    """Draws form fields, labels and error lists with Django's own Jinja2 versions of its widget templates:
    the same HTML in about half the time of the Django template engine (the posting form has some thirty
    fields, and every work page a comment form). Widgets that have only Django templates (the admin's,
    auth's password field) are drawn by those."""

    @cached_property
    def _django_templates(self) -> renderers.DjangoTemplates:
        return renderers.DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self._django_templates.get_template(template_name)


def id_range(model) -> tuple[int, int]:
    """The ids the database can hold for `model`'s primary key (1 up to its integer column's maximum)."""
    _low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return 1, high if high is not None else 2**63 - 1


def parse_id(value, model) -> int | None:
    """`value` as an id of `model` when it could be one, else None; so no query is sent that cannot fit."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        return None
    number = int(text)
    low, high = id_range(model)
    return number if low <= number <= high else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Choose rows by id; an id that is not a number the database can hold is an invalid choice.

    Django sends every submitted value to the database in one `IN (...)`, where an id past the column's
    range overflows (SQLite raises, PostgreSQL refuses) instead of simply matching nothing.
    """

    def _check_values(self, value):
        model = self.queryset.model
        for one in value:
            if parse_id(one, model) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": one}
                )
        return super()._check_values(value)
