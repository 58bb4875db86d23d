"""The directory pages, for people admins: mounted at /directory/."""

from django.urls import include, path

from programs.views import directory

app_name = "directory"

urlpatterns = [
    path("", directory.directory_list, name="directory_list"),
    path("people.csv", directory.directory_export, name="directory_export"),
    path("import/", directory.directory_import_view, name="directory_import"),
    path("imports/<int:pk>/", directory.import_job_detail, name="import_job_detail"),
    path("imports/<int:pk>/status/", directory.import_job_status, name="import_job_status"),
    path("imports/<int:pk>/confirm/", directory.import_job_confirm_view, name="import_job_confirm"),
    path("<int:pk>/", directory.person_edit, name="person_edit"),
    path("admins/", directory.people_admins_view, name="people_admins"),
    path("admins/add/", directory.people_admin_add_view, name="people_admin_add"),
    path("admins/remove/", directory.people_admin_remove_view, name="people_admin_remove"),
    # The bearer tokens HR systems provision the directory with over SCIM.
    path("scim-tokens/", include("programs.scim_token_urls")),
]
