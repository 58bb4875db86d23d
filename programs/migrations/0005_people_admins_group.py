from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "People admins"
# People admins work in the directory pages; these permissions also let them edit
# employees in the Django admin if a superuser gives them staff status.
PERMISSIONS = {"programs": ["employee"]}


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, models in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=models
            )
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_participant_capacity_at_most_50")]

    operations = [migrations.RunPython(create_group, remove_group)]
