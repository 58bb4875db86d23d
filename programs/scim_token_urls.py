"""The SCIM tokens page, included by the directory's URL conf at /directory/scim-tokens/
(namespace "directory")."""

from django.urls import path

from programs.views import scim_tokens

urlpatterns = [
    path("", scim_tokens.scim_tokens, name="scim_tokens"),
    path("new/", scim_tokens.scim_token_create_view, name="scim_token_create"),
    path("<int:pk>/revoke/", scim_tokens.scim_token_revoke_view, name="scim_token_revoke"),
]
