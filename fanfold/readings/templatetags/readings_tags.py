"""A work's blurb left open at its end, so a list of readings can add its buttons inside it."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from fanfold.works.templatetags.works_tags import blurb

register = template.Library()


@register.simple_tag
def blurb_open(work) -> SafeString:
    """`{% blurb work %}` without its closing `</li>`: the template adds its own buttons, then closes it."""
    return mark_safe(blurb(work).removesuffix("</li>"))  # noqa: S308 (the blurb escapes every value)
