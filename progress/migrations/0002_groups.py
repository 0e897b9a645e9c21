from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["commitment", "update", "evidence", "contributor"]
# What a partner contributor may do in the admin; the admin narrows it further
# to the commitments of their own organisations.
CONTRIBUTOR_PERMISSIONS = [
    "view_commitment",
    "change_commitment",
    "view_update",
    "add_update",
    "view_evidence",
    "add_evidence",
]
CONTRIBUTORS = "Partner contributors"


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    every = Permission.objects.filter(
        content_type__app_label="progress", content_type__model__in=MODELS
    )
    for name in ("Editors", "Publishers"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*every)
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTORS)
    contributors.permissions.set(every.filter(codename__in=CONTRIBUTOR_PERMISSIONS))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CONTRIBUTORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0001_initial"),
        ("workinggroups", "0004_publishers_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
