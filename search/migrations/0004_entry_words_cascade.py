# The words' foreign key deletes them with their entry, in the database (the model
# says DO_NOTHING, so that Django deletes entries in one statement, without reading
# them first). A migration of its own: Django creates 0003's foreign key at its end.

from django.db import migrations


def cascade_in_the_database(apps, schema_editor):
    """The words' foreign key deletes them with their entry (the model says
    DO_NOTHING, so that Django deletes entries in one statement). PostgreSQL only:
    on SQLite the table stays empty."""
    if schema_editor.connection.vendor != 'postgresql':
        return
    schema_editor.execute(
        """DO $$
        DECLARE name text;
        BEGIN
            SELECT conname INTO name FROM pg_constraint
            WHERE conrelid = 'search_entrywords'::regclass AND contype = 'f';
            EXECUTE 'ALTER TABLE search_entrywords DROP CONSTRAINT ' || quote_ident(name);
        END $$"""
    )
    schema_editor.execute(
        "ALTER TABLE search_entrywords ADD CONSTRAINT search_entrywords_entry_cascade "
        "FOREIGN KEY (entry_id) REFERENCES search_searchentry (id) ON DELETE CASCADE "
        "DEFERRABLE INITIALLY DEFERRED"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0003_entry_words'),
    ]

    operations = [
        migrations.RunPython(cascade_in_the_database, migrations.RunPython.noop),
    ]
