"""Reasons as data, worded for each reader: a pair's criteria out of their weights, and why
someone is left unmatched, for the person (``match --json``) and for HR (with the fix)."""

import pytest

from pairing.matching import (
    Criterion,
    Person,
    Reason,
    Rules,
    criteria,
    criterion_for_hr,
    for_hr,
    score_pair,
    solve,
)
from pairing.matching.wording import for_person

MENTORING = Rules(kind="mentoring")
REVERSE = Rules(kind="reverse_mentoring")
PEERS = Rules(kind="peer_coaching")


def guide(key="g", level=5, **kw):
    return Person(key=key, role="guide", level=level, **kw)


def learner(key="l", level=3, **kw):
    return Person(key=key, role="learner", level=level, **kw)


def peer(key, level=3, **kw):
    return Person(key=key, role="peer", level=level, **kw)


def _for_hr(found: list[Criterion]) -> list[tuple[str, float, float, bool, str]]:
    return [(c.name, c.points, c.weight, c.scored, criterion_for_hr(c.reason)) for c in found]


def test_criteria_give_points_out_of_the_weights_and_hr_words():
    offers = frozenset({"Hiring", "Public speaking", "Python"})
    wants = frozenset({"hiring", " Public  speaking", "Budgeting", "Writing"})
    a = guide(department="Sales", style="reflective", expertise=offers)
    b = learner(department="Engineering", style="directive", goals=wants)

    found = criteria(score_pair(a, b, MENTORING), a, b, MENTORING)

    assert _for_hr(found) == [
        ("goals", 25.0, 50, True, "covers 2 of the mentee's 4 goals (hiring, Public speaking)"),
        ("level", 25.0, 25, True, "the mentor is 2 levels above the mentee, the ideal gap"),
        ("style", 0.0, 20, False, "the mentor prefers reflective feedback, the mentee directive"),
        ("department", 5.0, 5, True, "different departments (Sales and Engineering)"),
    ]


def test_criteria_for_a_same_department_pair_score_the_department_zero():
    a = guide(level=6, department="Engineering", style="either")
    b = learner(department="engineering ", style="reflective", goals=frozenset({"x"}))

    found = criteria(score_pair(a, b, MENTORING), a, b, MENTORING)

    assert _for_hr(found) == [
        ("goals", 0.0, 50, False, "covers 0 of the mentee's 1 goal"),
        ("level", pytest.approx(16.67, abs=0.01), 25, True,
         "the mentor is 3 levels above the mentee (ideal gap: 2)"),
        ("style", 20.0, 20, True,
         "the mentor is happy to give the reflective feedback the mentee prefers"),
        ("department", 0.0, 5, False, "both in Engineering"),
    ]  # fmt: skip


def test_criteria_for_peers_and_reverse_mentoring():
    a = peer("a", level=4, goals=frozenset({"x", "y"}), style="directive")
    b = peer("b", level=3, goals=frozenset({"y", "z"}), style="directive")
    junior = guide(level=2)
    senior = learner(level=4, goals=frozenset({"x"}), style="reflective")

    peers = criteria(score_pair(a, b, PEERS), a, b, PEERS)
    reverse = criteria(score_pair(junior, senior, REVERSE), junior, senior, REVERSE)

    assert [criterion_for_hr(c.reason) for c in peers] == [
        "shares 1 of 3 goals named between them (y)",
        "1 level apart",
        "both prefer directive feedback",
        "neither has a department",
    ]
    assert [c.points for c in peers] == [pytest.approx(50 / 3), 12.5, 20.0, 0.0]
    assert criterion_for_hr(reverse[1].reason) == (
        "the mentor is 2 levels below the mentee, the ideal gap"
    )
    assert criterion_for_hr(reverse[2].reason) == (
        "the mentor is happy to give the reflective feedback the mentee prefers"
    )


def test_a_criterion_round_trips_through_json():
    a, b = guide(expertise=frozenset({"x"})), learner(goals=frozenset({"x"}))
    found = criteria(score_pair(a, b, MENTORING), a, b, MENTORING)

    assert [Criterion.from_dict(c.to_dict()) for c in found] == found


def _why(result):
    return {u.key: u.why for u in result.unmatched}


def test_no_mentor_at_a_suitable_level_for_the_person_and_for_hr():
    result = solve([guide(level=5), learner("ana", level=6)], MENTORING)

    (reason,) = _why(result)["ana"]

    assert reason == Reason(
        "no_guide_in_range", {"level": 6, "min_gap": 1, "max_gap": 3, "direction": "above"}
    )
    assert for_person(reason) == "no mentor 1–3 levels above you (you are level 6)"
    assert for_hr(reason, "Ana") == (
        "no mentor 1–3 levels above Ana (level 6): enrol a more senior mentor or widen the gap "
        "in settings"
    )
    assert result.unmatched[0].reasons == [for_person(reason)]


def test_reverse_mentoring_asks_for_a_more_junior_mentor():
    result = solve([guide(level=5), learner("ana", level=1)], REVERSE)

    (reason,) = _why(result)["ana"]

    assert for_hr(reason, "Ana") == (
        "no mentor 1–3 levels below Ana (level 1): enrol a more junior mentor or widen the gap "
        "in settings"
    )


def test_ruled_out_mentors_are_named_by_cause_for_hr():
    people = [guide("boss"), guide("rep", manager="me"), guide("g"), learner("me", manager="boss")]
    only_manager = [guide("boss"), learner("me", manager="boss")]

    (every,) = _why(solve(people, MENTORING, excluded=[("g", "me")]))["me"]
    (manager,) = _why(solve(only_manager, MENTORING))["me"]
    (declined,) = _why(solve([guide("g"), learner("me")], MENTORING, excluded=[("me", "g")]))["me"]

    assert for_hr(every, "Ana") == (
        "all 3 mentors at a suitable level for Ana are ruled out (Ana's manager, 1 person who "
        "reports to Ana, 1 declined pairing): enrol another mentor at a suitable level"
    )
    assert for_hr(declined, "Ana") == (
        "the only mentor at a suitable level for Ana is ruled out (1 declined pairing): enrol "
        "another mentor at a suitable level"
    )
    assert for_hr(manager, "Ana") == (
        "Ana's manager is the only mentor at a suitable level: enrol another mentor at a "
        "suitable level"
    )


def test_fully_booked_mentors_with_the_goals_for_hr():
    people = [
        guide("g", capacity=1, expertise=frozenset({"Hiring"}), label="Gina"),
        learner("a", goals=frozenset({"Hiring", "Budgeting"})),
        learner("b", goals=frozenset({"hiring", "budgeting"}), department="Other"),
    ]

    result = solve(people, MENTORING)

    assert [for_hr(reason, "Ana") for reason in _why(result)["a"]] == [
        "the only possible mentor for Ana (Gina) is fully booked, and placing Ana would not "
        "match more people or raise the overall fit: raise a mentor's capacity or enrol more "
        "mentors",
        "no mentor Ana could be paired with covers Budgeting: enrol a mentor who offers it",
        "the only mentor who covers Hiring is fully booked",
    ]


def test_zero_capacity_and_no_mentors_for_hr():
    (full,) = _why(solve([guide("g", capacity=0), learner("a")], MENTORING))["a"]
    (none,) = _why(solve([learner("a")], MENTORING))["a"]

    assert for_hr(full, "Ana") == (
        "the only mentor Ana could be paired with has no free places: raise a mentor's capacity "
        "or enrol another mentor"
    )
    assert for_hr(none, "Ana") == "there are no mentors in this programme: enrol or import mentors"


def test_peer_reasons_for_hr():
    people = [peer("a"), peer("b"), peer("c"), peer("d", level=6)]

    why = _why(solve(people, PEERS, pinned=[("c", "a")]))
    (alone,) = _why(solve([peer("a")], PEERS))["a"]

    assert [for_hr(reason, "Bo") for reason in why["b"]] == [
        "all 2 possible peers for Bo (a, c) are already paired, and placing Bo would not match "
        "more people or raise the overall fit: enrol more peers at a suitable level"
    ]
    assert [for_hr(reason, "Di") for reason in why["d"]] == [
        "no other peer within 1 level of Di (level 6): enrol peers at a nearer level or widen "
        "the gap in settings"
    ]
    assert for_hr(alone, "Al") == "Al is the only peer in this programme: enrol more peers"


def test_time_limit_reason_for_hr():
    # Every learner ranks the ten stars first: stopped before pricing, ten are left over
    # although the plain mentor has room (see test_solve's crowded market).
    stars = [guide(f"star{i}", expertise=frozenset({"x"})) for i in range(10)]
    people = [*stars, guide("plain", level=4, capacity=20),
              *(learner(f"l{i:02d}", goals=frozenset({"x"})) for i in range(20))]  # fmt: skip

    result = solve(people, MENTORING, time_budget=0)

    assert [u.why for u in result.unmatched] == [(Reason("time_limit", {"role": "mentor"}),)] * 10
    assert for_hr(result.unmatched[0].why[0], "Ana") == (
        "Ana was not placed before the time limit, though mentors who suit them still have "
        "room: run matching again"
    )


def test_a_reason_round_trips_through_json():
    reason = Reason("goal_booked", {"goal": "Hiring", "count": 2})
    assert Reason.from_dict(reason.to_dict()) == reason
