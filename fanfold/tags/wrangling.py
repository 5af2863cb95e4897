"""Tag wrangling: canonical tags, synonyms, meta and sub tags, parent fandoms, renames. Each is one transaction.

Every change notes the works it can move in listings, so the discovery index re-reads them.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from fanfold.bookmarks.services import bookmarks_refile
from fanfold.discovery.services import record_work_changes, search_text_refresh
from fanfold.tags.models import MetaTagging, Tag, TagType, name_key, normalize_name
from fanfold.tags.services import tag_name_errors, tags_filtered_under

PARENTED_TYPES = (TagType.CHARACTER, TagType.RELATIONSHIP, TagType.FREEFORM)


def _names(tags: Iterable[Tag]) -> str:
    return ", ".join(f"“{tag.name}”" for tag in tags)


def _type_label(tag: Tag) -> str:
    """ "a character", "an additional tag": the tag's type as it reads in a sentence."""
    label = tag.get_type_display().lower().removesuffix("s")
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _refuse_fixed(*tags: Tag) -> None:
    for tag in tags:
        if tag.is_fixed:
            raise ValidationError(f"“{tag.name}” is one of the archive's fixed tags and cannot be wrangled.")


def _refuse_other_type(tag: Tag, other: Tag, what: str) -> None:
    if tag.type != other.type:
        raise ValidationError(f"“{tag.name}” is {_type_label(tag)} and “{other.name}” is {_type_label(other)}; {what}.")


def work_ids_under(tag_ids: Iterable[int]) -> set[int]:
    """The works found under these tags: tagged with them or with a synonym or sub tag of them."""
    through = Tag.works.through
    return set(through.objects.filter(tag_id__in=tags_filtered_under(tag_ids)).values_list("work_id", flat=True))


def _record_changes(work_ids: set[int]) -> None:
    if work_ids:
        record_work_changes(work_ids)
        # Works are found by the names of the tags they are filtered under, which wrangling just changed.
        search_text_refresh(work_ids=work_ids, fields=["tag"])


def _set_standing(tag: Tag, *, canonical: bool, merger: Tag | None) -> Tag:
    """Make `tag` canonical or a synonym, and have the index re-read the works filed under it."""
    affected = work_ids_under([tag.id])
    tag.canonical = canonical
    tag.merger = merger
    tag.unwrangleable = False
    tag.save(update_fields=["canonical", "merger", "unwrangleable"])
    _record_changes(affected)
    bookmarks_refile(tag_ids=[tag.id])
    return tag


@transaction.atomic
def tag_make_canonical(*, tag: Tag) -> Tag:
    """Make `tag` canonical. A synonym stops being one and becomes its own canonical tag."""
    tag.refresh_from_db()
    _refuse_fixed(tag)
    if tag.canonical:
        raise ValidationError(f"“{tag.name}” is already canonical.")
    return _set_standing(tag, canonical=True, merger=None)


@transaction.atomic
def tag_make_synonym(*, tag: Tag, canonical: Tag) -> Tag:
    """Make `tag` a synonym of `canonical`: its works are then found under `canonical`."""
    tag.refresh_from_db()
    canonical.refresh_from_db()
    _refuse_fixed(tag, canonical)
    if tag.id == canonical.id:
        raise ValidationError(f"“{tag.name}” cannot be a synonym of itself.")
    if not canonical.canonical:
        raise ValidationError(
            f"“{canonical.name}” is not canonical; a tag can only be made a synonym of a canonical tag."
        )
    _refuse_other_type(tag, canonical, "a synonym must be of the same type as its canonical tag")
    synonyms = list(tag.synonyms.order_by("name"))
    if synonyms:
        raise ValidationError(
            f"“{tag.name}” has synonyms ({_names(synonyms)}); make them synonyms of “{canonical.name}” first."
        )
    sub_tags = list(tag.sub_tags.order_by("name"))
    if sub_tags:
        raise ValidationError(
            f"“{tag.name}” has sub tags ({_names(sub_tags)}); move them to “{canonical.name}” or remove them first."
        )
    meta_tags = list(tag.meta_tags.order_by("name"))
    if meta_tags:
        raise ValidationError(f"“{tag.name}” is a sub tag of {_names(meta_tags)}; remove it from them first.")
    return _set_standing(tag, canonical=False, merger=canonical)


@transaction.atomic
def tag_set_unwrangleable(*, tag: Tag, unwrangleable: bool) -> Tag:
    """Mark `tag` as looked at and left alone (or take the mark off again)."""
    tag.refresh_from_db()
    _refuse_fixed(tag)
    if unwrangleable and tag.canonical:
        raise ValidationError(f"“{tag.name}” is canonical; a canonical tag cannot be unwrangleable.")
    if unwrangleable and tag.merger_id is not None:
        raise ValidationError(f"“{tag.name}” is a synonym of “{tag.merger.name}”; a synonym cannot be unwrangleable.")
    tag.unwrangleable = unwrangleable
    tag.save(update_fields=["unwrangleable"])
    _record_changes(work_ids_under([tag.id]))
    return tag


@transaction.atomic
def tag_add_sub_tag(*, meta: Tag, sub: Tag) -> MetaTagging:
    """File `sub` under `meta`: works found under `sub` are then also found under `meta`."""
    meta.refresh_from_db()
    sub.refresh_from_db()
    _refuse_fixed(meta, sub)
    if meta.id == sub.id:
        raise ValidationError(f"“{meta.name}” cannot be a sub tag of itself.")
    for tag in (meta, sub):
        if not tag.canonical:
            raise ValidationError(f"“{tag.name}” is not canonical; meta and sub tags must both be canonical.")
    _refuse_other_type(meta, sub, "a meta tag and its sub tags must be of the same type")
    if MetaTagging.objects.filter(meta=meta, sub=sub).exists():
        raise ValidationError(f"“{sub.name}” is already a sub tag of “{meta.name}”.")
    if meta.id in tags_filtered_under([sub.id]):
        raise ValidationError(
            f"“{meta.name}” is already below “{sub.name}”; making it a meta tag of “{sub.name}” would make a loop."
        )
    meta_tagging = MetaTagging.objects.create(meta=meta, sub=sub)
    _record_changes(work_ids_under([sub.id]))
    bookmarks_refile(tag_ids=[sub.id])
    return meta_tagging


@transaction.atomic
def tag_remove_sub_tag(*, meta: Tag, sub: Tag) -> None:
    deleted, _ = MetaTagging.objects.filter(meta=meta, sub=sub).delete()
    if not deleted:
        raise ValidationError(f"“{sub.name}” is not a sub tag of “{meta.name}”.")
    _record_changes(work_ids_under([sub.id]))
    bookmarks_refile(tag_ids=[sub.id])


@transaction.atomic
def tag_add_parent(*, tag: Tag, fandom: Tag) -> None:
    """Put a character, relationship or additional tag in a fandom."""
    tag.refresh_from_db()
    fandom.refresh_from_db()
    _refuse_fixed(tag)
    if tag.type not in PARENTED_TYPES:
        raise ValidationError(
            f"“{tag.name}” is {_type_label(tag)}; only characters, relationships and additional tags "
            "have parent fandoms."
        )
    if fandom.type != TagType.FANDOM:
        raise ValidationError(f"“{fandom.name}” is {_type_label(fandom)}, not a fandom.")
    if not fandom.canonical:
        raise ValidationError(f"“{fandom.name}” is not canonical; a parent fandom must be a canonical fandom.")
    if tag.parents.filter(id=fandom.id).exists():
        raise ValidationError(f"“{tag.name}” is already in the fandom “{fandom.name}”.")
    tag.parents.add(fandom)
    _record_changes(work_ids_under([tag.id]))


@transaction.atomic
def tag_remove_parent(*, tag: Tag, fandom: Tag) -> None:
    if not tag.parents.filter(id=fandom.id).exists():
        raise ValidationError(f"“{tag.name}” is not in the fandom “{fandom.name}”.")
    tag.parents.remove(fandom)
    _record_changes(work_ids_under([tag.id]))


@transaction.atomic
def tag_rename(*, tag: Tag, name: str) -> Tag:
    """Correct a tag's case or spelling; everything tagged with it shows the new name."""
    tag.refresh_from_db()
    _refuse_fixed(tag)
    errors = tag_name_errors(name)
    if errors:
        raise ValidationError(errors)
    name = normalize_name(name)
    taken = Tag.objects.filter(key=name_key(name)).exclude(id=tag.id).first()
    if taken is not None:
        raise ValidationError(
            f"There is already {_type_label(taken)} called “{taken.name}”; "
            "make this tag its synonym instead of renaming it."
        )
    tag.name = name
    tag.save(update_fields=["name", "key"])
    _record_changes(work_ids_under([tag.id]))
    return tag
