"""Forms of the directory pages: the list's filters, one person's master data, and the
people admins group."""

from django import forms
from django.contrib.auth import get_user_model

from pairing.hr.forms.programmes import ParticipantImportForm
from programs.models import PEOPLE_ADMINS_GROUP, Employee, Level


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters, read from the query string."""

    STATUS_CHOICES = [
        ("current", "Current staff"),
        ("leavers", "Leavers"),
        ("everyone", "Everyone"),
    ]
    SIGNED_IN_CHOICES = [("", "Signed in or not"), ("yes", "Signed in"), ("no", "Never signed in")]

    q = forms.CharField(label="Search name or email", required=False, max_length=200)
    department = forms.ChoiceField(label="Department", required=False)
    level = forms.TypedChoiceField(
        label="Level", required=False, coerce=int, empty_value=None,
        choices=[("", "Any level"), *Level.choices],
    )  # fmt: skip
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)
    signed_in = forms.ChoiceField(label="Signed in", required=False, choices=SIGNED_IN_CHOICES)

    def __init__(self, *args, departments: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "Any department")] + [
            (name, name) for name in departments
        ]

    def filters(self) -> dict:
        """The cleaned filters for directory_people; current staff unless asked otherwise."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "department": data["department"],
            "level": data["level"],
            "status": data["status"] or "current",
            "signed_in": {"yes": True, "no": False}.get(data["signed_in"]),
        }


def _model_field(name: str, **overrides) -> forms.Field:
    # The model's own form field: its max_length, choices and validators, so the form
    # refuses what the database would.
    return Employee._meta.get_field(name).formfield(**overrides)


class PersonForm(forms.Form):
    """One person's master data as a people admin edits it. The manager is typed as an
    email; cleaned_data holds `manager` (an Employee or None) for the service."""

    name = _model_field("name")
    department = _model_field("department")
    title = _model_field("title")
    level = _model_field("level")
    manager_email = forms.EmailField(
        label="Manager's email",
        required=False,
        max_length=Employee._meta.get_field("email").max_length,
        help_text="Someone already in the directory; leave blank for no manager.",
    )
    time_zone = _model_field("time_zone", label="Time zone")
    active = forms.BooleanField(
        label="Still in the organisation",
        required=False,
        help_text=(
            "Untick to mark them as a leaver: they can no longer sign in, their live "
            "pairings end at once (“left the organisation”) and their partners are told. "
            "Their enrolments and history stay."
        ),
    )

    def __init__(self, *args, employee: Employee, actor, **kwargs):
        self.employee = employee
        self.actor = actor
        kwargs.setdefault(
            "initial",
            {
                "name": employee.name,
                "department": employee.department,
                "title": employee.title,
                "level": employee.level,
                "manager_email": employee.manager.email if employee.manager else "",
                "time_zone": employee.time_zone,
                "active": employee.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        if employee.manager is not None:
            self.fields["manager_email"].help_text = (
                f"Now {employee.manager.name}. " + self.fields["manager_email"].help_text
            )
        if not employee.is_active:
            self.fields["active"].help_text = (
                "They left the organisation. Tick to mark them as back: they can sign in "
                "again; pairings that ended stay ended."
            )

    def clean_manager_email(self):
        email = self.cleaned_data["manager_email"]
        if not email:
            self.cleaned_data["manager"] = None
            return email
        manager = Employee.objects.by_email(email).first()
        if manager is None:
            raise forms.ValidationError(f"No one in the directory has the email {email}.")
        if manager.pk == self.employee.pk:
            raise forms.ValidationError("A person cannot be their own manager.")
        self.cleaned_data["manager"] = manager
        return email

    def clean_active(self):
        active = self.cleaned_data["active"]
        # Their own login would stop working mid-request; another people admin does it.
        if not active and self.employee.user_id == self.actor.pk and self.employee.is_active:
            raise forms.ValidationError("You cannot mark yourself as a leaver.")
        return active

    def changes(self) -> dict:
        """The service's keyword arguments: the master data fields and `active`."""
        data = self.cleaned_data
        fields = ("name", "department", "title", "level", "manager", "time_zone", "active")
        return {name: data[name] for name in fields}


class PeopleAdminSearchForm(forms.Form):
    q = forms.CharField(label="Find a person by name or email", required=False, max_length=200)


class PeopleAdminAddForm(forms.Form):
    """The person an "Add" button of the search results names."""

    employee = forms.ModelChoiceField(
        queryset=Employee.objects.select_related("user"), widget=forms.HiddenInput
    )


class PeopleAdminRemoveForm(forms.Form):
    """The member a "Remove" button names; only the group's members are valid."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(groups__name=PEOPLE_ADMINS_GROUP),
        widget=forms.HiddenInput,
    )


class DirectoryImportForm(ParticipantImportForm):
    """The directory CSV; the same size limit and reading as the participants one."""

    file = forms.FileField(
        label="Directory CSV",
        help_text="UTF-8, comma-separated, with a header naming at least email, name and "
        "level, and any of department, title, manager_email, time_zone and active (yes/no).",
    )


class PersonEraseForm(forms.Form):
    """Erasing cannot be undone: the people admin types the person's email to confirm."""

    confirm_email = forms.CharField(label="Type their email to confirm", max_length=254)

    def __init__(self, *args, employee: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee

    def clean_confirm_email(self):
        typed = self.cleaned_data["confirm_email"].strip().lower()
        if typed != self.employee.email:
            raise forms.ValidationError(f"Type {self.employee.email} exactly to erase them.")
        return typed
