"""Reading tags: a tag's wrangled relations, autocomplete matches, and what is left to wrangle."""

import re

from django.db.models import Count, Q, QuerySet

from fanfold.tags.models import Tag, TagType, name_key
from fanfold.tags.services import tag_suggest_canonical
from fanfold.works.visibility import policy_for

# `tag_by_name`'s default viewer: wrangling pages, which know every tag.
WRANGLER = object()

AUTOCOMPLETE_LIMIT = 15
AUTOCOMPLETE_MIN_LENGTH = 2
# How many "contains" rows are read to find word matches: enough for any real term, bounded for a short one.
_WORD_MATCH_SCAN = 1_000
WRANGLED_TYPES = (TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)


def visible_tags(viewer) -> QuerySet[Tag]:
    """The tags `viewer` may know of (see `ViewerPolicy.tag_q`): every page that names a tag a reader asked
    for, by name or id, reads it from here."""
    return Tag.objects.filter(policy_for(viewer).tag_q())


def tag_by_name(name: str, *, viewer=WRANGLER) -> Tag | None:
    """The tag called `name`, whatever its case or spacing, if `viewer` may know of it (wranglers, the
    default, know every tag)."""
    key = name_key(name)
    if not key:
        return None
    tags = Tag.objects.all() if viewer is WRANGLER else visible_tags(viewer)
    return tags.filter(key=key).first()


def tag_relations(tag: Tag) -> dict:
    """What wrangling has tied `tag` to: its canonical tag, synonyms, meta and sub tags, parent fandoms."""
    return {
        "merger": Tag.objects.filter(id=tag.merger_id).first() if tag.merger_id else None,
        "synonyms": list(tag.synonyms.order_by("name")),
        "meta_tags": list(tag.meta_tags.order_by("name")),
        "sub_tags": list(tag.sub_tags.order_by("name")),
        "parents": list(tag.parents.order_by("name")),
    }


def tags_autocomplete(*, term: str, viewer, type: str | None = None, limit: int = AUTOCOMPLETE_LIMIT) -> list[Tag]:
    """Tags `viewer` may know of whose name starts with `term`, then those with a word starting with it;
    canonical first in each.

    Matching is on the stored case-folded key, so it is case-insensitive on every database.
    """
    term_key = name_key(term)
    if len(term_key) < AUTOCOMPLETE_MIN_LENGTH:
        return []
    tags = visible_tags(viewer)
    if type:
        tags = tags.filter(type=type)
    ordered = tags.order_by("-canonical", "name", "id")
    found = list(ordered.filter(key__startswith=term_key)[:limit])
    if len(found) < limit:
        word_start = re.compile(r"(?<!\w)" + re.escape(term_key))
        candidates = ordered.filter(key__contains=term_key).exclude(key__startswith=term_key)
        for tag in candidates[:_WORD_MATCH_SCAN]:
            if word_start.search(tag.key):
                found.append(tag)
                if len(found) == limit:
                    break
    return found


def _unwrangled(tags):
    return tags.filter(type__in=WRANGLED_TYPES, canonical=False, merger__isnull=True, unwrangleable=False)


def fandoms_to_wrangle() -> list[Tag]:
    """Fandoms on posted works, each annotated with `unwrangled`: how many of its works' tags await a wrangler."""
    waiting = Q(
        works__tags__type__in=WRANGLED_TYPES,
        works__tags__canonical=False,
        works__tags__merger__isnull=True,
        works__tags__unwrangleable=False,
    )
    fandoms = (
        Tag.objects.filter(type=TagType.FANDOM, works__posted=True)
        .annotate(unwrangled=Count("works__tags", filter=waiting & Q(works__posted=True), distinct=True))
        .order_by("-unwrangled", "name")
    )
    return list(fandoms)


def fandom_unwrangled_tags(*, fandom: Tag) -> list[Tag]:
    """The unwrangled relationships, characters and additional tags on posted works in `fandom`."""
    tags = _unwrangled(Tag.objects.filter(works__posted=True, works__tags=fandom)).distinct()
    order = {tag_type: position for position, tag_type in enumerate(WRANGLED_TYPES)}
    return sorted(tags, key=lambda tag: (order[tag.type], tag.name.casefold(), tag.id))


def tags_with_suggestions(tags: list[Tag]) -> list[dict]:
    """Each tag with the canonical tag it most likely belongs to (or None)."""
    return [{"tag": tag, "suggestion": tag_suggest_canonical(tag=tag)} for tag in tags]


def user_can_wrangle(user) -> bool:
    """Tag wranglers (the `wrangle_tags` permission) and staff: they, and only they, see and change how tags
    are wrangled."""
    return user.is_authenticated and (user.is_staff or user.has_perm("tags.wrangle_tags"))
