"""The filter sidebar's tag rows, written in Python: a broad listing shows hundreds of them."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_ROW = (
    '<li class="facet-row"><label class="include"><input type="checkbox" name="{}" value="{}"{}> {} '
    '<span class="facet-count">({})</span></label>'
    '<label class="exclude" title="Exclude {}"><input type="checkbox" name="exclude" value="{}"{} '
    'aria-label="Exclude {}"> exclude</label></li>'
)
_CHECKED = mark_safe(" checked")  # noqa: S308 (a constant)


@register.simple_tag
def facet_rows(rows, param: str):
    """One <li> per FacetRow: include it (under `param`), or exclude it, with its count."""
    return format_html_join(
        "\n",
        _ROW,
        (
            (
                param,
                row.tag_id,
                _CHECKED if row.included else "",
                row.name,
                intcomma(row.count),
                row.name,
                row.tag_id,
                _CHECKED if row.excluded else "",
                row.name,
            )
            for row in rows
        ),
    )
