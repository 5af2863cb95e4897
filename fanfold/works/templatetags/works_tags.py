"""Small display helpers for blurbs and work pages."""

from django import template

from fanfold.tags.models import RATING_SYMBOLS

register = template.Library()

_RATING_CLASSES = {
    "General Audiences": "rating-general",
    "Teen And Up Audiences": "rating-teen",
    "Mature": "rating-mature",
    "Explicit": "rating-explicit",
    "Not Rated": "rating-notrated",
}


@register.filter
def rating_symbol(tag) -> str:
    return RATING_SYMBOLS.get(getattr(tag, "name", ""), "?")


@register.filter
def rating_class(tag) -> str:
    return _RATING_CLASSES.get(getattr(tag, "name", ""), "rating-notrated")


@register.filter
def warning_symbol(warnings) -> str:
    names = {tag.name for tag in warnings}
    if "Creator Chose Not To Use Archive Warnings" in names:
        return "CW"
    if names - {"No Archive Warnings Apply"}:
        return "!"
    return "—"


@register.filter
def category_symbol(categories) -> str:
    if not categories:
        return "—"
    if len(categories) > 1:
        return "Multi"
    return categories[0].name
