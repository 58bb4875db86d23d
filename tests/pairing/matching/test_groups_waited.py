"""The waited tier in the group kinds: those left out last round are placed first, exactly
on small pools (against brute force), and by the heuristic's repair on larger ones."""

from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.matching import GroupObjective, Person, Rules, for_hr, form_groups, group_violations
from pairing.matching import groups as groups_module
from pairing.matching.bench import mark_waited, synthetic_org
from pairing.matching.domain import for_person
from tests.pairing.matching.test_groups import (
    _check_valid,
    _circle_rules,
    _group_total,
    _heuristic,
    brute_force_groups,
)
from tests.pairing.matching.test_properties import pools


def _better(a, b):
    return a[:2] > b[:2] or (a[:2] == b[:2] and a[2] > b[2] + 1e-6)


def brute_force_group_tiers(people, rules, excluded):
    """(waited placed, placed, total) of the best valid grouping, by enumerating every
    grouping: each learner or peer in turn stays out or opens a group with later ones."""
    learners = sorted((p for p in people if p.role != "guide"), key=lambda p: p.key)
    guides = [p for p in people if p.role == "guide"]
    mentoring = rules.kind == "group_mentoring"
    best = (0, 0, 0.0)

    def walk(rest, room, waited, placed, total):
        nonlocal best
        if not rest:
            if _better((waited, placed, total), best):
                best = (waited, placed, total)
            return
        first, others = rest[0], rest[1:]
        walk(others, room, waited, placed, total)  # first stays unplaced
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
                    walk(left, room, waited + sum(p.waited for p in members),
                         placed + len(members),
                         total + _group_total(members, rules, guide))  # fmt: skip
                    if guide is not None:
                        room[guide.key] += 1

    walk(learners, {g.key: max(g.capacity, 0) for g in guides}, 0, 0, 0.0)
    return best


def _check_tiers(people, rules, excluded):
    result = form_groups(people, rules, excluded)

    objective = result.objective
    waited, placed, total = brute_force_group_tiers(people, rules, excluded)
    assert objective.certified is True
    assert (objective.waited_matched, objective.placed) == (waited, placed)
    assert objective.total == pytest.approx(total, abs=1e-6)
    assert objective.waited == sum(p.waited for p in people if p.role != "guide")
    in_groups = {key for group in result.groups for key in group.members}
    assert objective.waited_matched == sum(p.waited for p in people if p.key in in_groups)
    _check_valid(result, people, rules, excluded)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 7, 0, waited=True), st.data())
def test_peer_groups_serve_the_waited_first_like_brute_force(pool, data):
    people, excluded = pool
    _check_tiers(people, _circle_rules(data), excluded)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("mentoring", 6, 3, waited=True), st.data())
def test_group_mentoring_serves_the_waited_first_like_brute_force(pool, data):
    people, excluded = pool
    low = data.draw(st.integers(2, 3))
    rules = Rules(kind="group_mentoring", group_min=low, group_max=data.draw(st.integers(low, 4)))
    # A mentor's flag is drawn too: leading a group is not being served, so it must not count.
    flags = data.draw(st.lists(st.booleans(), min_size=len(people), max_size=len(people)))
    people = [
        replace(p, waited=flag) if p.role == "guide" else p
        for p, flag in zip(people, flags, strict=True)
    ]
    _check_tiers(people, rules, excluded)


def _peer(key, goals=("negotiation",), style="reflective", waited=False, **extra):
    return Person(key, "peer", 3, department=key, goals=frozenset(goals), style=style,
                  label=key.upper(), waited=waited, **extra)  # fmt: skip


def _seven(waited):
    """Seven peers at one level, circles of exactly three: one is left out. W shares no
    goal and wants directive feedback, so the best circles leave W out."""
    return [_peer(f"p{i}") for i in range(6)] + [
        _peer("w", goals=("hiring",), style="directive", waited=waited)
    ]


@pytest.mark.parametrize("solver", [form_groups, _heuristic])
def test_the_person_who_waited_is_not_the_one_left_out(solver):
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)

    plain = solver(_seven(False), rules)
    served = solver(_seven(True), rules)

    assert [u.key for u in plain.unmatched] == ["w"]
    assert len(served.unmatched) == 1
    assert served.unmatched[0].key != "w"
    assert any("w" in group.members for group in served.groups)
    # The tier costs no placement here, only score: six placed either way.
    assert plain.objective.placed == served.objective.placed == 6
    assert served.objective.total < plain.objective.total
    assert (served.objective.waited, served.objective.waited_matched) == (1, 1)
    assert (plain.objective.waited, plain.objective.waited_matched) == (0, 0)


def test_the_tier_costs_no_placement_against_the_untiered_optimum():
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)
    people = _seven(True)

    result = form_groups(people, rules)

    plain = [replace(p, waited=False) for p in people]
    assert result.objective.placed == brute_force_groups(plain, rules, [])[0] == 6
    assert result.objective.certified is True


def _triangles(waited):
    """W fits only {W, a, d}; {a, b, c} and {d, e, f} place six without W."""
    people = [_peer(key) for key in "abcdef"] + [_peer("w", waited=waited)]
    allowed = {
        frozenset(pair) for group in ("abc", "def", "wad") for pair in combinations(group, 2)
    }
    excluded = [
        (x.key, y.key)
        for x, y in combinations(people, 2)
        if frozenset((x.key, y.key)) not in allowed
    ]
    return people, excluded


@pytest.mark.parametrize("solver", [form_groups, _heuristic])
def test_serving_the_waited_first_may_cost_placements_in_groups(solver):
    # Unlike pairs, groups have no matroid behind them: the first tier wins outright.
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)
    plain_people, excluded = _triangles(False)
    people, _ = _triangles(True)

    plain = solver(plain_people, rules, excluded)
    served = solver(people, rules, excluded)

    assert sorted(g.members for g in plain.groups) == [("a", "b", "c"), ("d", "e", "f")]
    assert [g.members for g in served.groups] == [("a", "d", "w")]
    assert (served.objective.waited_matched, served.objective.placed) == (1, 3)
    assert brute_force_group_tiers(people, rules, excluded)[:2] == (1, 3)


def test_a_proven_grouping_says_what_the_tier_ruled_out():
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)
    people, excluded = _triangles(True)

    result = form_groups(people, rules, excluded)

    left = {u.key: u for u in result.unmatched}
    assert sorted(left) == ["b", "c", "e", "f"]
    why = left["b"].why[0]
    assert (why.code, why.params["certified"], why.params["waited"]) == ("groups_full", True, True)
    assert for_person(why) == (
        "every circle you could join is full (3 people) or has someone you may not be grouped "
        "with; regrouping would not place more of those who waited last round, nor more "
        "people or a better fit without placing fewer of them"
    )
    assert for_hr(why, "B").startswith(
        "every circle B could join is full (3 people) or has someone they may not be grouped "
        "with, and regrouping would not place more of those who waited last round, nor more "
        "people or a better fit without placing fewer of them: "
    )


def test_pinned_members_who_waited_count_as_served():
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)
    people = _seven(True)

    result = form_groups(people, rules, pinned=[["p0", "p1", "p2"]])

    assert (result.objective.waited, result.objective.waited_matched) == (1, 1)
    pinned = form_groups(people, rules, pinned=[["p0", "p1", "w"]])
    assert (pinned.objective.waited, pinned.objective.waited_matched) == (1, 1)
    assert pinned.objective.placed == 6


def test_the_objective_keeps_the_tier_and_loads_runs_stored_before_it():
    result = form_groups(_seven(True), Rules(kind="peer_circles", group_min=3, group_max=3))
    data = result.objective.to_dict()

    assert (data["waited"], data["waited_matched"]) == (1, 1)
    again = GroupObjective.from_dict(data)
    assert (again.waited, again.waited_matched) == (1, 1)
    older = {k: v for k, v in data.items() if k not in ("waited", "waited_matched")}
    stored = GroupObjective.from_dict(older)
    assert (stored.waited, stored.waited_matched) == (0, 0)


@pytest.mark.parametrize("seed", range(4))
def test_the_heuristic_serves_as_many_waited_as_exact_search_on_twelves(seed):
    rules = Rules(kind="peer_circles")
    people = mark_waited(synthetic_org("peer_circles", 12, 0, 1, seed), 0.25, seed)

    exact = form_groups(people, rules).objective
    heuristic = _heuristic(people, rules).objective

    assert exact.certified is True
    assert (heuristic.waited_matched, heuristic.placed) == (exact.waited_matched, exact.placed)
    assert heuristic.total <= exact.total + 1e-6
    assert heuristic.upper_bound >= exact.total - 1e-6


def test_repair_puts_a_waited_person_in_place_of_one_who_did_not_wait():
    # Both circles are full and at their minimum, so only an eviction can place W.
    rules = Rules(kind="peer_circles", group_min=3, group_max=3)
    pool = groups_module._Pool(_seven(True), rules, [])
    state = groups_module._State(pool)
    for column, members in enumerate([(0, 1, 2), (3, 4, 5)]):
        for i in members:
            state.place(i, column)
    w = [p.key for p in pool.people].index("w")

    assert groups_module._repair(state) is True

    assert state.grp[w] >= 0
    assert state.rank()[:2] == (1, 6)
    assert int((state.grp < 0).sum()) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 10, 0, waited=True), st.data())
def test_the_heuristic_never_beats_exact_search_and_keeps_every_rule(pool, data):
    people, excluded = pool
    rules = _circle_rules(data)
    exact = form_groups(people, rules, excluded).objective

    result = _heuristic(people, rules, excluded)

    _check_valid(result, people, rules, excluded)
    found = result.objective
    assert found.certified is False
    assert not _better((found.waited_matched, found.placed, found.total),
                       (exact.waited_matched, exact.placed, exact.total))  # fmt: skip
    assert found.waited == exact.waited
    assert found.upper_bound >= exact.total - 1e-6
