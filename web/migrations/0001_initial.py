from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the content version model from insights; its table stays as it is."""

    initial = True

    dependencies = [
        ("insights", "0003_content_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContentVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token", models.CharField(max_length=32)),
                    ],
                    options={
                        "verbose_name": "content version",
                        "db_table": "insights_contentversion",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
