from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISH = "publish_recurringfinding"


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = Permission.objects.filter(content_type__app_label="recurring")
    # Editors curate recurring findings; only Publishers put them in front of the public.
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*every.exclude(codename=PUBLISH))
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(*every)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="recurring"))


class Migration(migrations.Migration):
    dependencies = [
        ("recurring", "0001_initial"),
        ("workinggroups", "0004_publishers_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
