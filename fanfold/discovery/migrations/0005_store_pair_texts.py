from django.db import migrations


def store_search_texts_again(apps, schema_editor):
    """Search texts stored before this migration may have no pair texts and no word bitmaps: store every
    work's again (nothing to do on a new database). Derived data, so this uses the search code itself, which
    needs every table up to this migration."""
    from fanfold.discovery.fulltext import store_search_texts

    work_ids = list(apps.get_model("works", "Work").objects.values_list("id", flat=True))
    if work_ids:
        store_search_texts(work_ids)


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0004_frequent_words"),
        ("works", "0001_initial"),
        ("tags", "0003_wrangling"),
        ("accounts", "0002_mute_tagexclusion"),
    ]

    operations = [
        migrations.RunPython(store_search_texts_again, migrations.RunPython.noop),
    ]
