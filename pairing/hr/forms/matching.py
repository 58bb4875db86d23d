"""Forms for the HR admin's matching run page: they validate, the services decide."""

from django import forms
from django.urls import reverse

from pairing.hr.selectors import PICK_SIDES, PickOption, pin_people, pin_role
from pairing.models import MatchRun
from programs.forms.fields import IdField
from programs.models import MAX_GROUP_SIZE, Participant, normalise_email

_ROLE_WORDS = {
    Participant.Role.MENTOR: ("mentor", "mentors"),
    Participant.Role.MENTEE: ("mentee", "mentees"),
    Participant.Role.PEER: ("peer", "peers"),
}


def _pick_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})


class PinForm(forms.Form):
    """Two people to force into the run, picked by name.

    Each field is a text input tied to a <datalist>: the browser suggests as HR types
    (without JavaScript too), htmx refreshes the suggestions from the whole programme
    (`matchrun_pick`), and a programme of thousands never renders thousands of options.
    A field takes a picked suggestion ("Name (email)"), an email, or a name that only one
    person of that role has; it is cleaned into the participant key the run services take.
    """

    first = forms.CharField(label="Mentor", max_length=320, widget=_pick_widget())
    second = forms.CharField(label="Mentee", max_length=320, widget=_pick_widget())

    def __init__(self, *args, run: MatchRun, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = run.program
        for side in PICK_SIDES:
            field = self.fields[side]
            many = _ROLE_WORDS[pin_role(program=self.program, side=side)][1]
            if self.program.is_peer:
                field.label = "First peer" if side == "first" else "Second peer"
            field.help_text = f"Type a name or email; the list suggests {many}."
            options = f"pin-{side}-options"
            field.widget.attrs.update(
                {
                    "list": options,
                    "hx-get": reverse("hr:matchrun_pick", args=[run.pk, side]),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": f"#{options}",
                    "hx-swap": "innerHTML",
                }
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        typed = {side: data[side].strip() for side in PICK_SIDES}
        emails = {side: PickOption.email_in(text) for side, text in typed.items()}
        found = pin_people(
            program=self.program,
            emails=[normalise_email(email) for email in emails.values() if email],
            names=[text for side, text in typed.items() if not emails[side]],
        )
        for side in PICK_SIDES:
            role = pin_role(program=self.program, side=side)
            if emails[side]:
                email = normalise_email(emails[side])
                keys = [key for key, address, _, _ in found if address == email]
                problem = f"Not in this programme: {email}."
            else:
                name = typed[side].casefold()
                keys = [k for k, _, n, r in found if n.casefold() == name and r == role]
                one, many = _ROLE_WORDS[role]
                problem = f"No {one} of this programme is called {typed[side]}."
                if len(keys) > 1:
                    problem = (
                        f"{len(keys)} {many} are called {typed[side]}: pick one from the list, "
                        "which shows their email."
                    )
            if len(keys) == 1:
                data[side] = keys[0]
            else:
                self.add_error(side, problem)
        return data


class PairForm(forms.Form):
    """A proposed pair of the run, by participant keys, as the remove buttons post it."""

    first = IdField(widget=forms.HiddenInput)
    second = IdField(widget=forms.HiddenInput)


class KeysField(forms.Field):
    """Participant keys posted as repeated hidden inputs (a group's members): at most a
    group's largest size and its mentor, so no post can send thousands."""

    widget = forms.MultipleHiddenInput
    most = MAX_GROUP_SIZE + 1

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError("Not a list of people.")
        try:
            keys = [int(item) for item in value]
        except (TypeError, ValueError):
            raise forms.ValidationError("Not a list of people.") from None
        if len(keys) > self.most or any(key < 1 for key in keys):
            raise forms.ValidationError("Not a list of people.")
        return [str(key) for key in keys]


class GroupForm(forms.Form):
    """A proposed group of the run, as its pin button posts it: everyone's key."""

    members = KeysField()


class GroupMemberForm(GroupForm):
    """One person of a proposed group, as their remove button posts it."""

    person = IdField(widget=forms.HiddenInput)
