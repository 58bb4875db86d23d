import pytest
from django.test import override_settings

from pairing.matching import Person, Reason, criterion_for_hr
from pairing.matching.domain import Signals
from pairing.matchmaking import runs
from pairing.matchmaking.adapter import rules_for
from pairing.matchmaking.contract import outcome_to_contract_json
from pairing.matchmaking.pool import program_people
from pairing.matchmaking.runs import (
    MatchingError,
    match_run_pin,
    match_run_publish,
    match_run_remove,
    match_run_start,
    outcome_totals,
    program_match,
    proposals_commit,
)
from pairing.models import Choice, MatchRun, Pairing, PairingMember, RatherNot
from programs.models import AuditEvent, Participant, Program
from tests.factories import make_employee, make_participant, make_program

pytestmark = pytest.mark.django_db


def _mentor(program, level=4, **extra):
    return make_participant(
        program=program,
        role="mentor",
        employee=make_employee(level=level, department=extra.pop("department", "Sales")),
        **extra,
    )


def _mentee(program, level=2, **extra):
    return make_participant(
        program=program,
        role="mentee",
        employee=make_employee(
            level=level,
            department=extra.pop("department", "Engineering"),
            manager=extra.pop("manager", None),
        ),
        **extra,
    )


def _pairing(program, guide, learner, status=Pairing.Status.ACCEPTED, guide_response="accepted"):
    pairing = Pairing.objects.create(program=program, status=status)
    live = status in Pairing.LIVE_STATUSES
    PairingMember.objects.create(
        pairing=pairing,
        participant=guide,
        role="guide",
        response=guide_response,
        live=live,
        decline_reason="no_time" if guide_response == "declined" else "",
    )
    PairingMember.objects.create(
        pairing=pairing, participant=learner, role="learner", response="accepted", live=live
    )
    return pairing


def test_rules_come_from_the_programme():
    program = make_program(
        kind=Program.Kind.REVERSE_MENTORING, min_gap=2, ideal_gap=2, max_gap=4, weight_goals=60
    )

    rules = rules_for(program)

    assert (rules.kind, rules.min_gap, rules.ideal_gap, rules.max_gap) == (
        "reverse_mentoring",
        2,
        2,
        4,
    )
    assert (rules.weight_goals, rules.weight_level, rules.weight_style) == (60, 25, 20)


def test_people_carry_topics_manager_and_free_capacity():
    program = make_program()
    mentor = _mentor(
        program, capacity=3, expertise=["Public Speaking", "Python"], style="directive"
    )
    boss = _mentor(program, level=6)
    mentee = _mentee(program, goals=["public speaking"], manager=boss.employee)
    other = _mentee(program)
    _pairing(program, mentor, other)
    make_participant(program=program, role="mentee", withdrawn_at="2020-01-01T00:00Z")

    pool = program_people(program)

    people = {p.key: p for p in pool.people}
    assert people[str(mentor.pk)] == Person(
        key=str(mentor.pk),
        role="guide",
        level=4,
        department="Sales",
        manager=None,
        goals=frozenset(),
        expertise=frozenset({"Public Speaking", "Python"}),
        style="directive",
        capacity=2,
        label=mentor.employee.name,
    )
    assert people[str(mentee.pk)].manager == str(boss.pk)
    assert people[str(mentee.pk)].goals == frozenset(
        {"Public Speaking"}
    )  # the same topic: one per key
    assert set(people) == {str(mentor.pk), str(boss.pk), str(mentee.pk)}
    assert (pool.already_paired, pool.full_guides) == (1, 0)


def test_unanswered_proposals_free_their_places_answered_ones_do_not():
    program = make_program(kind=Program.Kind.MENTORING)
    mentor = _mentor(program, capacity=2)
    waiting, answered = _mentee(program), _mentee(program)
    _pairing(program, mentor, waiting, status=Pairing.Status.PROPOSED, guide_response="pending")
    _pairing(program, mentor, answered, status=Pairing.Status.PROPOSED, guide_response="accepted")

    pool = program_people(program)

    people = {p.key: p for p in pool.people}
    assert people[str(mentor.pk)].capacity == 1
    assert str(waiting.pk) in people
    assert str(answered.pk) not in people


def test_a_full_guide_is_left_out():
    program = make_program()
    mentor = _mentor(program, capacity=1)
    _pairing(program, mentor, _mentee(program))

    pool = program_people(program)

    assert (pool.people, pool.already_paired, pool.full_guides) == ([], 1, 1)


@pytest.mark.parametrize("size", [1, 3])
def test_building_people_takes_the_same_queries_for_1_and_3(size, django_assert_num_queries):
    program = make_program()
    for _ in range(size):
        manager = make_employee(level=6)
        _mentor(program, expertise=["Python"])
        mentee = _mentee(program, goals=["Python", "Hiring"], manager=manager)
        _pairing(program, _mentor(program), mentee)

    # participants, goals, expertise, live pairing members, guide loads; choices, marks;
    # lapses, declines, early endings, pairing members, check-ins, surveys
    with django_assert_num_queries(13):
        pool = program_people(program)

    assert len(pool.people) == 2 * size


def test_program_match_maps_back_and_compares_with_greedy():
    program = make_program()
    mentor = _mentor(program, capacity=1, expertise=["Python"])
    mentee = _mentee(program, goals=["Python"])
    _mentee(program, level=5)  # no mentor 1-3 levels above

    outcome = program_match(program)
    contract = outcome_to_contract_json(outcome)

    assert contract["pairings"] == [
        {
            "guide": mentor.employee.email,
            "members": [mentee.employee.email],
            "score": 100.0,
            "breakdown": {"goals": 50.0, "level": 25.0, "style": 20.0, "department": 5.0},
        }
    ]
    assert [u["email"] for u in contract["unmatched"]] == [
        p.employee.email for p in program.participants.filter(employee__level=5, role="mentee")
    ]
    assert contract["spare_capacity"] == []
    assert outcome.greedy == (1, 100.0)
    assert outcome_totals(outcome)["score_above_greedy"] == 0.0


def test_commit_refuses_an_outcome_overtaken_by_an_acceptance():
    program = make_program()
    mentor = _mentor(program, capacity=1)
    mentee = _mentee(program)
    outcome = program_match(program)
    _pairing(program, _mentor(program), mentee)

    with pytest.raises(MatchingError) as error:
        proposals_commit(program=program, outcome=outcome)

    assert str(error.value) == (
        f"{mentee.employee.name} has been paired since this run; run matching again."
    )
    assert Pairing.objects.filter(members__participant=mentor).count() == 0


def _two_pairs_programme():
    program = make_program()
    mentors = [_mentor(program, capacity=1, expertise=[t]) for t in ("Python", "Sales")]
    mentees = [_mentee(program, goals=[t]) for t in ("Python", "Sales")]
    return program, mentors, mentees


def _run_pairs(run):
    """The run's stored pairs (participant keys), by email."""
    email = dict(
        Participant.objects.filter(program=run.program).values_list("pk", "employee__email")
    )
    return sorted(
        (email[int(p["guide"])], email[int(p["members"][0])]) for p in run.result["pairings"]
    )


def test_match_run_start_computes_small_programmes_inline(hr_admin):
    program, mentors, mentees = _two_pairs_programme()

    run = match_run_start(program=program, actor=hr_admin)

    assert (run.status, run.progress, run.created_by) == (MatchRun.Status.DONE, 100, hr_admin)
    assert _run_pairs(run) == sorted(
        (m.employee.email, e.employee.email) for m, e in zip(mentors, mentees, strict=True)
    )
    assert run.result["totals"] == {
        "people": 4,
        "seekers": 2,
        "matched": 2,
        "pairings": 2,
        "total_score": 200.0,
        "average_score": 100.0,
        "max_score": 100,
        "greedy_matched": 2,
        "greedy_total_score": 200.0,
        "more_matched_than_greedy": 0,
        "score_above_greedy": 0.0,
        "certified": True,
        "waited": 0,
        "waited_matched": 0,
        "already_paired": 0,
        "full_guides": 0,
        # Nobody ranked anyone: nothing to count, and both matchings are stable.
        "ranks": {
            **{
                side: {
                    "first": 0, "second": 0, "third": 0, "none": 0, "ranked": 0,
                    "top_three": None, "mean_rank": None, "blocking_pairs": 0,
                }
                for side in ("ours", "baseline")
            },
            "baseline_name": "deferred acceptance",
        },
    }  # fmt: skip
    assert list(program.audit_events.values_list("action", flat=True)) == ["matching_run"]


@override_settings(MATCHING_INLINE_LIMIT=3)
def test_match_run_start_queues_big_programmes(hr_admin, django_capture_on_commit_callbacks):
    program, _, _ = _two_pairs_programme()

    with django_capture_on_commit_callbacks() as callbacks:
        run = match_run_start(program=program, actor=hr_admin)

    assert (run.status, len(callbacks)) == (MatchRun.Status.QUEUED, 1)
    callbacks[0]()  # the eager task, as a worker would run it
    run.refresh_from_db()
    assert (run.status, run.result["totals"]["matched"]) == (MatchRun.Status.DONE, 2)


def test_match_run_pin_forces_a_pair_and_remove_takes_it_out(hr_admin):
    program, mentors, mentees = _two_pairs_programme()
    run = match_run_start(program=program, actor=hr_admin)

    run = match_run_pin(
        run=run, first=str(mentors[0].pk), second=str(mentees[1].pk), actor=hr_admin
    )

    assert run.pins == [[str(mentors[0].pk), str(mentees[1].pk)]]
    assert _run_pairs(run) == sorted(
        [
            (mentors[0].employee.email, mentees[1].employee.email),
            (mentors[1].employee.email, mentees[0].employee.email),
        ]
    )

    run = match_run_remove(run=run, pair=[str(mentors[0].pk), str(mentees[1].pk)], actor=hr_admin)

    assert (run.pins, run.removed) == ([], [[str(mentors[0].pk), str(mentees[1].pk)]])
    assert _run_pairs(run) == sorted(
        (m.employee.email, e.employee.email) for m, e in zip(mentors, mentees, strict=True)
    )
    assert list(program.audit_events.values_list("action", flat=True)) == [
        "pair_removed",
        "pair_pinned",
        "matching_run",
    ]


def test_match_run_pin_refuses_a_pair_the_rules_forbid(hr_admin):
    program = make_program()
    mentor = _mentor(program, level=3)
    mentee = _mentee(program, level=3)
    run = match_run_start(program=program, actor=hr_admin)

    with pytest.raises(MatchingError) as error:
        match_run_pin(run=run, first=str(mentor.pk), second=str(mentee.pk), actor=hr_admin)

    assert str(error.value) == (
        f"{mentor.employee.name} and {mentee.employee.name} cannot be paired under the "
        "programme's rules (their levels are too far apart)."
    )
    run.refresh_from_db()
    assert run.pins == []


def test_match_run_publish_writes_proposals_once(
    hr_admin, mailoutbox, django_capture_on_commit_callbacks
):
    program, mentors, mentees = _two_pairs_programme()
    stale = _pairing(program, mentors[0], mentees[1], status="proposed", guide_response="pending")
    run = match_run_start(program=program, actor=hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        pairings = match_run_publish(run=run, actor=hr_admin)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    assert not Pairing.objects.filter(pk=stale.pk).exists()
    assert sorted(
        (p.members.get(role="guide").participant_id, p.members.get(role="learner").participant_id)
        for p in pairings
    ) == sorted((m.pk, e.pk) for m, e in zip(mentors, mentees, strict=True))
    assert {(p.match_run_id, p.score, p.source) for p in pairings} == {(run.pk, 100.0, "matching")}
    first = next(p for p in pairings if p.members.filter(participant=mentors[0]).exists())
    assert first.reasons == [
        "covers your goal (Python)",
        "2 levels above you",
        "open to either feedback style, as you are",
        "from Sales",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.employee.email for m in mentors)
    assert program.audit_events.first().action == AuditEvent.Action.PUBLISHED
    with pytest.raises(MatchingError) as error:
        match_run_publish(run=run, actor=hr_admin)
    assert str(error.value) == "This run has already been published."
    assert Pairing.objects.filter(program=program).count() == 2


def test_a_failing_run_records_the_error_and_cannot_be_published(hr_admin, monkeypatch):
    program, _, _ = _two_pairs_programme()

    def explode(*args, **kwargs):
        raise RuntimeError("the solver ran out of memory")

    monkeypatch.setattr(runs, "program_match", explode)
    run = match_run_start(program=program, actor=hr_admin)

    assert (run.status, run.error, run.result) == (
        MatchRun.Status.FAILED,
        "the solver ran out of memory",
        {},
    )
    with pytest.raises(MatchingError) as error:
        match_run_publish(run=run, actor=hr_admin)
    assert str(error.value) == "Only a finished run can be published (this one: failed)."
    assert Pairing.objects.count() == 0


def test_the_pool_reads_choices_marks_and_track_records():
    program = make_program()
    ghost, other = _mentor(program, expertise=["Python"]), _mentor(program, expertise=["Python"])
    mentee = _mentee(program, goals=["Python"])
    Choice.objects.create(chooser=mentee, candidate=other, rank=1)
    Choice.objects.create(chooser=mentee, candidate=ghost, rank=2)
    RatherNot.objects.create(guide=other, learner=mentee)
    for _ in range(2):
        _pairing(program, ghost, _mentee(program), status=Pairing.Status.EXPIRED,
                 guide_response="pending")  # fmt: skip

    people = {p.key: p for p in program_people(program).people}

    assert people[str(mentee.pk)].ranking == (str(other.pk), str(ghost.pk))
    assert people[str(other.pk)].rather_not == frozenset({str(mentee.pk)})
    assert people[str(ghost.pk)].signals == Signals(lapses=2)
    outcome = runs.program_match(program)
    pairing = outcome.result.pairings[0]
    # The first choice would rather not (20 - 20 = 0 points); the ghost is a second choice
    # (20 * 2/3) less 10 for two lapses in a row: the ghost still scores higher.
    assert (pairing.guide, round(pairing.breakdown.preference, 2), pairing.breakdown.history) == (
        str(ghost.pk), 13.33, -10.0
    )  # fmt: skip
    item = runs._run_item(outcome, pairing)
    words = {c["name"]: c for c in item["criteria"]}
    assert criterion_for_hr(Reason.from_dict(words["history"]["reason"])) == (
        f"{ghost.employee.name} let 2 proposals lapse without answering (-10)"
    )
    assert criterion_for_hr(Reason.from_dict(words["preference"]["reason"])) == (
        "the mentee's second choice"
    )
