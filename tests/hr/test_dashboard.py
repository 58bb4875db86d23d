"""A programme's health dashboard, its charts as CSV, and the pairings export."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing.hr.selectors import TREND_WEEKS, program_health, week_start
from pairing.models import Pairing, PairingMember, Reminder, SurveyResponse
from pairing.services import proposal_accept
from programs.models import Participant
from tests.factories import make_participant, make_proposal
from tests.hr.test_selectors import make_pairing

pytestmark = pytest.mark.django_db


MENTOR = Participant.Role.MENTOR


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
        # A reminder a worker died handing over, sent again since.
        Reminder.objects.create(
            pairing=pairing,
            recipient=mentor.employee.user,
            kind=Reminder.Kind.CHECKIN_DUE,
            due_on=timezone.localdate(),
            send_after=now,
            doubted_at=now,
            sent_at=now,
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
    # stalled (none here, so no members to load), reminders in doubt (count, latest),
    # free mentors' topics, wanted topics, topic names, survey totals, survey comments
    # with their participants, enrolments by day (the weekly trends; their acceptances and
    # check-ins come with the acceptance times and the check-ins held, by day)
    with django_assert_num_queries(21):
        response = client.get(reverse("hr:dashboard", args=[program.slug]))
    figures = response.context["health"]
    assert figures["match"] == {
        "total": 2 * rows,
        "matched": rows,
        "proposed": 0,
        "accepted": 0,
        "active": rows,
        "waiting": rows,
        "unpaired": rows,
        "rate": 50.0,
    }
    assert figures["survey"]["count"] == rows
    assert figures["in_doubt_count"] == rows
    assert response.content.decode().count("sent again") == rows


def test_dashboard_draws_charts_with_tables_and_without_inline_styles(client, hr_admin, program):
    _dashboard_scene(program, 1)
    client.force_login(hr_admin)

    page = client.get(reverse("hr:dashboard", args=[program.slug])).content.decode()

    # match, enrolment, outcomes, declines, check-ins, ratings, topics; three weekly trends
    charts = re.findall(r'<div class="chart( chart-short-labels)?" id="chart-', page)
    # Long labels (the statuses, the reasons) go above their bars on a phone.
    assert (len(charts), charts.count("")) == (10, 3)
    assert page.count('<details class="chart-table">') == 10
    assert page.count('role="img" aria-label="') == 10
    assert (
        'aria-label="Mentees by pairing status: Active: 1 mentees; Accepted (starts later): '
        '0 mentees; Proposed, no answer yet: 0 mentees; In no pairing: 1 mentees"' in page
    )
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
            "match",
            [
                ["status", "mentees"],
                ["Active", "1"],
                ["Accepted (starts later)", "0"],
                ["Proposed, no answer yet", "0"],
                ["In no pairing", "1"],
            ],
        ),
        # Only the mentee still waiting counts; the matched one's topics are left out.
        (
            "topics",
            [["topic", "mentees_waiting", "free_mentors_offering"], ["Budgeting", "1", "0"]],
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


def test_dashboard_csv_of_a_weekly_trend_has_every_week(client, hr_admin, program):
    _dashboard_scene(program, 1)  # its check-in was held 10 days ago
    client.force_login(hr_admin)
    today = timezone.localdate()
    weeks = [week_start(today) - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
    held_in = week_start(today - timedelta(days=10))

    response = client.get(
        reverse("hr:dashboard_csv", args=[program.slug]), {"chart": "checkins_weekly"}
    )

    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["week", "week_starts", "checkins"],
        *([f"{w:%G}-W{w:%V}", w.isoformat(), "1" if w == held_in else "0"] for w in weeks),
    ]


def _match_rate_says(page: str) -> str:
    return re.search(r'<div class="small match-rate-says">(.*?)</div>', page, re.S).group(1)


def test_dashboard_counts_published_proposals_as_no_match_until_accepted(client, hr_admin, program):
    mentors = [make_participant(program=program, role=MENTOR) for _ in range(3)]
    mentees = [make_participant(program=program) for _ in range(4)]
    proposals = [
        make_proposal(guide=mentor, learner=mentee)
        for mentor, mentee in zip(mentors, mentees, strict=False)
    ]
    client.force_login(hr_admin)
    url = reverse("hr:dashboard", args=[program.slug])

    published = client.get(url)
    guide = proposals[0].members.get(role=PairingMember.Role.GUIDE)
    proposal_accept(member=guide, user=guide.participant.employee.user)
    accepted = client.get(url)

    assert published.context["health"]["match"]["rate"] == 0.0
    assert _match_rate_says(published.content.decode()) == (
        "0 of 4 mentees matched: in a pairing that is accepted or active. A proposal not "
        "answered yet does not count; 3 more have one waiting."
    )
    assert accepted.context["health"]["match"]["rate"] == 25.0
    assert _match_rate_says(accepted.content.decode()) == (
        "1 of 4 mentees matched: in a pairing that is accepted or active. A proposal not "
        "answered yet does not count; 2 more have one waiting."
    )


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

    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
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
        text = b"".join(response.streaming_content).decode()
    rows_written = list(csv.reader(io.StringIO(text)))
    assert len(rows_written) == 1 + rows
    assert [row[11] for row in rows_written[1:]] == ["1"] * rows


@pytest.mark.parametrize(
    ("chart", "reads"),
    [
        # session, user, HR group, programme, then the chart's own figures
        ("enrolment", 1),
        ("decline_reasons", 1),
        ("acceptances_weekly", 3),  # acceptances, check-ins by day, enrolments by day
    ],
)
def test_dashboard_csv_reads_only_its_own_charts_figures(
    client, hr_admin, program, django_assert_num_queries, chart, reads
):
    _dashboard_scene(program, 1)
    client.force_login(hr_admin)

    with django_assert_num_queries(4 + reads):
        response = client.get(reverse("hr:dashboard_csv", args=[program.slug]), {"chart": chart})

    assert response.status_code == 200


def test_program_health_refuses_a_part_it_does_not_have(program):
    with pytest.raises(ValueError, match=r"unknown dashboard parts: \['nonsense'\]"):
        program_health(program=program, parts=["enrolment", "nonsense"])
