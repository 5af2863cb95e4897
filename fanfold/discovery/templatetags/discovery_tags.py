"""The filter sidebar's tag rows, written in Python: a broad listing shows hundreds of them."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def facet_rows(rows, param: str, exclude_param: str = "exclude") -> SafeString:
    """One <li> per FacetRow: include it (under `param`) or exclude it (under `exclude_param`), with its count;
    the works and the bookmarks listings share it."""
    param, exclude_param = escape(param), escape(exclude_param)
    lines = []
    for row in rows:
        name = escape(row.name)
        included = " checked" if row.included else ""
        excluded = " checked" if row.excluded else ""
        lines.append(
            f'<li class="facet-row"><label class="include"><input type="checkbox" name="{param}" '
            f'value="{row.tag_id}"{included}> {name} <span class="facet-count">({row.count:,})</span></label>'
            f'<label class="exclude" title="Exclude {name}"><input type="checkbox" name="{exclude_param}" '
            f'value="{row.tag_id}"{excluded} aria-label="Exclude {name}"> exclude</label></li>'
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every value is escaped or an integer)
