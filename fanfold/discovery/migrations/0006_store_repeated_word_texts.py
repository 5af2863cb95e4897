from django.db import migrations


def store_texts_with_repeated_words(apps, schema_editor):
    """PostgreSQL only kept the first 255 positions of a word in a text, so a phrase at a later one went
    unfound. Texts are now cut before that; store again the works of every text stored before that holds a
    word more often. SQLite keeps every position: nothing to do there."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from fanfold.discovery.fulltext import repeats_too_often, store_search_texts

    # Word texts only: a pair token is never more often in its pair text than its first word in the word text,
    # and the `0` between runs of pairs, which may be, is never searched.
    texts = apps.get_model("discovery", "SearchText").objects.exclude(field__endswith="~")
    texts = texts.order_by("id").values_list("work_id", "words")
    affected = set()
    for work_id, words in texts.iterator(chunk_size=2_000):
        if work_id in affected:
            continue
        if repeats_too_often(words.split()):
            affected.add(work_id)
    if affected:
        store_search_texts(sorted(affected))


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0005_store_pair_texts"),
    ]

    operations = [
        migrations.RunPython(store_texts_with_repeated_words, migrations.RunPython.noop),
    ]
