from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE discovery_searchtext_fts USING fts5("
    "words, content='discovery_searchtext', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER discovery_searchtext_ai AFTER INSERT ON discovery_searchtext BEGIN "
    "INSERT INTO discovery_searchtext_fts(rowid, words) VALUES (new.id, new.words); END",
    "CREATE TRIGGER discovery_searchtext_ad AFTER DELETE ON discovery_searchtext BEGIN "
    "INSERT INTO discovery_searchtext_fts(discovery_searchtext_fts, rowid, words) "
    "VALUES ('delete', old.id, old.words); END",
    "CREATE TRIGGER discovery_searchtext_au AFTER UPDATE ON discovery_searchtext BEGIN "
    "INSERT INTO discovery_searchtext_fts(discovery_searchtext_fts, rowid, words) "
    "VALUES ('delete', old.id, old.words); "
    "INSERT INTO discovery_searchtext_fts(rowid, words) VALUES (new.id, new.words); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS discovery_searchtext_au",
    "DROP TRIGGER IF EXISTS discovery_searchtext_ad",
    "DROP TRIGGER IF EXISTS discovery_searchtext_ai",
    "DROP TABLE IF EXISTS discovery_searchtext_fts",
]
POSTGRESQL = [
    "ALTER TABLE discovery_searchtext ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, words)) STORED",
    "CREATE INDEX discovery_searchtext_tsv ON discovery_searchtext USING gin (tsv)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS discovery_searchtext_tsv",
    "ALTER TABLE discovery_searchtext DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchText",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("work_id", models.BigIntegerField(db_index=True)),
                ("field", models.CharField(max_length=10)),
                ("words", models.TextField()),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
