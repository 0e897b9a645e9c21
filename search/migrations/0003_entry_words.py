# PostgreSQL: each entry's weighted words move from the entries' table to a narrow
# table of their own (EntryWords), with copies of the columns a match is filtered
# and ordered by, so that a common word's match scans vectors, not the text shown.

from importlib import import_module

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The RemoveField below makes Django rebuild the entries' table on SQLite, which
# drops the triggers that keep the FTS5 table in step (see 0001): create them again,
# as 0002 did (its statements, which a migration never changes, are reused here).
TRIGGERS = import_module("search.migrations.0002_partners_and_themes").TRIGGERS

OLD_GIN = django.contrib.postgres.indexes.GinIndex(
    fields=['search_vector'], name='search_entry_vector'
)
NEW_GIN = django.contrib.postgres.indexes.GinIndex(fields=['vector'], name='search_words_vector')


def recreate_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == 'sqlite':
        for statement in TRIGGERS:
            schema_editor.execute(statement)


def move_words(apps, schema_editor):
    """Copy the vectors out and index them (PostgreSQL only: SQLite has FTS5)."""
    if schema_editor.connection.vendor == 'sqlite':
        # 0002's rebuild of the table made a plain index of 0001's GIN index.
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")
    if schema_editor.connection.vendor != 'postgresql':
        return
    schema_editor.execute(
        "INSERT INTO search_entrywords (entry_id, kind, object_id, is_public, reference, vector) "
        "SELECT id, kind, object_id, is_public, reference, search_vector "
        "FROM search_searchentry WHERE search_vector IS NOT NULL"
    )
    schema_editor.add_index(apps.get_model('search', 'EntryWords'), NEW_GIN)
    schema_editor.remove_index(apps.get_model('search', 'SearchEntry'), OLD_GIN)


def move_words_back(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    schema_editor.add_index(apps.get_model('search', 'SearchEntry'), OLD_GIN)
    schema_editor.remove_index(apps.get_model('search', 'EntryWords'), NEW_GIN)
    schema_editor.execute(
        "UPDATE search_searchentry SET search_vector = words.vector "
        "FROM search_entrywords AS words WHERE words.entry_id = search_searchentry.id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_partners_and_themes'),
    ]

    operations = [
        migrations.CreateModel(
            name='EntryWords',
            fields=[
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='words', serialize=False, to='search.searchentry')),
                ('kind', models.CharField(choices=[('consultation', 'Consultations'), ('briefing', 'Insight briefings'), ('working_group', 'Working groups'), ('output', 'Actions'), ('organisation', 'Partners'), ('theme', 'Themes')], max_length=20)),
                ('object_id', models.PositiveBigIntegerField()),
                ('is_public', models.BooleanField(default=False)),
                ('reference', models.CharField(blank=True, max_length=60)),
                ('vector', django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                'verbose_name_plural': 'entry words',
                'indexes': [models.Index(fields=['kind', 'object_id'], name='search_words_object')],
            },
        ),
        # The GIN indexes exist on PostgreSQL only (as in 0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name='entrywords', index=NEW_GIN),
                migrations.RemoveIndex(model_name='searchentry', name='search_entry_vector'),
            ],
            database_operations=[migrations.RunPython(move_words, move_words_back)],
        ),
        migrations.RemoveField(
            model_name='searchentry',
            name='search_vector',
        ),
        migrations.RunPython(recreate_triggers, recreate_triggers),
    ]
