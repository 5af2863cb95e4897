"""Template access to a tag's wrangled relations, read in a fixed number of queries, and to who may wrangle."""

from django import template

from fanfold.tags.selectors import tag_relations as select_tag_relations
from fanfold.tags.selectors import user_can_wrangle

register = template.Library()


@register.simple_tag
def tag_relations(tag) -> dict:
    return select_tag_relations(tag)


@register.simple_tag
def can_wrangle(user) -> bool:
    return user_can_wrangle(user)
