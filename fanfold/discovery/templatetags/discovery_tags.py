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


@register.simple_tag
def facet_fieldsets(groups, query_string: str) -> SafeString:
    """The works listing's facet fieldsets, one per tag type that has tags (see `discovery.views._facet_groups`):
    the top rows, the rest behind "show more", and a link to all of a type's tags when even those are not all.
    Written in Python, as the rows are: as a template loop they were a fifth of a warm listing's time."""
    query = escape(query_string)
    parts = []
    for group in groups:
        if not group["top"]:
            continue
        kind, label = escape(group["type"]), escape(str(group["label"]))
        parts.append(
            f'<fieldset class="facet facet-{kind}" data-type="{kind}">\n      <legend>{label}</legend>\n'
            f'      <ul class="facet-tags">\n      {facet_rows(group["top"], group["param"])}\n      </ul>\n'
        )
        if group["more"]:
            parts.append(
                f'      <details class="facet-more"><summary>Show more ({group["total"]:,} in all)</summary>'
                f'<ul class="facet-tags">\n        {facet_rows(group["more"], group["param"])}\n      </ul>'
            )
            if not group["all_shown"]:
                link = f"?{query}&amp;all_facets={kind}"
                parts.append(f'<p><a class="facet-all" href="{link}">All {group["total"]:,} {label}</a></p>')
            parts.append("</details>")
        parts.append("\n    </fieldset>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped or an integer)


@register.simple_tag
def select_options(choices, selected) -> SafeString:
    """<option>s of (value, label) pairs, the one whose value is `selected` selected."""
    options = []
    for value, label in choices:
        chosen = " selected" if value == selected else ""
        options.append(f'<option value="{escape(str(value))}"{chosen}>{escape(str(label))}</option>')
    return mark_safe("".join(options))  # noqa: S308 (every value is escaped)
