"""Creating and finding tags by name."""

from django.core.exceptions import ValidationError

from fanfold.tags.models import FIXED_TYPES, Tag, TagType, name_key, normalize_name

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
    """
    errors = tag_name_errors(name)
    if errors:
        raise ValidationError(errors)
    name = normalize_name(name)
    tag = Tag.objects.filter(key=name_key(name)).first()
    if tag is not None:
        if tag.type != type and tag.type in FIXED_TYPES:
            raise ValidationError(
                f"“{tag.name}” is a {tag.get_type_display().lower()}; choose it from that list instead."
            )
        return tag
    if type in FIXED_TYPES:
        raise ValidationError(f"“{name}” is not one of the archive's {TagType(type).label.lower()}s.")
    return Tag.objects.create(name=name, type=type)


def fixed_tags(type: str) -> list[Tag]:
    return list(Tag.objects.filter(type=type).order_by("sort_order"))
