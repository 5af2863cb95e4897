"""Template access to a tag's wrangled relations, read in a fixed number of queries."""

from django import template

from fanfold.tags.selectors import tag_relations as select_tag_relations

register = template.Library()


@register.simple_tag
def tag_relations(tag) -> dict:
    return select_tag_relations(tag)
