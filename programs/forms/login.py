from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form; the username is the person's work email."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Work email"
        if not settings.PASSWORD_LOGIN:
            # The same words whether or not the password was right (see PasswordBackend).
            self.error_messages = {
                **self.error_messages,
                "invalid_login": "Only administrators sign in with a password here. "
                "Sign in with your organisation's single sign-on.",
            }
