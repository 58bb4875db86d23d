"""Single sign-on URLs. The names are mozilla-django-oidc's own: its views reverse them."""

from django.urls import path

from programs.views import sso

urlpatterns = [
    path("authenticate/", sso.SSOStartView.as_view(), name="oidc_authentication_init"),
    path("callback/", sso.SSOCallbackView.as_view(), name="oidc_authentication_callback"),
    path("failed/", sso.sso_failed, name="sso_failed"),
]
