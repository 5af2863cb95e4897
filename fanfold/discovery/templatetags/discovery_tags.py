"""The filter sidebar's tag rows, written in Python: a broad listing shows hundreds of them."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def facet_rows(rows, param: str) -> SafeString:
    """One <li> per FacetRow: include it (under `param`), or exclude it, with its count."""
    param = escape(param)
    lines = []
    for row in rows:
        name = escape(row.name)
        included = " checked" if row.included else ""
        excluded = " checked" if row.excluded else ""
        lines.append(
            f'<li class="facet-row"><label class="include"><input type="checkbox" name="{param}" '
            f'value="{row.tag_id}"{included}> {name} <span class="facet-count">({row.count:,})</span></label>'
            f'<label class="exclude" title="Exclude {name}"><input type="checkbox" name="exclude" '
            f'value="{row.tag_id}"{excluded} aria-label="Exclude {name}"> exclude</label></li>'
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every value is escaped or an integer)
