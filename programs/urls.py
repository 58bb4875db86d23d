from django.urls import path  # noqa: F401 - patterns are added by the programme pages

app_name = "programs"

urlpatterns = []

# Employees' pages (programs/views/enrol.py). guide/ must stay above <slug:slug>/.
from programs.views import enrol  # noqa: E402 - grouped with the patterns it serves

urlpatterns += [
    path("", enrol.program_list, name="program_list"),
    path("guide/", enrol.guide, name="guide"),
    path("<slug:slug>/enrol/", enrol.program_enrol, name="program_enrol"),
]

# The person's email preferences (programs/views/profile.py); above <slug:slug>/ too.
from programs.views import profile  # noqa: E402 - grouped with the patterns it serves

urlpatterns += [
    path("me/", profile.profile, name="profile"),
]

# HR admin pages (programs/views/hr.py). Fixed paths such as manage/ must stay above
# <slug:slug>/, which would otherwise swallow them; ProgramForm refuses such slugs.
from programs.views import hr  # noqa: E402 - grouped with the patterns it serves

urlpatterns += [
    path("manage/", hr.program_manage_list, name="program_manage_list"),
    path("manage/new/", hr.program_create_view, name="program_create"),
    path("<slug:slug>/", hr.program_detail, name="program_detail"),
    path("<slug:slug>/participants/", hr.participant_table, name="participant_table"),
    path("<slug:slug>/participants/add/", hr.participant_add_view, name="participant_add"),
    path("<slug:slug>/participants/import/", hr.participant_import, name="participant_import"),
    path("<slug:slug>/participants.csv", hr.participant_export, name="participant_export"),
]
