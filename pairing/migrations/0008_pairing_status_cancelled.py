from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0007_reminder_claim_token_doubted_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pairing",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed"),
                    ("accepted", "Accepted (starts later)"),
                    ("active", "Active"),
                    ("declined", "Declined"),
                    ("expired", "Expired"),
                    ("ended", "Ended"),
                    ("cancelled", "Cancelled"),
                ],
                default="proposed",
                max_length=10,
            ),
        ),
    ]
