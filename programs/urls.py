from django.urls import path

from programs.views import enrol, profile, topics

app_name = "programs"

# The employees' pages under /programmes/. config/urls.py mounts these before the HR
# pages (pairing.hr.urls), whose programmes/<slug:slug>/ would otherwise swallow guide/
# and me/; ProgramForm refuses slugs that collide with them.
urlpatterns = [
    path("", enrol.program_list, name="program_list"),
    path("guide/", enrol.guide, name="guide"),
    # The topic picker's suggestions, as JSON.
    path("topics/", topics.topic_suggest, name="topic_suggest"),
    path("<slug:slug>/enrol/", enrol.program_enrol, name="program_enrol"),
    path("<slug:slug>/leave/", enrol.program_leave, name="program_leave"),
    path("<slug:slug>/pause/", enrol.program_pause, name="program_pause"),
    path("<slug:slug>/resume/", enrol.program_resume, name="program_resume"),
    # The person's email preferences.
    path("me/", profile.profile, name="profile"),
    # Everything held about the viewer, as a page and as a JSON download.
    path("me/data/", profile.my_data, name="my_data"),
    path("me/data.json", profile.my_data_json, name="my_data_json"),
]
