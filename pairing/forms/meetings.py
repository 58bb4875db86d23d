"""Forms for meeting times: proposing up to three, and saying which suit."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from pairing import slots
from pairing.models import MeetingOption, MeetingProposal
from programs.forms.fields import MAX_ID

SLOTS = range(1, MeetingProposal.MAX_OPTIONS + 1)
# A next meeting further off than this is no next meeting (and far dates would overflow
# the conversion to UTC).
HORIZON = timedelta(days=366)


class MeetingProposeForm(forms.Form):
    """A length and one to three times, each a date and a wall-clock time in the
    proposer's own zone; cleaned_data["starts"] holds them as UTC instants."""

    minutes = forms.TypedChoiceField(
        label="Length",
        choices=[
            (15, "15 minutes"),
            (30, "30 minutes"),
            (45, "45 minutes"),
            (60, "1 hour"),
            (90, "1½ hours"),
            (120, "2 hours"),
        ],
        coerce=int,
        initial=60,
    )

    def __init__(self, *args, zone: ZoneInfo, now: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now or timezone.now()
        for n in SLOTS:
            self.fields[f"day_{n}"] = forms.DateField(
                label=f"Time {n}: date",
                required=n == 1,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"time_{n}"] = forms.TimeField(
                label=f"Time {n}: time",
                required=n == 1,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def clean(self):
        cleaned = super().clean()
        starts: list[datetime] = []
        for n in SLOTS:
            day, at = cleaned.get(f"day_{n}"), cleaned.get(f"time_{n}")
            if f"day_{n}" in self.errors or f"time_{n}" in self.errors:
                continue
            if day is None and at is None:
                continue
            if day is None or at is None:
                missing = f"day_{n}" if day is None else f"time_{n}"
                self.add_error(missing, "Give both the date and the time.")
                continue
            if day > (self.now + HORIZON).date():
                self.add_error(f"day_{n}", "Propose a time within the next year.")
                continue
            start = slots.local_instant(day, at, self.zone)
            if start is None:
                self.add_error(
                    f"time_{n}", "That time does not exist that day: the clocks go forward."
                )
            elif start <= self.now:
                self.add_error(f"time_{n}", "This time has passed; propose a future one.")
            elif start in starts:
                self.add_error(f"time_{n}", "This is the same time as an earlier one.")
            else:
                starts.append(start)
        cleaned["starts"] = starts
        return cleaned


class _OptionField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self, value):
        # Ids a database cannot hold are no option, not an overflow in the query.
        for pk in value or ():
            if not str(pk).isdigit() or not 1 <= int(pk) <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)

    def label_from_instance(self, obj: MeetingOption) -> str:
        return f"{timezone.localtime(obj.starts_at, self.zone):%A %-d %B %Y, %H:%M}"


class MeetingAnswerForm(forms.Form):
    """The times that suit the person answering (none is an answer too)."""

    def __init__(self, *args, proposal: MeetingProposal, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suits"] = _OptionField(
            queryset=proposal.options.all(),
            zone=zone,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="The times that suit you",
        )
