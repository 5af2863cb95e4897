from django.db import migrations, models


def install(apps, schema_editor):
    from fanfold.discovery.changelog import install_triggers

    install_triggers(schema_editor, apps.get_model("works", "Work"))


def uninstall(apps, schema_editor):
    from fanfold.discovery.changelog import drop_triggers

    drop_triggers(schema_editor, apps.get_model("works", "Work"))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS discovery_workchange_txid")
        schema_editor.execute("ALTER TABLE discovery_workchange DROP COLUMN IF EXISTS txid")


class Migration(migrations.Migration):
    """The database notes every change to a work's row itself; notes carry their kind (and, on PostgreSQL,
    their transaction), so counter changes are applied in place and late commits are never skipped."""

    dependencies = [
        ("discovery", "0007_pair_buckets"),
        ("works", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="workchange",
            name="kind",
            field=models.CharField(
                choices=[("work", "Anything a listing shows"), ("counts", "Counters only")],
                default="work",
                max_length=8,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
