from django.contrib import admin
from django.urls import include, path, register_converter

from config.converters import IdConverter
from pairing.views.home import home, landing
from programs.views import ops, two_factor

# Before the apps' URL modules are included: they route ids with <id:pk>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", home, name="home"),
    path("start/", landing, name="landing"),
    path("", include("pairing.urls")),
    # The employees' programme pages first: the HR pages' programmes/<slug:slug>/ would
    # swallow programmes/guide/ and programmes/me/.
    path("programmes/", include("programs.urls")),
    path("", include("pairing.hr.urls")),
    path("accounts/two-factor/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
    path("accounts/", include("programs.account_urls")),
    path("oidc/", include("programs.sso_urls")),
    # Provisioning by HR systems (Entra ID, Okta): bearer token, no session.
    path("scim/v2/", include("programs.scim.urls")),
    path("admin/", admin.site.urls),
    path("healthz", ops.healthz, name="healthz"),
]
