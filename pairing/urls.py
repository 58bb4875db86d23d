from django.urls import path  # noqa: F401 - patterns are added by the pairing pages

app_name = "pairing"

urlpatterns = []
