from django.contrib import admin
from django.urls import include, path

from pairing.views.home import home, landing

urlpatterns = [
    path("", home, name="home"),
    path("start/", landing, name="landing"),
    path("", include("pairing.urls")),
    path("programmes/", include("programs.urls")),
    path("accounts/", include("programs.account_urls")),
    path("oidc/", include("programs.sso_urls")),
    path("admin/", admin.site.urls),
]
