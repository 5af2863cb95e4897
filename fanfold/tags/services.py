"""Creating and finding tags by name, the filter tags a tag stands for, and likely canonical tags."""

import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fanfold.tags.models import FIXED_TYPES, MetaTagging, Tag, TagType, name_key, normalize_name

FORBIDDEN_CHARACTERS = set(",^*<>{}=`，、\\%")
MAX_TAG_LENGTH = 150


def tag_name_errors(name: str) -> list[str]:
    name = normalize_name(name)
    errors = []
    if not name:
        errors.append("A tag name cannot be empty.")
    if len(name) > MAX_TAG_LENGTH:
        errors.append(f"“{name[:40]}…” is too long: tags are at most {MAX_TAG_LENGTH} characters.")
    bad = sorted({ch for ch in name if ch in FORBIDDEN_CHARACTERS})
    if bad:
        errors.append(f"“{name}” contains characters tags cannot use: {' '.join(bad)}")
    return errors


def tag_find_or_create(*, name: str, type: str) -> Tag:
    """The tag called `name`; a new one of `type` if none exists.

    A name that already exists under another type is reused as it is, as AO3 does: one name, one tag.
    Two people posting with the same new tag at once both get the one tag: whoever inserts second meets the
    unique key, and reads the tag the first one made.
    """
    errors = tag_name_errors(name)
    if errors:
        raise ValidationError(errors)
    name = normalize_name(name)
    key = name_key(name)
    tag = Tag.objects.filter(key=key).first()
    if tag is None:
        if type in FIXED_TYPES:
            raise ValidationError(f"“{name}” is not one of the archive's {TagType(type).label.lower()}s.")
        try:
            # A savepoint, so the failed insert leaves the caller's transaction (the whole post) usable.
            with transaction.atomic():
                return Tag.objects.create(name=name, type=type)
        except IntegrityError:
            tag = Tag.objects.filter(key=key).first()
            if tag is None:  # the clash was not on the name after all
                raise
    if tag.type != type and tag.type in FIXED_TYPES:
        raise ValidationError(f"“{tag.name}” is a {tag.get_type_display().lower()}; choose it from that list instead.")
    return tag


def tags_delete_orphaned(*, tag_ids: Iterable[int]) -> int:
    """Delete the tags among `tag_ids` that no work uses any more, unless a wrangler has touched them
    (canonical, a synonym or with synonyms, meta or sub tags, parents, unwrangleable) or they are the
    archive's own; return how many. A deleted work's new tags should not outlive it."""
    orphaned = (
        Tag.objects.filter(pk__in=list(tag_ids), canonical=False, merger__isnull=True, unwrangleable=False)
        .exclude(type__in=FIXED_TYPES)
        .filter(works__isnull=True, synonyms__isnull=True, sub_tags__isnull=True, meta_tags__isnull=True)
        .filter(parents__isnull=True, children__isnull=True)
        .filter(bookmarks__isnull=True, external_works__isnull=True)  # a bookmarker's tags outlive the work
    )
    deleted, _ = Tag.objects.filter(pk__in=list(orphaned.values_list("pk", flat=True))).delete()
    return deleted


def fixed_tags(type: str) -> list[Tag]:
    return list(Tag.objects.filter(type=type).order_by("sort_order"))


# Above this many tags it is cheaper to read the whole mapping once than to ask about them in chunks.
_WHOLE_TABLE_AT = 2_000
_SQL_CHUNK = 500


def _chunks(ids: list[int]):
    for start in range(0, len(ids), _SQL_CHUNK):
        yield ids[start : start + _SQL_CHUNK]


def _mergers(tag_ids: list[int]) -> dict[int, int]:
    """Synonym id -> its canonical tag's id, for the synonyms among `tag_ids`."""
    synonyms = Tag.objects.filter(merger__isnull=False)
    if len(tag_ids) >= _WHOLE_TABLE_AT:
        wanted = set(tag_ids)
        return {tag: merger for tag, merger in synonyms.values_list("id", "merger_id") if tag in wanted}
    return {
        tag: merger
        for chunk in _chunks(tag_ids)
        for tag, merger in synonyms.filter(id__in=chunk).values_list("id", "merger_id")
    }


def _meta_closure(tag_ids: set[int]) -> dict[int, set[int]]:
    """Tag id -> all its meta tags, their meta tags and so on, for each of `tag_ids` that has any."""
    direct: dict[int, set[int]] = {}
    if len(tag_ids) >= _WHOLE_TABLE_AT:
        for sub, meta in MetaTagging.objects.values_list("sub_id", "meta_id"):
            direct.setdefault(sub, set()).add(meta)
    else:
        # One query per level of the meta tag tree, which is rarely more than three deep.
        frontier = sorted(tag_ids)
        seen = set(tag_ids)
        while frontier:
            found: set[int] = set()
            for chunk in _chunks(frontier):
                for sub, meta in MetaTagging.objects.filter(sub_id__in=chunk).values_list("sub_id", "meta_id"):
                    direct.setdefault(sub, set()).add(meta)
                    found.add(meta)
            frontier = sorted(found - seen)
            seen |= found
    closure: dict[int, set[int]] = {}

    def metas_of(tag: int, path: frozenset[int]) -> set[int]:
        if tag not in closure:
            result: set[int] = set()
            for meta in direct.get(tag, ()):
                if meta not in path:  # a cycle cannot be made through the services; never loop on one anyway
                    result |= {meta} | metas_of(meta, path | {meta})
            closure[tag] = result
        return closure[tag]

    return {tag: metas for tag in tag_ids if (metas := metas_of(tag, frozenset({tag})))}


def filter_tag_ids(tag_ids: Iterable[int]) -> dict[int, set[int]]:
    """Tag id -> the ids of the tags a work with that tag is found under (its filter tags).

    A canonical tag filters as itself, a synonym as its canonical tag, and either also as every meta tag above
    that canonical tag. A tag nobody has wrangled yet filters as itself.
    """
    ids = sorted(set(tag_ids))
    mergers = _mergers(ids)
    canonical_of = {tag: mergers.get(tag, tag) for tag in ids}
    metas = _meta_closure(set(canonical_of.values()))
    return {tag: {canonical} | metas.get(canonical, set()) for tag, canonical in canonical_of.items()}


def tags_filtered_under(tag_ids: Iterable[int]) -> set[int]:
    """These tags and every tag whose works are also found under them: synonyms and sub tags, all the way down."""
    found = set(tag_ids)
    frontier = set(found)
    while frontier:
        below = set(MetaTagging.objects.filter(meta_id__in=frontier).values_list("sub_id", flat=True))
        below |= set(Tag.objects.filter(merger_id__in=frontier).values_list("id", flat=True))
        frontier = below - found
        found |= frontier
    return found


def _fold(text: str) -> str:
    """Lower case, without accents, spaces or punctuation: "Pokémon" and "pokemon" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isalnum()).casefold()


def _match_keys(name: str, tag_type: str) -> set[str]:
    """The folded forms under which two names count as the same tag."""
    if tag_type == TagType.RELATIONSHIP:
        # "A/B" and "B/A" (and "A & B", "B & A") name one pairing, but "A/B" (romantic) and "A & B"
        # (platonic) do not, so the separator stays in the key.
        for separator in ("/", "&"):
            people = [_fold(part) for part in name.split(separator)]
            if len(people) > 1 and all(people):
                return {separator + "|".join(sorted(people))}
    key = _fold(name)
    return {key} if key else set()


def tag_suggest_canonical(*, tag: Tag) -> Tag | None:
    """The canonical tag `tag` is most likely a synonym of, or None.

    A match is a canonical tag of the same type, or a synonym of one, whose name differs only in case,
    accents, spacing, punctuation or (for relationships) the order of the people in it. A direct match on a
    canonical tag wins over one through a synonym.
    """
    if tag.canonical:
        return None
    if tag.merger_id is not None:
        return tag.merger
    keys = _match_keys(tag.name, tag.type)
    if not keys:
        return None
    same_type = Tag.objects.filter(type=tag.type).exclude(id=tag.id).order_by("id")
    for tag_id, name in same_type.filter(canonical=True).values_list("id", "name").iterator():
        if keys & _match_keys(name, tag.type):
            return Tag.objects.get(id=tag_id)
    synonyms = same_type.filter(merger__isnull=False, merger__canonical=True)
    for merger_id, name in synonyms.values_list("merger_id", "name").iterator():
        if keys & _match_keys(name, tag.type):
            return Tag.objects.get(id=merger_id)
    return None
