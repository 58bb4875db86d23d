from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_audit_person_erased"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created the programme"),
                    ("settings_changed", "Changed settings"),
                    ("participant_added", "Added a participant"),
                    ("participant_changed", "Changed a participant"),
                    ("participant_withdrawn", "Withdrew a participant"),
                    ("participant_left", "Left the programme"),
                    ("proposal_cancelled", "Cancelled a proposal"),
                    ("proposal_reassigned", "Reassigned a proposal"),
                    ("imported", "Imported participants"),
                    ("matching_run", "Ran matching"),
                    ("pair_pinned", "Pinned a pair"),
                    ("pair_removed", "Removed a proposed pair"),
                    ("published", "Published proposals"),
                    ("invited", "Sent invitations"),
                    ("admin_added", "Added an admin"),
                    ("admin_removed", "Removed an admin"),
                    ("person_changed", "Changed a person"),
                    ("people_imported", "Imported the directory"),
                    ("people_left", "Marked as leavers"),
                    ("person_returned", "Marked as back"),
                    ("people_admin_added", "Added a people admin"),
                    ("people_admin_removed", "Removed a people admin"),
                    ("person_erased", "Erased a person"),
                    ("admin_site_added", "Added in the Django admin"),
                    ("admin_site_changed", "Changed in the Django admin"),
                    ("admin_site_deleted", "Deleted in the Django admin"),
                ],
                max_length=30,
            ),
        ),
    ]
