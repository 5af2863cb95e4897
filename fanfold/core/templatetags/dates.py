"""Template filters for dates that never fail on a date at the edge of the calendar."""

from django import template

from fanfold.core.dates import format_local

register = template.Library()


@register.filter(expects_localtime=False)
def local_date(value, format_string: str = "Y-m-d") -> str:
    """Like Django's `date` filter, but a stored date its zone cannot show is shown as stored."""
    if not value:
        return ""
    return format_local(value, format_string)
