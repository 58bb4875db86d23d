"""/scim/v2/: RFC 7644's endpoints. Mounted in config/urls.py; app_name "scim"."""

from django.urls import path, re_path

from programs.scim import views

app_name = "scim"

urlpatterns = [
    path("Users", views.users, name="users"),
    # Before Users/<id>, which would read ".search" as an id.
    path("Users/.search", views.users_search, name="users_search"),
    path("Users/<str:scim_id>", views.user, name="user"),
    path("ServiceProviderConfig", views.service_provider_config, name="service_provider_config"),
    path("ResourceTypes", views.resource_types, name="resource_types"),
    path("ResourceTypes/<str:resource_id>", views.resource_types, name="resource_type"),
    path("Schemas", views.schemas, name="schemas"),
    path("Schemas/<str:schema_id>", views.schemas, name="schema"),
    path("Bulk", views.not_implemented, name="bulk"),
    path("Me", views.not_implemented, name="me"),
    # Users are the only resource type, so a search of them all is a search of Users.
    path(".search", views.users_search, name="search"),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
