from django.contrib import admin
from django.urls import include, path

from pairing.views.home import home
from programs.views.login import login

urlpatterns = [
    path("", home, name="home"),
    path("", include("pairing.urls")),
    path("programmes/", include("programs.urls")),
    # Before Django's auth URLs, which it overrides: the work-email label and the SSO button.
    path("accounts/login/", login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("programs.sso_urls")),
    path("admin/", admin.site.urls),
]
