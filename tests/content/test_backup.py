import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from content.management.commands.restore_content import backed_up_models
from insights.models import Consultation, Status
from search.models import SearchEntry
from tests.factories import make_consultation, make_group, make_output, make_part
from workinggroups.models import Output

PASSWORD = "a-long-editor-passphrase"


def comparable(related):
    # Content types and permissions are rebuilt by migrate, possibly with other ids.
    if isinstance(related, ContentType | Permission):
        return related.natural_key()
    return related.pk


def snapshot():
    """Every row of every backed-up table: each field's value and each M2M link."""
    tables = {}
    for model in backed_up_models():
        rows = {}
        for obj in model._default_manager.order_by("pk"):
            row = {}
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in (ContentType, Permission):
                    row[field.name] = comparable(getattr(obj, field.name))
                else:
                    row[field.name] = getattr(obj, field.attname)
            for field in model._meta.many_to_many:
                row[field.name] = sorted(comparable(o) for o in getattr(obj, field.name).all())
            rows[obj.pk] = row
        tables[model._meta.label] = rows
    return tables


def empty_database(settings):
    """Leave what `migrate` alone leaves: no content, no users, the groups it creates."""
    settings.SIMPLE_HISTORY_ENABLED = False
    for model in backed_up_models():
        if model is not Group:
            model._default_manager.all().delete()
    settings.SIMPLE_HISTORY_ENABLED = True


@pytest.fixture
def site_with_drafts_and_editors(paper, editor):
    draft = make_consultation(title="Unpublished findings", status=Status.DRAFT)
    group = make_group(make_part(draft))
    make_output(group, text="A draft output", tags=["embargoed"])
    editor.groups.add(Group.objects.get(name="Publishers"))
    return draft


def test_a_backup_restores_every_row_of_every_table(
    site_with_drafts_and_editors, settings, tmp_path
):
    before = snapshot()
    searchable = SearchEntry.objects.count()
    backup = tmp_path / "backup.xml.gz"
    call_command("backup_content", str(backup))
    empty_database(settings)
    assert not Consultation.objects.exists()

    call_command("restore_content", str(backup))

    assert snapshot() == before
    assert SearchEntry.objects.count() == searchable
    draft = Consultation.objects.get(title="Unpublished findings")
    assert draft.status == Status.DRAFT
    assert list(Output.objects.get(text="A draft output").tags.names()) == ["embargoed"]
    editor = User.objects.get(username="edna")
    assert editor.check_password(PASSWORD)
    assert set(editor.groups.values_list("name", flat=True)) == {"Editors", "Publishers"}
    assert before["insights.Consultation"]
    assert before["workinggroups.HistoricalOutput"]


def test_a_restore_refuses_a_database_that_has_content(paper, tmp_path):
    backup = tmp_path / "backup.xml"
    call_command("backup_content", str(backup))
    paper.title = "Edited since the backup"
    paper.save()

    with pytest.raises(CommandError, match=r"not empty \(rows in .*insights\.Consultation"):
        call_command("restore_content", str(backup))

    paper.refresh_from_db()
    assert paper.title == "Edited since the backup"


def test_a_forced_restore_puts_backed_up_rows_back_over_edits(paper, tmp_path):
    title = paper.title
    backup = tmp_path / "backup.xml"
    call_command("backup_content", str(backup))
    paper.title = "Edited since the backup"
    paper.save()

    call_command("restore_content", str(backup), force=True)

    paper.refresh_from_db()
    assert paper.title == title


def test_a_backup_leaves_out_kept_counts(client, paper, tmp_path):
    from web.models import KeptCount

    client.get("/actions/")
    assert KeptCount.objects.exists()
    backup = tmp_path / "backup.xml"
    call_command("backup_content", str(backup))
    assert "web.keptcount" not in backup.read_text()
