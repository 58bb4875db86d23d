from django.urls import path

from pairing.views import journeys, meetings, session_after, situational, survey

app_name = "pairing"

urlpatterns = [
    # Mentees, mentors and peer coaches.
    path("proposals/", journeys.proposal_list, name="proposal_list"),
    path("proposals/badge/", journeys.proposal_badge, name="proposal_badge"),
    path("proposals/<id:pk>/", journeys.proposal_detail, name="proposal_detail"),
    path("proposals/<id:pk>/accept/", journeys.proposal_accept, name="proposal_accept"),
    path("proposals/<id:pk>/decline/", journeys.proposal_decline, name="proposal_decline"),
    path("pairings/", journeys.pairing_list, name="pairing_list"),
    path("pairings/<id:pk>/", journeys.pairing_detail, name="pairing_detail"),
    path("pairings/<id:pk>/checkins/", journeys.checkin_create, name="checkin_create"),
    path("pairings/<id:pk>/end/", journeys.pairing_end, name="pairing_end"),
    # Meeting times for a pairing or group.
    path("pairings/<id:pk>/meetings/new/", meetings.meeting_propose, name="meeting_propose"),
    path("meetings/<id:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<id:pk>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path("candidates/<slug:slug>/", journeys.candidates, name="candidates"),
    path("candidates/<slug:slug>/request/", journeys.candidate_request, name="candidate_request"),
    path(
        "candidates/<slug:slug>/requests/<id:pk>/withdraw/",
        journeys.request_withdraw,
        name="request_withdraw",
    ),
    # The closing survey, linked from its reminder email.
    path("preferences/<slug:slug>/", journeys.preferences, name="preferences"),
    path("rounds/<slug:slug>/join/", journeys.round_join, name="round_join"),
    path("survey/<id:participant_pk>/", survey.survey, name="survey"),
    # After a situational session.
    path("help/sessions/<id:pk>/held/", session_after.session_held, name="session_held"),
    path(
        "help/sessions/<id:pk>/feedback/", session_after.session_feedback, name="session_feedback"
    ),
    path("help/sessions/<id:pk>/continue/", session_after.session_convert, name="session_convert"),
    # Situational mentoring: office hours, challenges and the sessions booked for them.
    path("help/<slug:slug>/office-hours/", situational.office_hours, name="office_hours"),
    path("help/<slug:slug>/ask/", situational.challenge_new, name="challenge_new"),
    path("help/challenges/<id:pk>/", situational.challenge_detail, name="challenge_detail"),
    path("help/challenges/<id:pk>/book/", situational.session_book, name="session_book"),
    path("help/sessions/<id:pk>/", situational.session_detail, name="session_detail"),
    path("help/sessions/<id:pk>/cancel/", situational.session_cancel, name="session_cancel"),
    path(
        "help/sessions/<id:pk>/reschedule/",
        situational.session_reschedule,
        name="session_reschedule",
    ),
]
