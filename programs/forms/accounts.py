from django import forms


class PasswordResetRequestForm(forms.Form):
    """Only the address; whether it belongs to anyone is decided later, in a worker."""

    email = forms.EmailField(label="Work email", max_length=254)
