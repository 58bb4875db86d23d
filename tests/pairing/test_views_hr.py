"""The HR admin's pairing pages: settings, matching runs, dashboard and exports."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.matchmaking import match_run_execute
from pairing.models import MatchRun, Pairing, PairingMember, SurveyResponse
from programs.models import AuditEvent, Participant, Program
from tests.factories import make_employee, make_hr_admin, make_participant, make_program, make_user
from tests.pairing.test_health import make_pairing

pytestmark = pytest.mark.django_db

MENTOR = Participant.Role.MENTOR
MENTEE = Participant.Role.MENTEE


def _program_pages(program):
    return [
        reverse("hr:program_edit", args=[program.slug]),
        reverse("hr:matchrun_create", args=[program.slug]),
        reverse("hr:dashboard", args=[program.slug]),
        reverse("hr:dashboard_csv", args=[program.slug]) + "?chart=enrolment",
        reverse("hr:pairing_export", args=[program.slug]),
    ]


@pytest.fixture
def people(program):
    """Two mentors and three mentees whose best pairing is plain to see."""
    ada = make_participant(
        program=program,
        role=MENTOR,
        employee=make_employee(name="Ada Mentor", email="ada@example.org", level=5),
        expertise=["Python", "Leadership"],
        capacity=1,
    )
    bo = make_participant(
        program=program,
        role=MENTOR,
        employee=make_employee(name="Bo Mentor", email="bo@example.org", level=5),
        expertise=["Negotiation"],
        capacity=1,
    )
    cy = make_participant(
        program=program,
        employee=make_employee(name="Cy Mentee", email="cy@example.org", level=3),
        goals=["Python", "Leadership"],
    )
    di = make_participant(
        program=program,
        employee=make_employee(name="Di Mentee", email="di@example.org", level=3),
        goals=["Negotiation"],
    )
    ed = make_participant(
        program=program,
        employee=make_employee(name="Ed Mentee", email="ed@example.org", level=3),
        goals=["Budgeting"],
    )
    return {"ada": ada, "bo": bo, "cy": cy, "di": di, "ed": ed}


def _start_run(client, program):
    response = client.post(reverse("hr:matchrun_create", args=[program.slug]))
    run = MatchRun.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:matchrun_detail", args=[run.pk])
    return run


def _pairs(review):
    return [(p.first.email, p.second.email) for p in review["pairings"]]


# --- Access -----------------------------------------------------------------------------


def test_program_pages_open_for_the_programme_admin(client, hr_admin, program):
    client.force_login(hr_admin)
    assert [client.get(url).status_code for url in _program_pages(program)] == [200] * 5


def test_program_pages_are_404_for_an_hr_admin_of_another_programme(client, program):
    client.force_login(make_hr_admin(name="Other HR"))
    assert [client.get(url).status_code for url in _program_pages(program)] == [404] * 5


def test_program_pages_are_403_for_employees(client, outsider, program):
    client.force_login(outsider)
    assert [client.get(url).status_code for url in _program_pages(program)] == [403] * 5


def test_program_pages_open_for_superusers(client, program):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert [client.get(url).status_code for url in _program_pages(program)] == [200] * 5


def test_run_pages_are_404_for_an_hr_admin_of_another_programme(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    client.force_login(make_hr_admin(name="Other HR"))
    urls = [
        reverse("hr:matchrun_detail", args=[run.pk]),
        reverse("hr:matchrun_status", args=[run.pk]),
    ]
    posts = [
        reverse(f"hr:matchrun_{name}", args=[run.pk]) for name in ("pin", "remove", "publish")
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert [client.post(url).status_code for url in posts] == [404, 404, 404]
    assert Pairing.objects.count() == 0


def test_run_pages_are_403_for_employees(client, hr_admin, outsider, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    client.force_login(outsider)
    assert client.get(reverse("hr:matchrun_detail", args=[run.pk])).status_code == 403
    assert client.post(reverse("hr:matchrun_publish", args=[run.pk])).status_code == 403


def test_programme_writes_by_an_hr_admin_of_another_programme_are_404_and_change_nothing(
    client, program, people
):
    client.force_login(make_hr_admin(name="Other HR"))
    settings = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, name="Taken over"),
    )
    run = client.post(reverse("hr:matchrun_create", args=[program.slug]))
    assert (settings.status_code, run.status_code) == (404, 404)
    program.refresh_from_db()
    assert program.name != "Taken over"
    assert MatchRun.objects.count() == 0
    assert AuditEvent.objects.filter(program=program).count() == 0


@pytest.mark.parametrize("name", ["matchrun_pin", "matchrun_remove", "matchrun_publish"])
def test_run_changes_need_a_post(client, hr_admin, program, people, name):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    assert client.get(reverse(f"hr:{name}", args=[run.pk])).status_code == 405


# --- Settings ---------------------------------------------------------------------------


def _settings_post(program, **overrides):
    fields = [
        "name", "slug", "description", "kind", "matching_mode", "status", "enrol_opens",
        "enrol_closes", "starts_on", "ends_on", "checkin_cadence_days", "proposal_expiry_days",
        "default_capacity", "min_gap", "ideal_gap", "max_gap", "peer_max_gap", "weight_goals",
        "weight_level", "weight_style", "weight_department",
    ]  # fmt: skip
    data = {name: getattr(program, name) or "" for name in fields}
    return {**data, **overrides}


def test_settings_change_is_recorded_with_old_and_new_values(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, weight_goals=40, weight_department=15),
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.weight_goals, program.weight_department) == (40, 15)
    event = program.audit_events.get()
    assert (event.action, event.actor, event.summary, event.detail) == (
        AuditEvent.Action.SETTINGS_CHANGED,
        hr_admin,
        "Changed weight goals, weight department",
        {"weight_goals": {"from": 50, "to": 40}, "weight_department": {"from": 5, "to": 15}},
    )


def test_saving_unchanged_settings_records_nothing(client, hr_admin, program):
    client.force_login(hr_admin)
    client.post(reverse("hr:program_edit", args=[program.slug]), _settings_post(program))
    assert program.audit_events.count() == 0


def test_settings_refuse_gaps_out_of_order(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, min_gap=1, ideal_gap=3, max_gap=2),
    )
    assert response.context["form"].errors == {
        "max_gap": ["The largest gap must not be below the ideal gap."]
    }
    program.refresh_from_db()
    assert (program.ideal_gap, program.max_gap) == (2, 3)


def test_a_new_cadence_moves_open_schedules(client, hr_admin, program, people):
    started = timezone.now() - timedelta(days=3)
    pairing = make_pairing(
        program=program,
        guide=people["ada"],
        learner=people["cy"],
        status=Pairing.Status.ACTIVE,
        proposed_at=started - timedelta(days=1),
        answered_after=timedelta(hours=1),
        activated_at=started,
    )
    pairing.next_checkin_due = timezone.localdate(started) + timedelta(days=28)
    pairing.save()
    client.force_login(hr_admin)

    client.post(
        reverse("hr:program_edit", args=[program.slug]),
        _settings_post(program, checkin_cadence_days=14),
    )

    pairing.refresh_from_db()
    assert pairing.next_checkin_due == timezone.localdate(started) + timedelta(days=14)


# --- Matching runs ----------------------------------------------------------------------


def test_run_matching_previews_pairings_unmatched_and_totals(client, hr_admin, program, people):
    client.force_login(hr_admin)

    run = _start_run(client, program)
    response = client.get(reverse("hr:matchrun_detail", args=[run.pk]))

    review = response.context["review"]
    assert run.status == MatchRun.Status.DONE
    assert _pairs(review) == [
        ("ada@example.org", "cy@example.org"),
        ("bo@example.org", "di@example.org"),
    ]
    assert [(p.score, p.breakdown) for p in review["pairings"]] == [
        (95.0, {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0}),
        (95.0, {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0}),
    ]
    assert [(person.email, reasons) for person, reasons in review["unmatched"]] == [
        (
            "ed@example.org",
            [
                "all 2 possible mentors (Ada Mentor, Bo Mentor) are fully booked; giving you a "
                "place would not match more people or raise the overall fit",
                "no mentor you could be paired with covers budgeting",
            ],
        )
    ]
    totals = review["totals"]
    assert (totals["matched"], totals["pairings"], totals["average_score"]) == (2, 2, 95.0)
    assert list(program.audit_events.values_list("action", flat=True)) == [
        AuditEvent.Action.MATCHING_RUN
    ]
    assert Pairing.objects.count() == 0  # a preview, nothing proposed yet


def test_remove_reruns_without_the_pair(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.post(
        reverse("hr:matchrun_remove", args=[run.pk]),
        {"first": people["ada"].pk, "second": people["cy"].pk},
    )

    assert response["Location"] == reverse("hr:matchrun_detail", args=[run.pk])
    run.refresh_from_db()
    review = client.get(response["Location"]).context["review"]
    assert run.removed == [[str(people["ada"].pk), str(people["cy"].pk)]]
    assert ("ada@example.org", "cy@example.org") not in _pairs(review)
    assert [[p.email for p in pair] for pair in review["removed"]] == [
        ["ada@example.org", "cy@example.org"]
    ]
    assert program.audit_events.first().action == AuditEvent.Action.PAIR_REMOVED


def test_pin_forces_a_pair_and_reruns_around_it(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    client.post(
        reverse("hr:matchrun_pin", args=[run.pk]),
        {"first": "ADA@example.org", "second": "ed@example.org"},
    )

    review = client.get(reverse("hr:matchrun_detail", args=[run.pk])).context["review"]
    assert [(p.first.email, p.second.email, p.pinned) for p in review["pairings"]] == [
        ("ada@example.org", "ed@example.org", True),
        ("bo@example.org", "di@example.org", False),
    ]
    assert program.audit_events.first().action == AuditEvent.Action.PAIR_PINNED


def test_pin_refuses_someone_outside_the_programme(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.post(
        reverse("hr:matchrun_pin", args=[run.pk]),
        {"first": "ada@example.org", "second": "nobody@example.org"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Not in this programme: nobody@example.org."
    ]
    run.refresh_from_db()
    assert run.pins == []


def test_pin_refuses_a_pair_the_rules_forbid(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.post(
        reverse("hr:matchrun_pin", args=[run.pk]),
        {"first": "cy@example.org", "second": "di@example.org"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Pin a mentor to a mentee."]
    run.refresh_from_db()
    assert run.pins == []


def test_publish_turns_the_preview_into_proposals_and_emails_mentors(
    client, hr_admin, program, people, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hr:matchrun_publish", args=[run.pk]))

    assert response["Location"] == program.get_absolute_url()
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    pairs = sorted(
        (m.pairing.status, m.participant.employee.email)
        for m in PairingMember.objects.filter(role=PairingMember.Role.GUIDE)
    )
    assert pairs == [("proposed", "ada@example.org"), ("proposed", "bo@example.org")]
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.org", "bo@example.org"]
    assert program.audit_events.first().action == AuditEvent.Action.PUBLISHED
    detail = client.get(reverse("hr:program_detail", args=[program.slug]))
    assert [e.action for e in detail.context["audit_events"]] == [
        AuditEvent.Action.PUBLISHED,
        AuditEvent.Action.MATCHING_RUN,
    ]


def test_publishing_twice_is_refused(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    client.post(reverse("hr:matchrun_publish", args=[run.pk]), follow=True)

    response = client.post(reverse("hr:matchrun_publish", args=[run.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "This run has already been published."
    ]
    assert Pairing.objects.count() == 2


def test_a_large_run_shows_a_progress_bar_that_polls_until_done(
    client, hr_admin, program, people, settings
):
    settings.MATCHING_INLINE_LIMIT = 2  # five people: too many to match in the request
    client.force_login(hr_admin)
    run = _start_run(client, program)
    status_url = reverse("hr:matchrun_status", args=[run.pk])

    page = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()
    polling = client.get(status_url, headers={"HX-Request": "true"})

    assert run.status == MatchRun.Status.QUEUED
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert '<progress id="run-progress-bar"' in page
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in polling.content.decode()

    match_run_execute(run.pk)  # what the Celery worker does
    done = client.get(status_url, headers={"HX-Request": "true"})

    assert (done.status_code, done["HX-Refresh"]) == (200, "true")


def test_matching_page_lists_recent_runs(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    response = client.get(reverse("hr:matchrun_create", args=[program.slug]))
    assert list(response.context["runs"]) == [run]


# --- Dashboard and exports --------------------------------------------------------------


def _dashboard_scene(program, rows):
    """`rows` active pairings, each with a check-in, a decline and a survey answer."""
    now = timezone.now()
    for n in range(rows):
        mentor = make_participant(program=program, role=MENTOR, expertise=["Python"], capacity=3)
        mentee = make_participant(program=program, goals=["Python", f"Topic {n}"])
        other = make_participant(program=program, goals=["Budgeting"])
        pairing = make_pairing(
            program=program,
            guide=mentor,
            learner=mentee,
            status=Pairing.Status.ACTIVE,
            proposed_at=now - timedelta(days=40),
            answered_after=timedelta(days=1),
            activated_at=now - timedelta(days=39),
        )
        pairing.checkins.create(
            held_on=timezone.localdate() - timedelta(days=10),
            logged_by=mentee,
            summary="Met",
            rating=5,
        )
        make_pairing(
            program=program,
            guide=mentor,
            learner=other,
            status=Pairing.Status.DECLINED,
            proposed_at=now - timedelta(days=5),
            decline_reason=PairingMember.DeclineReason.POOR_FIT,
        )
        SurveyResponse.objects.create(participant=mentee, rating=4, what_helped=f"Help {n}")


@pytest.mark.parametrize("rows", [1, 3])
def test_dashboard_query_count_is_the_same_for_1_and_3_rows(
    client, hr_admin, program, django_assert_num_queries, rows
):
    _dashboard_scene(program, rows)
    client.force_login(hr_admin)
    # session, user, HR group, navbar's employee, programme, then the figures: enrolment,
    # match rate, outcomes, declines, acceptance times, check-in spans, check-ins held,
    # stalled (none here, so no members to load), free mentors' topics, wanted topics,
    # topic names, survey totals, survey comments with their participants
    with django_assert_num_queries(18):
        response = client.get(reverse("hr:dashboard", args=[program.slug]))
    figures = response.context["health"]
    assert figures["match"] == {"total": 2 * rows, "matched": rows, "rate": 50.0}
    assert figures["survey"]["count"] == rows


def test_dashboard_draws_svg_charts_without_inline_styles(client, hr_admin, program):
    _dashboard_scene(program, 1)
    client.force_login(hr_admin)

    page = client.get(reverse("hr:dashboard", args=[program.slug])).content.decode()

    assert page.count('<svg class="chart"') == 6
    assert "style=" not in page
    assert "Help 0" in page
    csv_url = reverse("hr:dashboard_csv", args=[program.slug])
    assert f'href="{csv_url}?chart=topics"' in page


@pytest.mark.parametrize(
    ("chart", "rows"),
    [
        ("enrolment", [["role", "people"], ["Mentor", "1"], ["Mentee", "2"]]),
        ("checkins", [["held", "due"], ["1", "1"]]),
        (
            "topics",
            [
                ["topic", "mentees_wanting", "mentees_waiting", "free_mentors_offering"],
                ["Budgeting", "1", "1", "0"],
                ["Topic 0", "1", "0", "0"],
                ["Python", "1", "0", "1"],
            ],
        ),
        (
            "decline_reasons",
            [
                ["reason", "declines"],
                ["Our goals don't fit", "1"],
                ["I don't have time right now", "0"],
                ["We already work closely together", "0"],
                ["Conflict of interest", "0"],
                ["Another reason", "0"],
            ],
        ),
    ],
)
def test_dashboard_csv_has_each_charts_numbers(client, hr_admin, program, chart, rows):
    _dashboard_scene(program, 1)
    client.force_login(hr_admin)

    response = client.get(reverse("hr:dashboard_csv", args=[program.slug]), {"chart": chart})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.content.decode()))) == rows


def test_dashboard_csv_of_an_unknown_chart_is_404(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.get(reverse("hr:dashboard_csv", args=[program.slug]), {"chart": "x"})
    assert response.status_code == 404


def test_pairing_export_writes_one_row_per_pairing(client, hr_admin, program, people):
    proposed_at = timezone.now() - timedelta(days=5)
    pairing = make_pairing(
        program=program,
        guide=people["ada"],
        learner=people["cy"],
        status=Pairing.Status.PROPOSED,
        proposed_at=proposed_at,
    )
    client.force_login(hr_admin)

    response = client.get(reverse("hr:pairing_export", args=[program.slug]))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "pairing", "status", "source", "score", "mentor_email", "mentor_name",
            "member_emails", "member_names", "proposed_at", "activated_at", "ended_at",
            "checkins", "last_checkin",
        ],
        [
            str(pairing.pk), "proposed", "matching", "80.0", "ada@example.org", "Ada Mentor",
            "cy@example.org", "Cy Mentee", proposed_at.isoformat(), "", "", "0", "",
        ],
    ]  # fmt: skip


def test_peer_programme_pages_render(client, hr_admin):
    program = make_program(kind=Program.Kind.PEER_COACHING, admins=[hr_admin])
    for n in range(4):
        make_participant(program=program, role=Participant.Role.PEER, goals=["Python", f"T{n}"])
    client.force_login(hr_admin)

    run = _start_run(client, program)
    review = client.get(reverse("hr:matchrun_detail", args=[run.pk])).context["review"]
    dashboard = client.get(reverse("hr:dashboard", args=[program.slug]))

    assert review["totals"]["matched"] == 4
    assert len(review["pairings"]) == 2
    assert dashboard.context["health"]["topics"] == []


# --- Query counts of the lists ------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_matching_page_query_count_is_the_same_for_1_and_3_runs(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for _ in range(rows):
        MatchRun.objects.create(program=program, created_by=hr_admin)
    client.force_login(hr_admin)
    # session, user, HR group, programme, navbar's employee, the runs with who started them
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:matchrun_create", args=[program.slug]))
    assert len(response.context["runs"]) == rows
    assert response.content.decode().count("<td>Hana HR</td>") == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_run_review_query_count_is_the_same_for_1_and_3_pairings(
    client, hr_admin, program, django_assert_num_queries, rows
):
    for n in range(rows):
        make_participant(
            program=program,
            role=MENTOR,
            employee_kwargs={"level": 5},
            expertise=[f"Topic {n}"],
            capacity=1,
        )
        make_participant(program=program, employee_kwargs={"level": 3}, goals=[f"Topic {n}"])
    client.force_login(hr_admin)
    run = _start_run(client, program)
    # session, user, HR group, run with its programme, the programme's people (one query
    # whatever the number of pairings in the result), navbar's employee
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:matchrun_detail", args=[run.pk]))
    assert len(response.context["review"]["pairings"]) == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_pairing_export_query_count_is_the_same_for_1_and_3_pairings(
    client, hr_admin, program, django_assert_num_queries, rows
):
    now = timezone.now()
    for _ in range(rows):
        pairing = make_pairing(
            program=program,
            guide=make_participant(program=program, role=MENTOR),
            learner=make_participant(program=program),
            status=Pairing.Status.ACTIVE,
            proposed_at=now - timedelta(days=20),
            answered_after=timedelta(days=1),
            activated_at=now - timedelta(days=19),
        )
        pairing.checkins.create(
            held_on=timezone.localdate() - timedelta(days=3),
            logged_by=pairing.members.get(role=PairingMember.Role.LEARNER).participant,
            summary="Met",
            rating=4,
        )
    client.force_login(hr_admin)
    # session, user, HR group, programme, pairings with their check-in figures, members
    with django_assert_num_queries(6):
        response = client.get(reverse("hr:pairing_export", args=[program.slug]))
    rows_written = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows_written) == 1 + rows
    assert [row[11] for row in rows_written[1:]] == ["1"] * rows
