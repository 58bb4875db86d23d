"""The login page: Django's LoginView, with the single sign-on button when it is on."""

from django.conf import settings
from django.contrib.auth.views import LoginView

from programs.forms.login import LoginForm
from programs.sso import sso_enabled


class PairwiseLoginView(LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        # Read per request, not at import, so override_settings in tests works.
        return super().get_context_data(
            sso_enabled=sso_enabled(), password_login=settings.PASSWORD_LOGIN, **kwargs
        )


login = PairwiseLoginView.as_view()
