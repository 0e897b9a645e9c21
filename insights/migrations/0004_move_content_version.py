from django.db import migrations


class Migration(migrations.Migration):
    """The content version model now belongs to the web app (same table)."""

    dependencies = [
        ("insights", "0003_content_version"),
        ("web", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ContentVersion")],
            database_operations=[],
        ),
    ]
