from django.urls import path  # noqa: F401 - patterns are added by the programme pages

app_name = "programs"

urlpatterns = []
