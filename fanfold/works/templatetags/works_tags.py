"""A work's blurb: the summary card every works listing shows, one per work.

A listing page shows 20 blurbs with about 16 tag links each. Written as a template that was most of the
page's time (about a thousand template nodes per blurb), so the blurb is built here in Python, every value
escaped on the way in.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from fanfold.accounts.models import pseud_label, pseud_url
from fanfold.core.dates import format_local
from fanfold.core.links import reverse_ids
from fanfold.tags.models import RATING_SYMBOLS, TagType, tag_url
from fanfold.works.models import LANGUAGE_NAMES
from fanfold.works.selectors import BlurbPeople

register = template.Library()

_RATING_CLASSES = {
    "General Audiences": "rating-general",
    "Teen And Up Audiences": "rating-teen",
    "Mature": "rating-mature",
    "Explicit": "rating-explicit",
    "Not Rated": "rating-notrated",
}
# The tag lists under the fandoms line, in AO3's order.
_LISTED_TYPES = (
    (TagType.WARNING, "warnings"),
    (TagType.RELATIONSHIP, "relationships"),
    (TagType.CHARACTER, "characters"),
    (TagType.FREEFORM, "freeforms"),
)


def warning_symbol(names: list[str]) -> str:
    if "Creator Chose Not To Use Archive Warnings" in names:
        return "CW"
    if set(names) - {"No Archive Warnings Apply"}:
        return "!"
    return "—"


def category_symbol(names: list[str]) -> str:
    if not names:
        return "—"
    if len(names) > 1:
        return "Multi"
    return names[0]


def _tag_link(name: str) -> str:
    return f'<a class="tag" href="{escape(tag_url(name))}">{escape(name)}</a>'


@register.simple_tag
def tag_list(tags, css: str) -> SafeString:
    """A work's tags of one kind as a list of links (a work page's header has up to nine)."""
    items = "".join(f"<li>{_tag_link(tag.name)}</li>" for tag in tags)
    return mark_safe(f'<ul class="{escape(css)}">{items}</ul>')  # noqa: S308 (every value is escaped)


@register.simple_tag
def blurb(work) -> SafeString:
    """The blurb of `work`, whose tags and creators are prefetched (`WorkQuerySet.with_blurb_data`), or whose
    `blurb_head_html` was set from a cache (see `discovery.views`): everything but the snippet and the stats,
    which change with every search and every kudos."""
    head = getattr(work, "blurb_head_html", None)
    if head is None:
        head = blurb_head(work)
    parts = [head]
    snippet = getattr(work, "search_snippet", None)
    if snippet:
        parts.append(f'  <p class="snippet">{snippet}</p>\n')
    parts.append(blurb_stats(work))
    return mark_safe("".join(parts))  # noqa: S308 (every value is escaped; the summary is stored sanitized)


def blurb_head(work, people: BlurbPeople | None = None) -> str:
    """The blurb up to its summary: what changes only when the work (or a tag or pseud it shows) does. Its
    tags and creators come from `people` (see `works.selectors.blurb_people`), or else are prefetched."""
    if people is None:
        people = BlurbPeople(
            [(tag.name, tag.type) for tag in work.tags.all()],
            [(pseud.name, pseud.user.username) for pseud in work.creators.all()],
        )
    by_type: dict[str, list[str]] = {}
    for name, tag_type in people.tags:
        by_type.setdefault(tag_type, []).append(name)
    ratings = by_type.get(TagType.RATING, [])
    rating = ratings[0] if ratings else ""
    warnings = by_type.get(TagType.WARNING, [])
    categories = by_type.get(TagType.CATEGORY, [])
    creators = ", ".join(
        f'<a rel="author" href="{escape(pseud_url(name, username))}">{escape(pseud_label(name, username))}</a>'
        for name, username in people.creators
    )
    parts = [
        f'<li class="blurb work" id="work_{work.pk}" role="article">\n',
        f'  <p class="datetime">{format_local(work.revised_at, "j M Y")}</p>\n',
        f'  <h3 class="heading">\n    <a href="{escape(work.get_absolute_url())}">{escape(work.title)}</a> by\n',
        f"    {creators or 'Anonymous'}\n",
    ]
    if work.restricted:
        parts.append('    <span class="restricted" title="Only shown to signed-in users">🔒</span>\n')
    if not work.posted:
        parts.append('    <span class="draft-label">(Draft)</span>\n')
    completion = "Complete Work" if work.complete else "Work in Progress"
    parts += [
        '  </h3>\n  <p class="fandoms"><span class="required-tags">\n',
        f'    <span class="rating {_RATING_CLASSES.get(rating, "rating-notrated")}" title="{escape(rating)}">'
        f"{RATING_SYMBOLS.get(rating, '?')}</span>\n",
        f'    <span class="warnings" title="{escape(", ".join(warnings))}">{warning_symbol(warnings)}</span>\n',
        f'    <span class="category" title="{escape(", ".join(categories) or "No category")}">'
        f"{escape(category_symbol(categories))}</span>\n",
        f'    <span class="complete" title="{completion}">{"✓" if work.complete else "…"}</span>\n  </span>\n  ',
        ", ".join(_tag_link(name) for name in by_type.get(TagType.FANDOM, ())),
        '</p>\n  <ul class="tags">\n',
    ]
    for tag_type, css in _LISTED_TYPES:
        parts += [f'    <li class="{css}">{_tag_link(name)}</li>\n' for name in by_type.get(tag_type, ())]
    parts.append("  </ul>\n")
    if work.summary:
        # Stored sanitized (one allowlist, on the way in).
        parts.append(f'  <blockquote class="userstuff summary">{work.summary}</blockquote>\n')
    return "".join(parts)


def blurb_stats(work) -> str:
    stats = (
        ("language", "Language", escape(LANGUAGE_NAMES.get(work.language, work.language))),
        ("words", "Words", f"{work.word_count:,}"),
        ("chapters", "Chapters", work.chapters_display),
        ("comments", "Comments", f"{work.comment_count:,}"),
        ("kudos", "Kudos", f"{work.kudos_count:,}"),
        ("hits", "Hits", f"{work.hit_count:,}"),
    )
    if work.bookmark_count:
        url = escape(reverse_ids("bookmarks:work", work_id=work.pk))
        stats += (("bookmarks", "Bookmarks", f'<a href="{url}">{work.bookmark_count:,}</a>'),)
    parts = ['  <dl class="stats">\n']
    parts += [f'    <dt class="{css}">{label}</dt><dd class="{css}">{value}</dd>\n' for css, label, value in stats]
    parts.append("  </dl>\n</li>")
    return "".join(parts)
