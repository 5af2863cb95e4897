from django.db import migrations


def create_pair_buckets(apps, schema_editor):
    """PostgreSQL: the function hashing a text's pairs of words into buckets, and its index. Building the
    index reads every stored text (about ten minutes per 100,000 works with their chapters)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from fanfold.discovery.fulltext import pair_buckets_sql

    for statement in pair_buckets_sql():
        schema_editor.execute(statement)


def drop_pair_buckets(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from fanfold.discovery.fulltext import PAIR_BUCKET_INDEX

    schema_editor.execute(f"DROP INDEX IF EXISTS {PAIR_BUCKET_INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS fanfold_pair_buckets(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0006_store_repeated_word_texts"),
    ]

    operations = [
        migrations.RunPython(create_pair_buckets, drop_pair_buckets),
    ]
