from django.contrib import admin
from django.urls import include, path

from pairing.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("pairing.urls")),
    path("programmes/", include("programs.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
