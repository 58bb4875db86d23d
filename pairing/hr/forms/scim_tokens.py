"""The SCIM tokens page: name a new token."""

from django import forms

from programs.models import ScimToken


class ScimTokenForm(forms.ModelForm):
    class Meta:
        model = ScimToken
        fields = ["name"]
