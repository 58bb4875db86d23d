"""The HR admin's matching pages: access, a run's review, pin, remove and publish."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from pairing.hr.forms.matching import PinForm
from pairing.hr.views import matching as matching_views
from pairing.matchmaking.runs import match_run_execute
from pairing.models import Choice, MatchRun, Pairing, PairingMember
from programs.models import AuditEvent, Participant, Program
from tests.factories import (
    make_employee,
    make_hr_admin,
    make_participant,
    make_program,
    make_user,
)

pytestmark = pytest.mark.django_db


MENTOR = Participant.Role.MENTOR


def _program_pages(program):
    return [
        reverse("hr:program_edit", args=[program.slug]),
        reverse("hr:matchrun_create", args=[program.slug]),
        reverse("hr:dashboard", args=[program.slug]),
        reverse("hr:dashboard_csv", args=[program.slug]) + "?chart=enrolment",
        reverse("hr:pairing_export", args=[program.slug]),
    ]


def _start_run(client, program):
    response = client.post(reverse("hr:matchrun_create", args=[program.slug]))
    run = MatchRun.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:matchrun_detail", args=[run.pk])
    return run


def _pairs(review):
    return [(p.first.email, p.second.email) for p in review["pairings"]]


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
    posts = [reverse(f"hr:matchrun_{name}", args=[run.pk]) for name in ("pin", "remove", "publish")]
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


def _settings_post(program, **overrides):
    fields = [
        "name", "slug", "description", "kind", "matching_mode", "status", "enrol_opens",
        "enrol_closes", "starts_on", "ends_on", "checkin_cadence_days", "proposal_expiry_days",
        "max_requests_per_mentee", "max_requests_per_mentor", "default_capacity", "min_gap",
        "ideal_gap", "max_gap", "peer_max_gap", "weight_goals",
        "weight_level", "weight_style", "weight_department",
    ]  # fmt: skip
    data = {name: getattr(program, name) or "" for name in fields}
    return {**data, **overrides}


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
    ada_cy = review["pairings"][0]
    assert [(c.label, c.points, c.weight, c.text) for c in ada_cy.reasons] == [
        ("Goals", 50.0, 50, "covers 2 of the mentee's 2 goals (Leadership, Python)"),
        ("Level", 25.0, 25, "the mentor is 2 levels above the mentee, the ideal gap"),
        ("Feedback style", 20.0, 20, "both are open to either feedback style"),
    ]
    # Both work in Engineering: no points, so no reason, only a note of the zero.
    assert [(c.label, c.points, c.weight, c.text) for c in ada_cy.unscored] == [
        ("Other department", 0.0, 5, "both in Engineering"),
    ]
    assert [(person.email, reasons) for person, reasons in review["unmatched"]] == [
        (
            "ed@example.org",
            [
                "all 2 possible mentors for Ed Mentee (Ada Mentor, Bo Mentor) are fully booked, "
                "and placing Ed Mentee would not match more people or raise the overall fit: "
                "raise a mentor's capacity or enrol more mentors",
                "no mentor Ed Mentee could be paired with covers Budgeting: enrol a mentor who "
                "offers it",
            ],
        )
    ]
    page = response.content.decode()
    assert (
        "<li><strong>Goals: 50 of 50</strong> — covers 2 of the mentee&#x27;s 2 goals "
        "(Leadership, Python)</li>"
    ) in page
    assert "No points for other department (0 of 5: both in Engineering)." in page
    assert "Also in Engineering" not in page
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


def test_pin_by_picked_suggestion_or_by_name(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    client.post(
        reverse("hr:matchrun_pin", args=[run.pk]),
        {"first": "Bo Mentor (bo@example.org)", "second": "ed mentee"},
    )

    run.refresh_from_db()
    assert run.pins == [[str(people["bo"].pk), str(people["ed"].pk)]]


def test_pin_refuses_someone_outside_the_programme_on_the_field(client, hr_admin, program, people):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.post(
        reverse("hr:matchrun_pin", args=[run.pk]),
        {"first": "Ada Mentor", "second": "nobody@example.org"},
    )

    assert response.status_code == 400
    form = response.context["pin_form"]
    assert form.errors == {"second": ["Not in this programme: nobody@example.org."]}
    assert 'value="Ada Mentor"' in response.content.decode()  # what was typed stays
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


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (" ADA@example.org", "ed@example.org "),
        ("Ada Mentor (ada@example.org)", "Ed Mentee (ED@example.org) "),
        ("ada mentor", "  Ed Mentee"),
    ],
)
def test_the_pin_form_turns_a_pick_an_email_or_a_name_into_keys(program, people, first, second):
    run = MatchRun.objects.create(program=program)
    form = PinForm({"first": first, "second": second}, run=run)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["first"], form.cleaned_data["second"]) == (
        str(people["ada"].pk),
        str(people["ed"].pk),
    )


def test_the_pin_form_says_what_is_wrong_on_each_field(program, people):
    run = MatchRun.objects.create(program=program)
    make_participant(
        program=program, role=MENTOR, employee=make_employee(name="Ada Mentor", level=6)
    )

    def errors(first, second):
        form = PinForm({"first": first, "second": second}, run=run)
        assert not form.is_valid()
        return form.errors

    assert errors("ada@example.org", "zed@example.org") == {
        "second": ["Not in this programme: zed@example.org."]
    }
    # A name is looked up among the field's role: Cy is a mentee, not a mentor.
    assert errors("Cy Mentee", "Nobody") == {
        "first": ["No mentor of this programme is called Cy Mentee."],
        "second": ["No mentee of this programme is called Nobody."],
    }
    assert errors("ada mentor", "Cy Mentee") == {
        "first": ["2 mentors are called ada mentor: pick one from the list, which shows their "
                  "email."]
    }  # fmt: skip
    assert errors("ada@example.org", "") == {"second": ["This field is required."]}


def _options(page: str, datalist: str) -> list[str]:
    inside = re.search(f'<datalist id="{datalist}">(.*?)</datalist>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"></option>', inside)


def _values(response) -> list[str]:
    return re.findall(r'<option value="([^"]*)"></option>', response.content.decode())


def test_the_pin_form_suggests_from_the_run_and_searches_as_you_type(
    client, hr_admin, program, people
):
    client.force_login(hr_admin)
    run = _start_run(client, program)

    page = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()

    # Before anything is typed: the unmatched mentee, and no mentor has a place left.
    assert _options(page, "pin-second-options") == ["Ed Mentee (ed@example.org)"]
    assert _options(page, "pin-first-options") == []
    pick = reverse("hr:matchrun_pick", args=[run.pk, "first"])
    assert f'hx-get="{pick}"' in page
    assert 'list="pin-first-options"' in page
    assert _values(client.get(pick, {"first": "mentor"})) == [
        "Ada Mentor (ada@example.org)",
        "Bo Mentor (bo@example.org)",
    ]
    assert _values(client.get(pick, {"first": "BO@"})) == ["Bo Mentor (bo@example.org)"]
    picked = {"first": "Ada Mentor (ada@example.org)"}  # sent again once chosen
    assert _values(client.get(pick, picked)) == ["Ada Mentor (ada@example.org)"]
    second = reverse("hr:matchrun_pick", args=[run.pk, "second"])
    assert _values(client.get(second, {"second": " "})) == ["Ed Mentee (ed@example.org)"]
    assert client.get(reverse("hr:matchrun_pick", args=[run.pk, "third"])).status_code == 404
    assert client.post(pick, {"first": "a"}).status_code == 405


def test_the_pick_lists_are_404_for_an_hr_admin_of_another_programme(
    client, hr_admin, program, people
):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    client.force_login(make_hr_admin(name="Other HR"))
    pick = reverse("hr:matchrun_pick", args=[run.pk, "first"])
    assert client.get(pick, {"first": "Ada"}).status_code == 404


@pytest.mark.parametrize("rows", [1, 3])
def test_pick_search_query_count_is_the_same_for_1_and_3_people(
    client, hr_admin, program, django_assert_num_queries, rows
):
    run = MatchRun.objects.create(program=program, created_by=hr_admin)
    for n in range(rows):
        make_participant(program=program, employee=make_employee(name=f"Vik {n}"))
    client.force_login(hr_admin)
    url = reverse("hr:matchrun_pick", args=[run.pk, "second"])
    # session, user, HR group, run with its programme, the matching people, the viewer's
    # employee (the roles context processor)
    with django_assert_num_queries(6):
        response = client.get(url, {"second": "vik"})
    assert len(_values(response)) == rows


def test_a_run_with_many_pairs_shows_them_page_by_page(
    client, hr_admin, program, people, monkeypatch
):
    monkeypatch.setattr(matching_views, "PAIRINGS_PER_PAGE", 1)
    client.force_login(hr_admin)
    run = _start_run(client, program)
    url = reverse("hr:matchrun_detail", args=[run.pk])

    first, second = (client.get(url, {"page": page}) for page in (1, 2))

    assert [[p.first.name for p in r.context["pairings"]] for r in (first, second)] == [
        ["Ada Mentor"],
        ["Bo Mentor"],
    ]
    assert "page 2 of 2." in second.content.decode()
    assert len(second.context["review"]["pairings"]) == 2


def test_a_run_stored_before_reasons_were_kept_as_data_still_opens(
    client, hr_admin, program, people
):
    # The shape of a run computed by the previous release: words only, no criteria.
    keys = {name: str(p.pk) for name, p in people.items()}
    run = MatchRun.objects.create(
        program=program,
        status=MatchRun.Status.DONE,
        result={
            "objective": {},
            "totals": {"matched": 1, "seekers": 2, "pairings": 1, "average_score": 95.0},
            "pairings": [
                {
                    "guide": keys["ada"],
                    "members": [keys["cy"]],
                    "score": 95.0,
                    "breakdown": {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 0.0},
                    "pinned": False,
                }
            ],
            "unmatched": [{"key": keys["ed"], "reasons": ["no mentor 1–3 levels above you"]}],
            "spare_capacity": [],
        },
    )
    client.force_login(hr_admin)

    response = client.get(reverse("hr:matchrun_detail", args=[run.pk]))

    review = response.context["review"]
    assert review["unmatched"][0][1] == ["no mentor 1–3 levels above you"]
    assert (review["pairings"][0].criteria, review["max_score"]) == ([], 100)
    assert "run matching again to see them" in response.content.decode()


def test_the_run_says_in_words_what_it_gains_over_first_come_matching(client, hr_admin, program):
    # Ana can only have Sol; Ben suits Sol best but can also have Tom. Taking the best pair
    # first gives Sol to Ben and leaves Ana out.
    def mentor(name, level, expertise):
        employee = make_employee(name=name, level=level)
        make_participant(
            program=program, role=MENTOR, employee=employee, expertise=expertise, capacity=1
        )

    mentor("Sol Star", 5, ["X"])
    mentor("Tom Tall", 6, [])
    for name, level in (("Ana", 2), ("Ben", 3)):
        employee = make_employee(name=name, level=level)
        make_participant(program=program, employee=employee, goals=["X"])
    client.force_login(hr_admin)
    run = _start_run(client, program)

    page = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()

    versus = re.search(r'<dd class="col-sm-8 run-versus-greedy">(.*?)</dd>', page, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", "", versus).split()) == (
        "+1 mentee matched, +28.3 points compared with simple first-come matching, which takes "
        "the best-scoring pair still free, one pair at a time, and never goes back on a choice "
        "(it would match 1 with 95 points). This run weighs every possible pair together: first "
        "as many people matched as possible, then the highest total score."
    )


def test_the_points_are_out_of_the_programmes_own_weights(client, hr_admin, program, people):
    program.weight_goals, program.weight_level, program.weight_style = 55, 15, 15
    program.save(update_fields=["weight_goals", "weight_level", "weight_style"])
    client.force_login(hr_admin)
    run = _start_run(client, program)

    response = client.get(reverse("hr:matchrun_detail", args=[run.pk]))

    ada_cy = response.context["review"]["pairings"][0]
    assert [(c.label, c.points, c.weight) for c in ada_cy.criteria] == [
        ("Goals", 55.0, 55),
        ("Level", 15.0, 15),
        ("Feedback style", 15.0, 15),
        ("Other department", 0.0, 5),
    ]
    assert response.context["review"]["max_score"] == 90
    page = response.content.decode()
    assert '<p class="fw-semibold mb-1">85 of 90</p>' in page
    assert "<strong>Goals: 55 of 55</strong>" in page


def test_run_page_shows_the_rank_table_beside_deferred_acceptance(
    client, hr_admin, program, people
):
    by_email = {p.employee.email: p for p in Participant.objects.filter(program=program)}
    mentees = [p for p in by_email.values() if p.role == Participant.Role.MENTEE]
    mentors = sorted(
        (p for p in by_email.values() if p.role == Participant.Role.MENTOR),
        key=lambda p: p.employee.email,
    )
    for mentee in mentees:
        Choice.objects.create(chooser=mentee, candidate=mentors[0], rank=1)
    client.force_login(hr_admin)

    run = _start_run(client, program)
    response = client.get(reverse("hr:matchrun_detail", args=[run.pk]))

    ranks = run.result["totals"]["ranks"]
    assert (ranks["ours"]["ranked"], ranks["ours"]["first"]) == (len(mentees), 1)
    assert (ranks["baseline_name"], ranks["baseline"]["blocking_pairs"]) == (
        "deferred acceptance", 0
    )  # fmt: skip
    html = response.content.decode()
    assert html.count("Deferred acceptance") == 1
    assert "Wu et al. (JAMA Network Open, 2025)" in html
    assert "Stable roommates" not in html


def test_run_page_still_shows_a_rank_table_stored_under_deferred_acceptance(
    client, hr_admin, program, people
):
    client.force_login(hr_admin)
    run = _start_run(client, program)
    table = {"first": 7, "second": 0, "third": 0, "none": 0, "ranked": 7, "top_three": 100.0,
             "mean_rank": 1.0, "blocking_pairs": 0}  # fmt: skip
    run.result["totals"]["ranks"] = {"ours": table, "deferred_acceptance": dict(table, first=5)}
    run.save()

    html = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()

    assert '<th scope="col">Deferred acceptance</th>' in html
    assert '<tr><th scope="row">First choice</th><td>7</td><td>5</td></tr>' in html


def _peers_ranking(hr_admin, rankings):
    """A peer-coaching programme of peers who all fit together, each ranking others by
    their letter ("b" for the second peer)."""
    program = make_program(kind=Program.Kind.PEER_COACHING, admins=[hr_admin])
    peers = [
        make_participant(program=program, role=Participant.Role.PEER, goals=["Python"])
        for _ in rankings
    ]
    for peer, letters in zip(peers, rankings, strict=True):
        for rank, letter in enumerate(letters, start=1):
            Choice.objects.create(chooser=peer, candidate=peers["abcd".index(letter)], rank=rank)
    return program


def test_peer_run_page_shows_the_rank_table_beside_stable_roommates(client, hr_admin):
    program = _peers_ranking(hr_admin, ["b", "a", "d", "c"])
    client.force_login(hr_admin)

    run = _start_run(client, program)
    html = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()

    ranks = run.result["totals"]["ranks"]
    assert ranks["baseline_name"] == "stable roommates (Irving)"
    assert [(side["ranked"], side["first"], side["blocking_pairs"])
            for side in (ranks["ours"], ranks["baseline"])] == [(4, 4, 0), (4, 4, 0)]  # fmt: skip
    assert "Peers' ranked choices (4 ranked)" in html
    assert html.count("Stable roommates") == 1
    assert "Deferred acceptance" not in html
    assert "no stable matching exists" not in html


def test_peer_run_page_says_when_no_stable_matching_exists(client, hr_admin):
    # a, b and c each rank the next first: whoever is left out of a pair (d only wants
    # nobody) blocks with the one who ranks them first.
    program = _peers_ranking(hr_admin, ["bc", "ca", "ab", ""])
    client.force_login(hr_admin)

    run = _start_run(client, program)
    html = client.get(reverse("hr:matchrun_detail", args=[run.pk])).content.decode()

    ranks = run.result["totals"]["ranks"]
    assert (ranks["baseline"], ranks["ours"]["ranked"]) == (None, 3)
    assert "no stable matching exists" in html
    assert "Stable roommates</th>" not in html
