"""Works posted before paragraphs were made beside HTML (one <hr> merged a chapter into one block) are laid
out again from their stored HTML, and drafts get their word counts."""

from django.db import migrations


def lay_out(apps, schema_editor):
    from fanfold.works.services import stored_texts_lay_out

    stored_texts_lay_out(work_model=apps.get_model("works", "Work"), chapter_model=apps.get_model("works", "Chapter"))


class Migration(migrations.Migration):
    dependencies = [("works", "0002_invitations_gifts_related_works")]

    operations = [migrations.RunPython(lay_out, migrations.RunPython.noop)]
