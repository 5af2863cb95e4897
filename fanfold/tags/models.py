"""Tags of every type: the fixed ratings, warnings and categories, and the ones creators type."""

import functools
import unicodedata
from urllib.parse import quote

from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS


class TagType(models.TextChoices):
    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"


FIXED_TYPES = (TagType.RATING, TagType.WARNING, TagType.CATEGORY)
USER_TYPES = (TagType.FANDOM, TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM)

# The fixed tags, in display order. Ratings run from least to most adult after "Not Rated".
RATINGS = ["Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]
ADULT_RATINGS = {"Not Rated", "Mature", "Explicit"}
RATING_SYMBOLS = {
    "Not Rated": "NR",
    "General Audiences": "G",
    "Teen And Up Audiences": "T",
    "Mature": "M",
    "Explicit": "E",
}
WARNINGS = [
    "Creator Chose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
]
CATEGORIES = ["Gen", "F/M", "M/M", "F/F", "Multi", "Other"]
FIXED_TAGS = {TagType.RATING: RATINGS, TagType.WARNING: WARNINGS, TagType.CATEGORY: CATEGORIES}


def normalize_name(name: str) -> str:
    """NFC, single spaces, trimmed: the form a tag name is stored in."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def name_key(name: str) -> str:
    """The key two names share when they are the same tag (case-insensitive)."""
    return normalize_name(name).casefold()


# Tag names may hold characters that cannot sit in a URL path segment; AO3 writes them as *x* escapes,
# and "*" itself is refused in tag names, so the escapes cannot collide with a real name.
_URL_ESCAPES = {"/": "*s*", "&": "*a*", ".": "*d*", "?": "*q*", "#": "*h*"}


def tag_name_to_url(name: str) -> str:
    for char, escape in _URL_ESCAPES.items():
        name = name.replace(char, escape)
    return name


def tag_name_from_url(value: str) -> str:
    for char, escape in _URL_ESCAPES.items():
        value = value.replace(escape, char)
    return value


_URL_PLACEHOLDER = "TAGNAMEPLACEHOLDER"


@functools.lru_cache(maxsize=8)
def _tag_url_template(script_prefix: str) -> str:
    return reverse("tags:works", kwargs={"name": _URL_PLACEHOLDER})


class Tag(models.Model):
    name = models.CharField(max_length=150)
    # Unique across types, as on AO3: one name is one tag.
    key = models.CharField(max_length=150, unique=True, editable=False)
    type = models.CharField(max_length=16, choices=TagType.choices, db_index=True)
    canonical = models.BooleanField(default=False)
    # A synonym filters as the canonical tag it points at.
    merger = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="synonyms")
    # A work tagged with a sub tag is also found under its meta tags ("Harry Potter - J. K. Rowling" under
    # "Wizarding World"). Both ends are canonical tags of one type.
    sub_tags = models.ManyToManyField(
        "self",
        through="MetaTagging",
        through_fields=("meta", "sub"),
        symmetrical=False,
        related_name="meta_tags",
        blank=True,
    )
    # The fandoms a character, relationship or additional tag belongs to.
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="children",
        blank=True,
        limit_choices_to={"type": TagType.FANDOM, "canonical": True},
    )
    # Looked at by a wrangler and left alone: it will not be made canonical or a synonym.
    unwrangleable = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "name"]
        permissions = [("wrangle_tags", "Can wrangle tags (tag wrangler)")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return tag_url(self.name)

    @property
    def is_fixed(self) -> bool:
        return self.type in FIXED_TYPES


def tag_url(name: str) -> str:
    """The tag page of the tag called `name`: what reverse() gives, without its cost (a listing page links a
    few hundred tags)."""
    return _tag_url(get_script_prefix(), name)


@functools.lru_cache(maxsize=65_536)
def _tag_url(script_prefix: str, name: str) -> str:
    quoted = quote(tag_name_to_url(name), safe=RFC3986_SUBDELIMS + "/~:@")
    return _tag_url_template(script_prefix).replace(_URL_PLACEHOLDER, quoted)


class MetaTagging(models.Model):
    """`meta` is a broader canonical tag that `sub` is also found under."""

    meta = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="sub_taggings")
    sub = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="meta_taggings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meta", "sub"], name="unique_meta_tagging"),
            models.CheckConstraint(condition=~models.Q(meta=models.F("sub")), name="meta_tagging_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.sub} < {self.meta}"
