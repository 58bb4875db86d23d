"""Forms for a programme's admins page: find a person, then add or remove one."""

from django import forms
from django.contrib.auth import get_user_model

from programs.models import Employee, Program


class AdminSearchForm(forms.Form):
    q = forms.CharField(label="Find a person by name or email", required=False, max_length=200)


class AdminAddForm(forms.Form):
    """The person an "Add" button of the search results names."""

    employee = forms.ModelChoiceField(
        queryset=Employee.objects.select_related("user"), widget=forms.HiddenInput
    )


class AdminRemoveForm(forms.Form):
    """The admin a "Remove" button names; only the programme's own admins are valid."""

    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = program.admins.select_related("employee")
