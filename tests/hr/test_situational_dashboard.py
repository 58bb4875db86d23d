"""A situational programme's dashboard: requests, sessions, feedback, the topics nobody
offers, conversions and the helpers' load, for a period HR picks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import slots
from pairing.hr.situational import HelperLoad, situational_figures
from pairing.models import HelpSession, Pairing, SessionFeedback
from programs.models import Participant, Program
from tests.factories import (
    make_challenge,
    make_employee,
    make_hr_admin,
    make_office_hours,
    make_participant,
    make_program,
    make_situational_program,
)
from tests.hr.test_selectors import make_pairing

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
HELD, BOOKED, CANCELLED = (
    HelpSession.Status.HELD,
    HelpSession.Status.BOOKED,
    HelpSession.Status.CANCELLED,
)


def _helper(program, name, *, zone="Europe/London", expertise=(), role=MENTOR, hours=None):
    helper = make_participant(
        program=program,
        role=role,
        employee=make_employee(name=name, time_zone=zone, level=5),
        expertise=expertise,
    )
    if hours is not None:
        make_office_hours(helper=helper, **hours)
    return helper


def _session(challenge, helper, *, status, starts, booked, **fields):
    return HelpSession.objects.create(
        challenge=challenge,
        helper=helper,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        status=status,
        booked_at=booked,
        **fields,
    )


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def scene(hr_admin):
    program = make_situational_program(admins=[hr_admin], monthly_help_cap=4)
    ada = _helper(program, "Ada Helper", expertise=["Python"], hours={"slots": [(0, "09:30")]})
    bo = _helper(
        program,
        "Bo Helper",
        zone="America/New_York",
        expertise=["Negotiation"],
        hours={"slots": [(1, "10:00")], "paused": True, "monthly_cap": 2},
    )
    # Offers budgeting, but has published no office hours.
    _helper(program, "Cy Helper", expertise=["Budgeting"])
    # Enrolled to ask: with help offered by mentors only, office hours do not make a helper.
    _helper(
        program,
        "Dee Asker",
        role=Participant.Role.MENTEE,
        expertise=["Design"],
        hours={"slots": [(2, "11:00")]},
    )
    eve = make_participant(program=program, employee=make_employee(name="Eve Asker"))
    python = make_challenge(asker=eve, topics=["Python"], created_at=_ago(6))
    deal = make_challenge(asker=eve, topics=["Negotiation", "Budgeting"], created_at=_ago(4))
    budget = make_challenge(asker=eve, topics=["Budgeting"], created_at=_ago(1))
    design = make_challenge(asker=eve, topics=["Design"], created_at=_ago(5))
    # Before the period: neither counted nor its topic listed.
    ancient = make_challenge(asker=eve, topics=["Ancient history"], created_at=_ago(200))

    # The pairings the sessions turned into, in an ongoing mentoring programme.
    mentoring = make_program()
    live = make_pairing(
        program=mentoring,
        guide=make_participant(program=mentoring, role=MENTOR),
        learner=make_participant(program=mentoring),
        status=Pairing.Status.ACTIVE,
        proposed_at=_ago(3),
        answered_after=timedelta(hours=1),
        activated_at=_ago(2),
    )
    proposed = make_pairing(
        program=mentoring,
        guide=make_participant(program=mentoring, role=MENTOR),
        learner=make_participant(program=mentoring),
        status=Pairing.Status.PROPOSED,
        proposed_at=_ago(2),
    )
    held = _session(
        python, ada, status=HELD, starts=_ago(4), booked=_ago(5), held_at=_ago(4),
        converted_to=live,
    )  # fmt: skip
    SessionFeedback.objects.create(session=held, participant=eve, helpful=True, meet_again=True)
    SessionFeedback.objects.create(session=held, participant=ada, helpful=True, meet_again=False)
    _session(
        design, ada, status=HELD, starts=_ago(3), booked=_ago(4.5), held_at=_ago(3),
        converted_to=proposed,
    )  # fmt: skip
    _session(deal, bo, status=CANCELLED, starts=_ago(1), booked=_ago(3), cancelled_at=_ago(2))
    _session(budget, ada, status=BOOKED, starts=NOW + timedelta(days=5), booked=_ago(0.5))
    # Last month's session (and its unhelpful answer) is outside the period and the load.
    old = _session(ancient, ada, status=HELD, starts=_ago(190), booked=_ago(199), held_at=_ago(190))
    SessionFeedback.objects.create(session=old, participant=eve, helpful=False, meet_again=False)
    return program


def test_figures_for_the_period(scene):
    figures = situational_figures(
        program=scene, start=date(2026, 1, 1), end=date(2026, 3, 20), now=NOW
    )

    assert (
        figures.requests,
        figures.booked,
        figures.held,
        figures.cancelled,
        figures.converted,
        figures.converted_live,
    ) == (4, 4, 2, 1, 2, 1)
    assert (figures.answers, figures.helpful_share, figures.meet_again_share) == (2, 100.0, 50.0)
    # Bo is paused, Cy has no office hours, Dee only asks.
    assert figures.unoffered == [("Budgeting", 2), ("Design", 1), ("Negotiation", 1)]
    assert figures.helpers == [
        HelperLoad(name="Ada Helper", time_zone="Europe/London", paused=False, this_month=3, cap=4),
        HelperLoad(
            name="Bo Helper", time_zone="America/New_York", paused=True, this_month=0, cap=2
        ),
    ]


def test_anyone_may_offer_help_makes_an_asker_with_office_hours_a_helper(scene):
    scene.help_offered_by = Program.HelpOfferedBy.ANYONE
    scene.save()

    figures = situational_figures(
        program=scene, start=date(2026, 1, 1), end=date(2026, 3, 20), now=NOW
    )

    assert figures.unoffered == [("Budgeting", 2), ("Negotiation", 1)]
    assert [h.name for h in figures.helpers] == ["Ada Helper", "Bo Helper", "Dee Asker"]


def test_a_leavers_expertise_offers_nothing(scene):
    scene.help_offered_by = Program.HelpOfferedBy.ANYONE
    scene.save()
    dee = scene.participants.get(employee__name="Dee Asker").employee.user
    dee.is_active = False  # left the organisation: booking lists her no more
    dee.save()

    figures = situational_figures(
        program=scene, start=date(2026, 1, 1), end=date(2026, 3, 20), now=NOW
    )

    assert figures.unoffered == [("Budgeting", 2), ("Design", 1), ("Negotiation", 1)]
    assert [h.name for h in figures.helpers] == ["Ada Helper", "Bo Helper"]


def test_a_period_of_one_day_counts_that_day_only(scene):
    figures = situational_figures(
        program=scene, start=date(2026, 3, 16), end=date(2026, 3, 16), now=NOW
    )

    # 16 March: the deal challenge, the design session booked at midnight, the Python
    # session held (and its two answers).
    assert (figures.requests, figures.booked, figures.held, figures.answers) == (1, 1, 1, 2)
    assert figures.unoffered == [("Budgeting", 1), ("Negotiation", 1)]


def test_page_shows_the_figures_and_accessible_tables(client, hr_admin, scene):
    client.force_login(hr_admin)

    response = client.get(
        reverse("hr:situational_dashboard", args=[scene.slug]),
        {"start": "2026-01-01", "end": "2026-03-20"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "From 1 January 2026 to 20 March 2026." in html
    assert '<div class="fs-4 fw-semibold figure-requests">4</div>' in html
    assert '<div class="fs-4 fw-semibold figure-sessions">2 held</div>' in html
    assert "4 booked, 1 cancelled" in html
    assert '<div class="fs-4 fw-semibold figure-helpful">100.0% helpful</div>' in html
    assert "50.0% would meet again; 2 answers on the sessions held" in html
    assert '<div class="fs-4 fw-semibold figure-converted">2 converted</div>' in html
    assert "1 of them went live (the pairing started)" in html
    assert (
        '<tr><th scope="row" class="fw-normal">Budgeting</th><td class="text-end">2</td></tr>'
        in html
    )
    assert "<caption>Topics the period's challenges asked for" in html
    assert '<th scope="col" class="text-end">Sessions this month</th>' in html


def test_page_defaults_to_the_last_90_days(client, hr_admin):
    program = make_situational_program(admins=[hr_admin])
    client.force_login(hr_admin)

    response = client.get(reverse("hr:situational_dashboard", args=[program.slug]))

    today = timezone.localdate()
    figures = response.context["figures"]
    assert (figures.start, figures.end) == (today - timedelta(days=89), today)
    html = response.content.decode()
    assert f'value="{today:%Y-%m-%d}"' in html
    assert "Every topic asked for has a helper." in html
    assert "No helper has published office hours yet." in html
    assert "no answers on the sessions held yet" in html


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"start": "2026-02-30", "end": "soon"},
            {"start": ["Enter a valid date."], "end": ["Enter a valid date."]},
        ),
        ({"start": "2026-03-20"}, {"end": ["This field is required."]}),
        (
            {"start": "2026-03-20", "end": "2026-03-01"},
            {"end": ["The period cannot end before it starts."]},
        ),
        (
            {"start": "1999-12-31", "end": "2026-03-01"},
            {"start": ["Choose a date from 1 January 2020 to "]},
        ),
        (
            {"start": "2026-01-01", "end": "9999-12-31"},
            {"end": ["Choose a date from 1 January 2020 to "]},
        ),
    ],
)
def test_bad_dates_are_field_errors(client, hr_admin, query, errors):
    program = make_situational_program(admins=[hr_admin])
    client.force_login(hr_admin)

    response = client.get(reverse("hr:situational_dashboard", args=[program.slug]), query)

    assert response.status_code == 400
    assert response.context["figures"] is None
    got = response.context["form"].errors
    assert set(got) == set(errors)
    for name, (message,) in errors.items():
        assert got[name][0].startswith(message), got[name]


def test_only_the_programmes_hr_admins_see_it(client, hr_admin, outsider):
    program = make_situational_program(admins=[hr_admin])
    url = reverse("hr:situational_dashboard", args=[program.slug])

    client.force_login(make_hr_admin(name="Other HR"))
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(hr_admin)
    assert client.post(url).status_code == 405


def test_other_kinds_have_no_such_page(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.get(reverse("hr:situational_dashboard", args=[program.slug]))

    assert response.status_code == 404


def test_the_programme_page_links_to_it(client, hr_admin, program):
    situational = make_situational_program(admins=[hr_admin])
    client.force_login(hr_admin)
    url = reverse("hr:situational_dashboard", args=[situational.slug])

    html = client.get(reverse("hr:program_detail", args=[situational.slug])).content.decode()
    assert f'<a class="btn btn-primary" href="{url}">Requests and sessions</a>' in html
    assert reverse("hr:matchrun_create", args=[situational.slug]) not in html
    assert reverse("hr:program_rounds", args=[situational.slug]) not in html
    other = client.get(reverse("hr:program_detail", args=[program.slug])).content.decode()
    assert "Requests and sessions" not in other
    assert reverse("hr:matchrun_create", args=[program.slug]) in other


def _sized_scene(program, helpers: int):
    """``helpers`` helpers with office hours and two challenges each, one with a held,
    rated session and one asking for a topic nobody offers."""
    # This month's first hour, so each session counts in the helpers' load too.
    first = slots.month_bounds(timezone.now(), ZoneInfo("Europe/London"))[0] + timedelta(hours=1)
    for n in range(helpers):
        helper = _helper(
            program, f"Helper {n}", expertise=[f"Topic {n}"], hours={"slots": [(n % 7, "10:00")]}
        )
        asker = make_participant(program=program)
        helped = make_challenge(asker=asker, topics=[f"Topic {n}"])
        make_challenge(asker=asker, topics=[f"Missing {n}"])
        session = _session(
            helped, helper, status=HELD, starts=first, booked=first - timedelta(days=1),
            held_at=first + timedelta(minutes=30),
        )  # fmt: skip
        SessionFeedback.objects.create(
            session=session, participant=asker, helpful=True, meet_again=True
        )


@pytest.mark.parametrize("helpers", [3, 6])
def test_query_count_is_the_same_for_3_and_6_helpers(
    client, hr_admin, django_assert_num_queries, helpers
):
    program = make_situational_program(admins=[hr_admin])
    _sized_scene(program, helpers)
    client.force_login(hr_admin)
    # session, user, HR group, navbar's employee, programme, then the figures: requests,
    # sessions, feedback, topics nobody offers, helpers' office hours, their sessions
    with django_assert_num_queries(11):
        response = client.get(reverse("hr:situational_dashboard", args=[program.slug]))
    figures = response.context["figures"]
    assert (figures.requests, figures.held, figures.answers) == (2 * helpers, helpers, helpers)
    assert len(figures.unoffered) == helpers
    assert [h.this_month for h in figures.helpers] == [1] * helpers
