from django.urls import path

from pairing.views import hr, journeys, survey

app_name = "pairing"

urlpatterns = [
    # Mentees, mentors and peer coaches.
    path("proposals/", journeys.proposal_list, name="proposal_list"),
    path("proposals/badge/", journeys.proposal_badge, name="proposal_badge"),
    path("proposals/<int:pk>/", journeys.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/accept/", journeys.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", journeys.proposal_decline, name="proposal_decline"),
    path("pairings/", journeys.pairing_list, name="pairing_list"),
    path("pairings/<int:pk>/", journeys.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/checkins/", journeys.checkin_create, name="checkin_create"),
    path("pairings/<int:pk>/end/", journeys.pairing_end, name="pairing_end"),
    path("candidates/<slug:slug>/", journeys.candidates, name="candidates"),
    path("candidates/<slug:slug>/request/", journeys.candidate_request, name="candidate_request"),
    # HR admins, beside the programme pages of programs/.
    path("programmes/<slug:slug>/settings/", hr.program_edit, name="program_edit"),
    path("programmes/<slug:slug>/matching/", hr.matchrun_create, name="matchrun_create"),
    path("programmes/<slug:slug>/dashboard/", hr.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/dashboard.csv", hr.dashboard_csv, name="dashboard_csv"),
    path("programmes/<slug:slug>/pairings.csv", hr.pairing_export, name="pairing_export"),
    path("matching/runs/<int:pk>/", hr.matchrun_detail, name="matchrun_detail"),
    path("matching/runs/<int:pk>/status/", hr.matchrun_status, name="matchrun_status"),
    path("matching/runs/<int:pk>/pin/", hr.matchrun_pin, name="matchrun_pin"),
    path("matching/runs/<int:pk>/remove/", hr.matchrun_remove, name="matchrun_remove"),
    path("matching/runs/<int:pk>/publish/", hr.matchrun_publish, name="matchrun_publish"),
    # The closing survey, linked from its reminder email.
    path("survey/<int:participant_pk>/", survey.survey, name="survey"),
]
