from django.urls import path

from programs.views import admins, enrol, hr, profile

app_name = "programs"

# Order matters: fixed paths (guide/, me/, manage/) must stay above <slug:slug>/, which
# would otherwise swallow them; ProgramForm refuses slugs that collide with them.
urlpatterns = [
    # Employees' pages.
    path("", enrol.program_list, name="program_list"),
    path("guide/", enrol.guide, name="guide"),
    path("<slug:slug>/enrol/", enrol.program_enrol, name="program_enrol"),
    # The person's email preferences.
    path("me/", profile.profile, name="profile"),
    # HR admin pages.
    path("manage/", hr.program_manage_list, name="program_manage_list"),
    path("manage/new/", hr.program_create_view, name="program_create"),
    path("manage/imports/<int:pk>/", hr.import_job_detail, name="import_job_detail"),
    path("manage/imports/<int:pk>/status/", hr.import_job_status, name="import_job_status"),
    path("manage/imports/<int:pk>/confirm/", hr.import_job_confirm_view, name="import_job_confirm"),
    path("<slug:slug>/", hr.program_detail, name="program_detail"),
    path("<slug:slug>/participants/", hr.participant_table, name="participant_table"),
    path("<slug:slug>/participants/add/", hr.participant_add_view, name="participant_add"),
    path("<slug:slug>/participants/invite/", hr.participant_invite, name="participant_invite"),
    path("<slug:slug>/participants/import/", hr.participant_import, name="participant_import"),
    path("<slug:slug>/participants.csv", hr.participant_export, name="participant_export"),
    path("<slug:slug>/admins/", admins.program_admins_view, name="program_admins"),
    path("<slug:slug>/admins/add/", admins.program_admin_add_view, name="program_admin_add"),
    path(
        "<slug:slug>/admins/remove/", admins.program_admin_remove_view, name="program_admin_remove"
    ),
]
