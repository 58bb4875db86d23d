from django import forms

from programs.models import Employee


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = ["optional_emails", "time_zone"]
        labels = {
            "optional_emails": "Send me reminders (check-ins, surveys)",
            "time_zone": "My time zone",
        }
        help_texts = {
            "optional_emails": "Proposals waiting for your answer are always emailed.",
            "time_zone": "Reminders arrive at 09:00 here on the day they are due.",
        }
