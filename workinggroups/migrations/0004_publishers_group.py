from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISH = "publish_consultation"


def create_publishers(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publish = Permission.objects.get(codename=PUBLISH, content_type__app_label="insights")
    editors, _ = Group.objects.get_or_create(name="Editors")
    # Editors take content to review; only Publishers put it in front of the public.
    editors.permissions.remove(publish)
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(*editors.permissions.all(), publish)


def remove_publishers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Publishers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workinggroups", "0003_history_and_versions"),
        ("insights", "0002_history_versions_publish_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_publishers, remove_publishers)]
