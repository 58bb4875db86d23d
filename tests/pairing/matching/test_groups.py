"""Group formation: against brute force on tiny pools, hard rules, bound, wording, shapes."""

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.matching import (
    Person,
    Reason,
    Rules,
    best_additions,
    exact_groups,
    for_hr,
    form_groups,
    group_violations,
    score_group,
    solve,
)
from pairing.matching import groups as groups_module
from pairing.matching.bench import run_group_benchmark, synthetic_org
from pairing.matching.domain import for_person
from tests.pairing.matching.test_properties import pools


def _group_total(members, rules, guide):
    peers, mentoring = groups_module.peer_rules(rules), groups_module.guide_rules(rules)
    total = 0.0
    for a, b in combinations(members, 2):
        total += groups_module._pair_breakdown(a, b, peers).total
    if guide is not None:
        total += sum(groups_module._pair_breakdown(guide, m, mentoring).total for m in members)
    return total


def brute_force_groups(people, rules, excluded):
    """(placed, total) of the best valid grouping, by enumerating every partition."""
    learners = sorted((p for p in people if p.role != "guide"), key=lambda p: p.key)
    guides = [p for p in people if p.role == "guide"]
    mentoring = rules.kind == "group_mentoring"
    best = (0, 0.0)

    def walk(rest, room, placed, total):
        nonlocal best
        if not rest:
            if (placed, total) > (best[0], best[1] + 1e-6):
                best = (placed, total)
            return
        first, others = rest[0], rest[1:]
        walk(others, room, placed, total)  # first stays unplaced
        for size in range(rules.group_min - 1, rules.group_max):
            for mates in combinations(others, size):
                members = [first, *mates]
                left = [p for p in others if p not in mates]
                options = [g for g in guides if room[g.key] > 0] if mentoring else [None]
                for guide in options:
                    if group_violations(members, rules, excluded, guide):
                        continue
                    if guide is not None:
                        room[guide.key] -= 1
                    walk(left, room, placed + len(members),
                         total + _group_total(members, rules, guide))  # fmt: skip
                    if guide is not None:
                        room[guide.key] += 1

    walk(learners, {g.key: max(g.capacity, 0) for g in guides}, 0, 0.0)
    return best


def _check_valid(result, people, rules, excluded):
    by_key = {p.key: p for p in people}
    seen = set()
    load = {}
    for group in result.groups:
        members = [by_key[k] for k in group.members]
        guide = by_key[group.guide] if group.guide else None
        assert group_violations(members, rules, excluded, guide) == []
        assert not seen & set(group.members)
        seen |= set(group.members)
        if guide is not None:
            load[guide.key] = load.get(guide.key, 0) + 1
            assert load[guide.key] <= guide.capacity
    assert {u.key for u in result.unmatched} == {p.key for p in people if p.role != "guide"} - seen


def _circle_rules(data):
    low = data.draw(st.integers(2, 3))
    return Rules(kind=data.draw(st.sampled_from(["peer_circles", "co_development"])),
                 group_min=low, group_max=data.draw(st.integers(low, 4)),
                 level_spread=data.draw(st.integers(0, 2)))  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 8, 0), st.data())
def test_peer_groups_match_brute_force(pool, data):
    people, excluded = pool
    rules = _circle_rules(data)

    result = form_groups(people, rules, excluded)

    placed, total = brute_force_groups(people, rules, excluded)
    assert result.objective.placed == placed
    assert result.objective.total == pytest.approx(total, abs=1e-6)
    assert result.objective.certified is True
    _check_valid(result, people, rules, excluded)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("mentoring", 6, 3), st.data())
def test_group_mentoring_matches_brute_force(pool, data):
    people, excluded = pool
    low = data.draw(st.integers(2, 3))
    rules = Rules(kind="group_mentoring", group_min=low, group_max=data.draw(st.integers(low, 4)))

    result = form_groups(people, rules, excluded)

    placed, total = brute_force_groups(people, rules, excluded)
    assert result.objective.placed == placed
    assert result.objective.total == pytest.approx(total, abs=1e-6)
    _check_valid(result, people, rules, excluded)


def _heuristic(people, rules, excluded=()):
    """form_groups with exact search switched off, so small pools take the heuristic path."""
    limits = groups_module.EXACT_LIMIT, groups_module.EXACT_LIMIT_MENTORING
    groups_module.EXACT_LIMIT = groups_module.EXACT_LIMIT_MENTORING = -1
    try:
        return form_groups(people, rules, excluded)
    finally:
        groups_module.EXACT_LIMIT, groups_module.EXACT_LIMIT_MENTORING = limits


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 12, 0), st.data())
def test_heuristic_never_breaks_a_rule_and_stays_under_the_bound(pool, data):
    people, excluded = pool
    rules = _circle_rules(data)
    optimum = form_groups(people, rules, excluded).objective

    result = _heuristic(people, rules, excluded)

    _check_valid(result, people, rules, excluded)
    assert result.objective.certified is False
    assert result.objective.upper_bound >= optimum.total - 1e-6
    assert result.objective.total <= optimum.total + 1e-6
    assert result.objective.placed <= optimum.placed


def test_heuristic_reaches_the_optimum_on_realistic_twelves():
    """Synthetic 12-person organisations: the heuristic's result against exact search."""
    cases = [("peer_circles", s) for s in range(6)] + [("group_mentoring", s) for s in range(6)]
    for kind, seed in cases:
        people = (synthetic_org("mentoring", 10, 3, 2, seed) if kind == "group_mentoring"
                  else synthetic_org("peer_coaching", 12, 0, 1, seed))  # fmt: skip
        exact = form_groups(people, Rules(kind=kind)).objective

        heuristic = _heuristic(people, Rules(kind=kind)).objective

        assert exact.certified is True
        assert heuristic.placed == exact.placed
        assert heuristic.total >= 0.99 * exact.total
        assert heuristic.upper_bound >= exact.total


def test_exact_groups_names_the_optimum():
    people = [
        Person("a", "peer", 3, goals=frozenset({"x"})),
        Person("b", "peer", 3, goals=frozenset({"x"})),
        Person("c", "peer", 3, goals=frozenset({"y"})),
        Person("d", "peer", 3, goals=frozenset({"y"})),
    ]
    rules = Rules(kind="peer_circles", group_min=2, group_max=2)

    assert exact_groups(people, rules) == [(None, ("a", "b")), (None, ("c", "d"))]
    assert exact_groups(people, rules, excluded=[("a", "b")]) == [
        (None, ("a", "c")),
        (None, ("b", "d")),
    ]


def _circle(n, level=3, **extra):
    return [
        Person(f"p{i}", "peer", level, department=f"D{i}", goals=frozenset({"negotiation"}),
               style="reflective", label=f"P{i}", **extra)
        for i in range(n)
    ]  # fmt: skip


def test_pinned_groups_are_kept_exactly():
    people = _circle(9)
    rules = Rules(kind="peer_circles")

    result = form_groups(people, rules, pinned=[["p8", "p0", "p5", "p3"]])

    pinned = [g for g in result.groups if g.pinned]
    assert [g.members for g in pinned] == [("p8", "p0", "p5", "p3")]
    others = [g for g in result.groups if not g.pinned]
    assert [g.members for g in others] == [("p1", "p2", "p4", "p6", "p7")]
    assert result.objective.placed == 9


def test_pins_that_break_a_rule_are_refused():
    people = _circle(6)
    people[1] = Person("p1", "peer", 3, manager="p0")
    rules = Rules(kind="peer_circles")

    with pytest.raises(ValueError, match=r"pinned group \['p0', 'p1', 'p2', 'p3'\] breaks"):
        form_groups(people, rules, pinned=[["p0", "p1", "p2", "p3"]])
    with pytest.raises(ValueError, match="pins someone twice"):
        form_groups(people, rules, pinned=[["p2", "p3", "p4", "p5"], ["p5", "p0", "p1", "p2"]])


def test_group_mentoring_capacity_counts_groups():
    guide = Person("g", "guide", 6, expertise=frozenset({"negotiation"}), capacity=2, label="G")
    learners = [Person(f"l{i}", "learner", 4, goals=frozenset({"negotiation"})) for i in range(8)]
    rules = Rules(kind="group_mentoring", group_min=3, group_max=4)

    result = form_groups([guide, *learners], rules)

    assert [(g.guide, len(g.members)) for g in result.groups] == [("g", 4), ("g", 4)]
    assert result.spare_capacity == []
    solo = form_groups([guide, *learners[:4]], rules)
    assert solo.spare_capacity == [("g", 1)]


def test_group_reasons_and_their_words():
    people = [
        Person("a", "peer", 3, goals=frozenset({"Negotiation", "Public Speaking"}),
               style="reflective", label="Ana"),
        Person("b", "peer", 3, goals=frozenset({"negotiation"}), style="reflective"),
        Person("c", "peer", 4, goals=frozenset({"public speaking"}), style="reflective"),
        Person("d", "peer", 4, goals=frozenset({"negotiation", "public speaking"}),
               style="reflective"),
        Person("e", "peer", 5, goals=frozenset({"hiring"}), style="reflective"),
    ]  # fmt: skip
    rules = Rules(kind="peer_circles")

    group = score_group(people, rules)

    [reason] = group.reasons["a"]
    assert reason == Reason("group_shares", {
        "topics": ["Negotiation", "Public Speaking"], "count": 3, "size": 4,
        "style": "reflective", "all_same": True, "unit": "circle"})  # fmt: skip
    assert for_person(reason) == (
        "you share Negotiation and Public Speaking with 3 of 4 in your circle; "
        "all of you prefer reflective feedback"
    )
    assert for_hr(reason, "Ana") == (
        "Ana shares Negotiation and Public Speaking with 3 of 4 others; "
        "all prefer reflective feedback"
    )
    assert group.score == pytest.approx(group.breakdown.total)
    pairs = [groups_module._pair_breakdown(x, y, groups_module.peer_rules(rules)).total
             for x, y in combinations(people, 2)]  # fmt: skip
    assert group.score == pytest.approx(sum(pairs) / 10)


def test_guide_reasons_and_their_words():
    guide = Person("g", "guide", 6, expertise=frozenset({"Hiring", "Budgeting"}), label="Gil")
    learners = [
        Person("a", "learner", 3, goals=frozenset({"Hiring", "Writing"})),
        Person("b", "learner", 3, goals=frozenset({"Writing"})),
        Person("c", "learner", 4, goals=frozenset({"budgeting"})),
    ]
    group = score_group(learners, Rules(kind="group_mentoring"), guide)

    assert [for_person(r) for r in group.reasons["a"]] == [
        "you share Writing with 1 of 2 in your group; all of you are open to either feedback style",
        "your mentor Gil covers 1 of your 2 goals (Hiring)",
    ]
    assert for_person(group.reasons["g"][0]) == (
        "you cover budgeting and Hiring for 2 of your 3 mentees"
    )


def test_violations_name_every_broken_rule():
    guide = Person("g", "guide", 4, label="Gil")
    members = [
        Person("a", "learner", 1, label="Ana", manager="g"),
        Person("b", "learner", 4, label="Bo"),
    ]
    rules = Rules(kind="group_mentoring")

    found = group_violations(members, rules, [("a", "b")], guide)

    assert [r.code for r in found] == [
        "group_size", "group_spread", "group_manager", "group_excluded", "guide_gap",
    ]  # fmt: skip
    assert [for_hr(r, "the group") for r in found] == [
        "the group has 2 members; it needs 3 to 5: add or remove members",
        "levels run from 1 to 4, more than the spread of 2: move the furthest member or widen "
        "the level spread",
        "Gil manages Ana: move one of them to another group",
        "Ana and Bo were grouped before or declined: move one of them to another group",
        "Gil is 0 levels above Bo, outside 1–3: choose another mentor or move the mentee",
    ]


def test_best_additions_picks_the_best_allowed_people():
    group = _circle(3)
    pool = [
        Person("x", "peer", 3, department="D9", goals=frozenset({"negotiation"}),
               style="reflective"),
        Person("y", "peer", 3, department="D8", goals=frozenset({"hiring"})),
        Person("z", "peer", 3, manager="p0", goals=frozenset({"negotiation"})),
        Person("w", "peer", 6, goals=frozenset({"negotiation"})),
    ]  # fmt: skip
    rules = Rules(kind="peer_circles")

    assert best_additions(group, pool, rules, count=3) == ["x", "y"]
    assert best_additions(group, pool, rules, excluded=[("x", "p1")]) == ["y"]


def test_unmatched_reasons_say_what_to_do():
    people = _circle(4) + [Person("far", "peer", 9, label="Far")]
    rules = Rules(kind="peer_circles")

    result = form_groups(people, rules)

    [left] = result.unmatched
    assert left.key == "far"
    assert left.why == (Reason("group_too_few", {
        "level": 9, "spread": 2, "count": 0, "size_min": 4, "role": "peer",
        "unit": "circle"}),)  # fmt: skip
    assert left.reasons == [
        "only 0 other peers are within 2 levels of you (you are level 9), and a circle needs "
        "4 people"
    ]
    assert for_hr(left.why[0], "Far") == (
        "only 0 other peers are within 2 levels of Far (level 9), and a circle needs 4 people: "
        "widen the level spread or invite more peers at levels 7-11"
    )


def test_ruled_out_and_full_reasons():
    people = _circle(4)
    people.append(Person("boss", "peer", 3, label="Boss"))
    people = [
        Person(p.key, p.role, p.level, manager="boss") if p.key in ("p0", "p1") else p
        for p in people
    ]
    rules = Rules(kind="peer_circles", group_min=4, group_max=4)

    result = form_groups(people, rules)

    [left] = result.unmatched
    assert left.key == "boss"
    assert left.why[0].code == "group_ruled_out"
    assert left.reasons == [
        "of the 4 peers at a suitable level, too few may join you (2 people who report to "
        "you) to make a circle of 4"
    ]
    full = form_groups(_circle(5), rules)
    assert [u.why[0].code for u in full.unmatched] == ["groups_full"]
    assert full.unmatched[0].reasons == [
        "every circle you could join is full (4 people) or has someone you may not be "
        "grouped with; regrouping would not place more people or raise the overall fit"
    ]


def test_to_dict_shape():
    result = form_groups(_circle(5), Rules(kind="peer_circles"))
    data = result.to_dict()

    assert list(data) == ["objective", "pairings", "unmatched", "spare_capacity"]
    assert list(data["objective"]) == [
        "matched", "total_score", "certified", "gap", "method", "rounds", "solve_seconds",
        "upper_bound", "random_mean", "greedy", "waited", "waited_matched",
    ]  # fmt: skip
    [group] = data["pairings"]
    assert list(group) == ["guide", "members", "score", "breakdown", "reasons"]
    assert group["guide"] is None
    assert group["members"] == ["p0", "p1", "p2", "p3", "p4"]
    assert group["score"] == 100.0  # same goals and level and style, departments all differ
    assert data["objective"]["certified"] is True
    assert data["objective"]["gap"] == 0.0
    assert data["objective"]["total_score"] == 1000.0


def test_validation_errors():
    with pytest.raises(ValueError, match=r"2 <= group_min <= group_max, not 1\.\.6"):
        Rules(kind="peer_circles", group_min=1)
    with pytest.raises(ValueError, match=r"not 7\.\.6"):
        Rules(kind="peer_circles", group_min=7)
    with pytest.raises(ValueError, match="level_spread must be 0 or more, not -1"):
        Rules(kind="co_development", level_spread=-1)
    with pytest.raises(ValueError, match="peer_circles forms groups, not pairs: call form_groups"):
        solve(_circle(2), Rules(kind="peer_circles"))
    with pytest.raises(ValueError, match="peer_coaching forms pairs, not groups: call solve"):
        form_groups(_circle(2), Rules(kind="peer_coaching"))
    with pytest.raises(ValueError, match="'p0' has role 'peer', which does not fit a group_"):
        form_groups(_circle(2), Rules(kind="group_mentoring"))


def test_defaults_per_kind():
    assert [(r.group_min, r.group_max, r.level_spread, r.is_group, r.is_peer) for r in (
        Rules(kind="peer_circles"), Rules(kind="co_development"),
        Rules(kind="group_mentoring"), Rules(kind="peer_coaching"))] == [
        (4, 6, 2, True, False), (5, 8, 2, True, False), (3, 5, 2, True, False),
        (2, 2, 1, False, True)]  # fmt: skip


def test_same_input_same_output():
    people = synthetic_org("peer_circles", 200, 0, 1, 4)
    first = form_groups(people, Rules(kind="peer_circles"), seed=3).to_dict()
    second = form_groups(list(reversed(people)), Rules(kind="peer_circles"), seed=3).to_dict()

    first["objective"].pop("solve_seconds")
    second["objective"].pop("solve_seconds")
    assert first == second


def test_group_benchmark_beats_greedy_and_random():
    report = run_group_benchmark("peer_circles", n_people=300, seed=1)

    objective = report["objective"]
    assert objective["matched"] == 300
    assert report["ratio_over_greedy"] >= 1.0
    assert report["ratio_over_random"] >= 1.5
    assert objective["upper_bound"] >= objective["total_score"]
    assert objective["gap"] == round(objective["upper_bound"] - objective["total_score"], 2)
