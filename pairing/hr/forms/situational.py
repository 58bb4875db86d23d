"""The situational dashboard's period: from and to, two dates in the query string."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from pairing.hr.forms.programmes import ISO_DATE

# Nothing was booked before the product existed; a period far ahead is a typing slip.
EARLIEST = date(2020, 1, 1)
LATEST_AHEAD = timedelta(days=366)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    end = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )

    def _in_range(self, day: date) -> date:
        latest = timezone.localdate() + LATEST_AHEAD
        if not EARLIEST <= day <= latest:
            raise forms.ValidationError(
                f"Choose a date from {EARLIEST:%-d %B %Y} to {latest:%-d %B %Y}."
            )
        return day

    def clean_start(self):
        return self._in_range(self.cleaned_data["start"])

    def clean_end(self):
        return self._in_range(self.cleaned_data["end"])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The period cannot end before it starts.")
        return data
