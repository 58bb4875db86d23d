"""Every HR admin page: programmes, participants and their imports, programme admins,
matching runs, the dashboard and exports, and the people admins' directory.

Mounted at the site root after programs.urls, whose employee pages under /programmes/
(guide/, me/, <slug>/enrol/) must resolve first: `programmes/<slug:slug>/` here would
otherwise swallow them (ProgramForm refuses slugs that collide with a page). The paths are
the ones people have bookmarked; keep them.
"""

from django.urls import path

from pairing.hr.views import (
    admins,
    cockpit,
    dashboard,
    directory,
    imports,
    matching,
    participants,
    programmes,
    proposals,
    rounds,
    scim_tokens,
    situational,
)

app_name = "hr"

urlpatterns = [
    # The cockpit: HR's home across their programmes, and its one-click actions.
    path("hr/", cockpit.cockpit, name="cockpit"),
    # Programmes. The fixed paths stay above programmes/<slug:slug>/.
    path("programmes/manage/", programmes.program_manage_list, name="program_manage_list"),
    path("programmes/manage/new/", programmes.program_create_view, name="program_create"),
    path("programmes/manage/imports/<id:pk>/", imports.import_job_detail, name="import_job_detail"),
    path(
        "programmes/manage/imports/<id:pk>/status/",
        imports.import_job_status,
        name="import_job_status",
    ),
    path(
        "programmes/manage/imports/<id:pk>/confirm/",
        imports.import_job_confirm_view,
        name="import_job_confirm",
    ),
    path("programmes/<slug:slug>/", programmes.program_detail, name="program_detail"),
    path("programmes/<slug:slug>/settings/", programmes.program_edit, name="program_edit"),
    # Participants.
    path(
        "programmes/<slug:slug>/participants/",
        participants.participant_table,
        name="participant_table",
    ),
    path(
        "programmes/<slug:slug>/participants/add/",
        participants.participant_add_view,
        name="participant_add",
    ),
    path(
        "programmes/<slug:slug>/participants/<id:pk>/",
        participants.participant_edit,
        name="participant_edit",
    ),
    path(
        "programmes/<slug:slug>/participants/<id:pk>/withdraw/",
        participants.participant_withdraw_view,
        name="participant_withdraw",
    ),
    path(
        "programmes/<slug:slug>/participants/invite/",
        participants.participant_invite,
        name="participant_invite",
    ),
    path(
        "programmes/<slug:slug>/participants/import/",
        imports.participant_import,
        name="participant_import",
    ),
    path(
        "programmes/<slug:slug>/participants.csv",
        participants.participant_export,
        name="participant_export",
    ),
    # Published proposals: HR cancels one, or gives its mentee another mentor.
    path(
        "programmes/<slug:slug>/proposals/<id:pk>/cancel/",
        proposals.proposal_cancel_view,
        name="proposal_cancel",
    ),
    path(
        "programmes/<slug:slug>/proposals/<id:pk>/reassign/",
        proposals.proposal_reassign_view,
        name="proposal_reassign",
    ),
    # The cockpit's actions on a programme's proposals, pairings and people.
    path(
        "programmes/<slug:slug>/proposals/nudge/",
        cockpit.proposals_nudge,
        name="proposals_nudge",
    ),
    path(
        "programmes/<slug:slug>/pairings/<id:pk>/nudge/",
        cockpit.pairing_nudge,
        name="pairing_nudge",
    ),
    path("programmes/<slug:slug>/pairings/<id:pk>/end/", cockpit.pairing_end, name="pairing_end"),
    path("programmes/<slug:slug>/invite-all/", cockpit.invite_all, name="invite_all"),
    # The programme's admins.
    path("programmes/<slug:slug>/admins/", admins.program_admins_view, name="program_admins"),
    path(
        "programmes/<slug:slug>/admins/add/",
        admins.program_admin_add_view,
        name="program_admin_add",
    ),
    path(
        "programmes/<slug:slug>/admins/remove/",
        admins.program_admin_remove_view,
        name="program_admin_remove",
    ),
    path("programmes/<slug:slug>/rounds/", rounds.program_rounds, name="program_rounds"),
    # Matching runs.
    path("programmes/<slug:slug>/matching/", matching.matchrun_create, name="matchrun_create"),
    path("matching/runs/<id:pk>/", matching.matchrun_detail, name="matchrun_detail"),
    path("matching/runs/<id:pk>/status/", matching.matchrun_status, name="matchrun_status"),
    path("matching/runs/<id:pk>/pin/", matching.matchrun_pin, name="matchrun_pin"),
    path("matching/runs/<id:pk>/pick/<str:side>/", matching.matchrun_pick, name="matchrun_pick"),
    path("matching/runs/<id:pk>/remove/", matching.matchrun_remove, name="matchrun_remove"),
    path(
        "matching/runs/<id:pk>/pin-group/", matching.matchrun_pin_group, name="matchrun_pin_group"
    ),
    path(
        "matching/runs/<id:pk>/remove-member/",
        matching.matchrun_remove_member,
        name="matchrun_remove_member",
    ),
    path("matching/runs/<id:pk>/publish/", matching.matchrun_publish, name="matchrun_publish"),
    # Programme health and exports.
    path("programmes/<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("programmes/<slug:slug>/pairings.csv", dashboard.pairing_export, name="pairing_export"),
    path(
        "programmes/<slug:slug>/requests-and-sessions/",
        situational.situational_dashboard,
        name="situational_dashboard",
    ),
    # The directory, for people admins.
    path("directory/", directory.directory_list, name="directory_list"),
    path("directory/people.csv", directory.directory_export, name="directory_export"),
    path("directory/import/", directory.directory_import_view, name="directory_import"),
    path(
        "directory/imports/<id:pk>/",
        directory.import_job_detail,
        name="directory_import_job_detail",
    ),
    path(
        "directory/imports/<id:pk>/status/",
        directory.import_job_status,
        name="directory_import_job_status",
    ),
    path(
        "directory/imports/<id:pk>/confirm/",
        directory.import_job_confirm_view,
        name="directory_import_job_confirm",
    ),
    path("directory/<id:pk>/", directory.person_edit, name="person_edit"),
    path("directory/<id:pk>/erase/", directory.person_erase, name="person_erase"),
    path("directory/admins/", directory.people_admins_view, name="people_admins"),
    path("directory/admins/add/", directory.people_admin_add_view, name="people_admin_add"),
    path(
        "directory/admins/remove/",
        directory.people_admin_remove_view,
        name="people_admin_remove",
    ),
    # The bearer tokens HR systems provision the directory with over SCIM.
    path("directory/scim-tokens/", scim_tokens.scim_tokens, name="scim_tokens"),
    path(
        "directory/scim-tokens/new/", scim_tokens.scim_token_create_view, name="scim_token_create"
    ),
    path(
        "directory/scim-tokens/<id:pk>/revoke/",
        scim_tokens.scim_token_revoke_view,
        name="scim_token_revoke",
    ),
]
