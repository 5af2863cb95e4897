from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_fixed_tags(sender, using="default", **kwargs) -> None:
    """Make sure the ratings, warnings and categories exist (again, after a test flushes the database)."""
    from fanfold.tags.models import FIXED_TAGS, Tag, name_key

    for tag_type, names in FIXED_TAGS.items():
        for order, name in enumerate(names):
            Tag.objects.using(using).update_or_create(
                key=name_key(name),
                defaults={"name": name, "type": tag_type, "canonical": True, "sort_order": order},
            )


class TagsConfig(AppConfig):
    name = "fanfold.tags"

    def ready(self) -> None:
        post_migrate.connect(ensure_fixed_tags, sender=self)
