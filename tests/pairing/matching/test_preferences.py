"""Preferences and history in the score, the rank table, blocking pairs, deferred acceptance
and stable roommates.

The engine's versions are vectorised; the plain ones here (one learner, one guide, one pair
at a time) are the definitions they must agree with exactly."""

from collections.abc import Mapping
from dataclasses import replace
from itertools import product

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.matching import Person, Rules, score_pair, solve
from pairing.matching.domain import Signals
from pairing.matching.engine import Problem
from pairing.matching.history import adjustment
from pairing.matching.preferences import (
    DEFERRED_ACCEPTANCE,
    STABLE_ROOMMATES,
    blocking_pairs,
    compare,
    deferred_acceptance,
    guide_keys,
    learner_keys,
    learner_orders,
    rank_table,
)
from pairing.matching.roommates import stable_roommates
from pairing.matching.scores import FORBIDDEN
from tests.pairing.matching.helpers import brute_force
from tests.pairing.matching.test_properties import pools

MENTORING = Rules(kind="mentoring")
PEERS = Rules(kind="peer_coaching")


# The definitions, one person at a time: the oracle for the vectorised engine.


def learner_order(problem, i: int) -> list[int]:
    """Partners learner (or peer) ``i`` may be paired with, most preferred first."""
    row = problem.scores[i]
    allowed = np.flatnonzero(row != FORBIDDEN).tolist()
    keys = {p.key: j for j, p in enumerate(problem.cols.people)}
    ranked = [keys[k] for k in problem.rows.people[i].ranking if keys.get(k) in allowed]
    rest = sorted(
        (j for j in allowed if j not in ranked),
        key=lambda j: (-int(row[j]), problem.cols.people[j].key),
    )
    return ranked + rest


def guide_rank(problem, j: int) -> dict[int, int]:
    """Learner index -> position in guide ``j``'s order (0 = most preferred)."""
    column = problem.scores[:, j]
    marked = problem.cols.people[j].rather_not
    people = problem.rows.people
    allowed = np.flatnonzero(column != FORBIDDEN).tolist()
    order = sorted(allowed, key=lambda i: (people[i].key in marked, -int(column[i]), people[i].key))
    return {i: position for position, i in enumerate(order)}


def plain_deferred_acceptance(problem) -> dict[int, int]:
    """Learner-proposing deferred acceptance, one proposal at a time."""
    orders = [learner_order(problem, i) for i in range(len(problem.rows.people))]
    ranks = [guide_rank(problem, j) for j in range(len(problem.cols.people))]
    held: list[list[int]] = [[] for _ in problem.cols.people]
    following = [0] * len(orders)
    free = list(range(len(orders)))
    while free:
        i = free.pop()
        if following[i] >= len(orders[i]):
            continue
        j = orders[i][following[i]]
        following[i] += 1
        held[j].append(i)
        if len(held[j]) > int(problem.capacity[j]):
            held[j].sort(key=lambda x: ranks[j][x])
            free.append(held[j].pop())
    return {i: j for j, learners in enumerate(held) for i in learners}


def plain_blocking_pairs(problem, match: Mapping[int, int]) -> int:
    """Blocking (guide, learner) pairs, learner by learner down their order."""
    ranks = [guide_rank(problem, j) for j in range(len(problem.cols.people))]
    taken: dict[int, list[int]] = {}
    for i, j in match.items():
        taken.setdefault(j, []).append(i)
    count = 0
    for i in range(len(problem.rows.people)):
        order = learner_order(problem, i)
        mine = match.get(i)
        better = order if mine is None else order[: order.index(mine)]
        for j in better:
            theirs = taken.get(j, [])
            if len(theirs) < int(problem.capacity[j]) or any(
                ranks[j][i] < ranks[j][x] for x in theirs
            ):
                count += 1
    return count


def plain_peer_blocking_pairs(problem, match: Mapping[int, int]) -> int:
    """Blocking pairs of peers {a, b}: allowed, not together, each preferring the other."""
    orders = [learner_order(problem, i) for i in range(len(problem.rows.people))]

    def prefers(a: int, b: int) -> bool:
        mine = match.get(a)
        return mine is None or orders[a].index(b) < orders[a].index(mine)

    return sum(
        prefers(a, b) and prefers(b, a)
        for a in range(len(orders))
        for b in orders[a]
        if a < b and match.get(a) != b
    )


def test_first_choice_adds_the_weight_and_rather_not_takes_it_away():
    guide = Person("g", "guide", 4, "Ops", goals=frozenset(), expertise=frozenset({"a"}))
    learner = Person("l", "learner", 2, "Ops", goals=frozenset({"a"}), ranking=("x", "g"))
    plain = score_pair(guide, learner, MENTORING)
    assert plain.preference == 20 * (2 / 3)
    marked = score_pair(replace(guide, rather_not=frozenset({"l"})), learner, MENTORING)
    assert marked.preference == 20 * (2 / 3) - 20
    assert marked.total == plain.total - 20


def test_history_lapses_and_cap():
    assert adjustment(Signals(lapses=2))[0] == -10.0
    assert adjustment(Signals(lapses=2, early_endings=3, declines=5, ratings=(1, 1)))[0] == -20.0
    assert adjustment(Signals(ratings=(5, 5)))[0] == 5.0


def test_negative_adjustments_never_take_a_pair_below_zero():
    guide = Person("g", "guide", 3, "Ops", rather_not=frozenset({"l"}), style="directive",
                   signals=Signals(lapses=3))  # fmt: skip
    learner = Person("l", "learner", 2, "Ops", style="reflective")
    found = score_pair(guide, learner, Rules(kind="mentoring", weight_level=3))
    assert found.total == 0.0


@st.composite
def preferring(draw, kind, learners, guides):
    people, excluded = draw(pools(kind, learners, guides))
    keys = [p.key for p in people]
    out = []
    for p in people:
        ranking = (
            tuple(draw(st.lists(st.sampled_from(keys), max_size=3, unique=True))) if keys else ()
        )
        marks = (
            frozenset(draw(st.lists(st.sampled_from(keys), max_size=2))) if keys else frozenset()
        )
        signals = Signals(
            lapses=draw(st.integers(0, 2)),
            early_endings=draw(st.integers(0, 1)),
            ratings=tuple(draw(st.lists(st.integers(1, 5), max_size=3))),
        )
        out.append(replace(p, ranking=ranking, rather_not=marks, signals=signals))
    return out, excluded


def _matrix_matches_score_pair(people, rules, excluded):
    problem = Problem.build(people, rules, excluded)
    banned = {frozenset(pair) for pair in excluded}
    for i, learner in enumerate(problem.rows.people):
        for j, guide in enumerate(problem.cols.people):
            found = (
                None
                if frozenset((guide.key, learner.key)) in banned
                else score_pair(guide, learner, rules)
            )
            expected = FORBIDDEN if found is None else int(np.rint(found.total * problem.scale))
            assert problem.scores[i, j] == expected
            assert found is None or found.total >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preferring("mentoring", 5, 3))
def test_mentoring_with_preferences_matches_brute_force_and_score_pair(data):
    people, excluded = data
    _matrix_matches_score_pair(people, MENTORING, excluded)
    result = solve(people, MENTORING, excluded=excluded)
    matched, total = brute_force(people, MENTORING, excluded)
    assert (result.objective.matched, round(result.objective.total_score, 6)) == (
        matched, round(total, 6)
    )  # fmt: skip
    for pairing in result.pairings:
        guide = next(p for p in people if p.key == pairing.guide)
        learner = next(p for p in people if p.key == pairing.members[0])
        assert pairing.breakdown == score_pair(guide, learner, MENTORING)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preferring("peer_coaching", 7, 0))
def test_peers_with_preferences_match_brute_force(data):
    people, excluded = data
    rules = PEERS
    _matrix_matches_score_pair(people, rules, excluded)
    result = solve(people, rules, excluded=excluded)
    matched, total = brute_force(people, rules, excluded)
    assert result.objective.matched == matched
    assert abs(result.objective.total_score - total) < 1e-6


def _all_matchings(problem):
    """Every capacity-respecting matching on allowed pairs, learner index -> guide index."""
    n, m = problem.scores.shape
    options = [[None, *np.flatnonzero(problem.scores[i] != FORBIDDEN).tolist()] for i in range(n)]
    for choice in product(*options):
        load = np.bincount([j for j in choice if j is not None], minlength=m)
        if (load <= problem.capacity).all():
            yield {i: j for i, j in enumerate(choice) if j is not None}


def _blocking_by_definition(problem, match):
    count = 0
    for i, j in product(range(problem.scores.shape[0]), range(problem.scores.shape[1])):
        if problem.scores[i, j] == FORBIDDEN or match.get(i) == j:
            continue
        order = learner_order(problem, i)
        wants = match.get(i) is None or order.index(j) < order.index(match[i])
        theirs = [x for x, g in match.items() if g == j]
        rank = guide_rank(problem, j)
        room = len(theirs) < problem.capacity[j] or any(rank[i] < rank[x] for x in theirs)
        count += wants and room
    return count


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preferring("mentoring", 4, 3))
def test_deferred_acceptance_is_stable_and_learner_optimal(data):
    people, excluded = data
    problem = Problem.build(people, MENTORING, excluded)
    found = deferred_acceptance(problem)
    assert found == plain_deferred_acceptance(problem)
    assert blocking_pairs(problem, found) == 0
    for match in _all_matchings(problem):
        assert blocking_pairs(problem, match) == _blocking_by_definition(problem, match)
        if blocking_pairs(problem, match) == 0:
            for i in range(problem.scores.shape[0]):
                order = learner_order(problem, i)
                mine = order.index(found[i]) if i in found else len(order)
                theirs = order.index(match[i]) if i in match else len(order)
                assert mine <= theirs


def test_rank_table_counts_choices():
    guides = [Person(f"g{k}", "guide", 4, capacity=1) for k in range(3)]
    learners = [
        Person("l1", "learner", 2, ranking=("g0", "g1")),
        Person("l2", "learner", 2, ranking=("g0", "g2")),
        Person("l3", "learner", 2),
    ]
    problem = Problem.build(guides + learners, MENTORING)
    table = rank_table(problem, {0: 0, 1: 2})
    assert {k: table[k] for k in ("first", "second", "third", "none", "ranked", "mean_rank")} == {
        "first": 1, "second": 1, "third": 0, "none": 0, "ranked": 2, "mean_rank": 1.5
    }  # fmt: skip


@st.composite
def capacities(draw, kind, learners, guides):
    """``preferring`` with guides' capacities drawn from 0..3."""
    people, excluded = draw(preferring(kind, learners, guides))
    people = [
        replace(p, capacity=draw(st.integers(0, 3))) if p.role == "guide" else p for p in people
    ]
    return people, excluded


def _random_match(draw, problem):
    """Any capacity-respecting matching on allowed pairs, learner index -> guide index."""
    load = [0] * len(problem.cols.people)
    match = {}
    for i in range(len(problem.rows.people)):
        options = [
            j
            for j in np.flatnonzero(problem.scores[i] != FORBIDDEN).tolist()
            if load[j] < problem.capacity[j]
        ]
        j = draw(st.none() | st.sampled_from(options)) if options else None
        if j is not None:
            match[i] = j
            load[j] += 1
    return match


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacities("mentoring", 7, 4), st.data())
def test_vectorised_orders_and_counts_match_the_definitions(pool, data):
    people, excluded = pool
    problem = Problem.build(people, MENTORING, excluded)
    n, m = problem.scores.shape
    order, length = learner_orders(problem)
    assert [order[i, : length[i]].tolist() for i in range(n)] == [
        learner_order(problem, i) for i in range(n)
    ]
    wanted, kept = learner_keys(problem), guide_keys(problem)
    for i in range(n):
        assert sorted(learner_order(problem, i), key=lambda j: wanted[i, j]) == learner_order(
            problem, i
        )
    for j in range(m):
        rank = guide_rank(problem, j)
        assert sorted(rank, key=lambda i: kept[i, j]) == sorted(rank, key=rank.get)
        assert len({kept[i, j] for i in rank}) == len(rank)
    found = deferred_acceptance(problem)
    assert found == plain_deferred_acceptance(problem)
    assert blocking_pairs(problem, found) == 0
    match = _random_match(data.draw, problem)
    assert blocking_pairs(problem, match) == plain_blocking_pairs(problem, match)
    assert rank_table(problem, match)["blocking_pairs"] == plain_blocking_pairs(problem, match)


def _peer_matchings(n, allowed):
    """Every matching of peers 0..n-1 on allowed pairs, as person -> partner both ways."""
    if n == 0:
        yield {}
        return

    def extend(free, match):
        if not free:
            yield dict(match)
            return
        a, rest = free[0], free[1:]
        yield from extend(rest, match)
        for b in rest:
            if allowed[a, b]:
                match[a], match[b] = b, a
                yield from extend([x for x in rest if x != b], match)
                del match[a], match[b]

    yield from extend(list(range(n)), {})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preferring("peer_coaching", 8, 0))
def test_stable_roommates_finds_a_stable_matching_iff_one_exists(pool):
    people, excluded = pool
    problem = Problem.build(people, PEERS, excluded)
    n = len(problem.rows.people)
    order, length = learner_orders(problem)
    assert [order[i, : length[i]].tolist() for i in range(n)] == [
        learner_order(problem, i) for i in range(n)
    ]
    counts = []
    for match in _peer_matchings(n, problem.scores != FORBIDDEN):
        counts.append(blocking_pairs(problem, match))
        assert counts[-1] == plain_peer_blocking_pairs(problem, match)
    found = stable_roommates(order, length)
    assert (found is not None) == (0 in counts)
    if found is not None:
        assert all(found[found[x]] == x and problem.scores[x, y] != FORBIDDEN
                   for x, y in found.items())  # fmt: skip
        assert blocking_pairs(problem, found) == 0


def _odd_triangle():
    """Three peers who each rank the next one first: every matching leaves one of them
    alone, who blocks with the one ranking them first. No stable matching exists."""
    keys = ("a", "b", "c")
    return [
        Person(key, "peer", 3, ranking=(keys[(k + 1) % 3], keys[(k + 2) % 3]))
        for k, key in enumerate(keys)
    ]


def test_stable_roommates_says_when_no_stable_matching_exists():
    problem = Problem.build(_odd_triangle(), PEERS)
    assert stable_roommates(*learner_orders(problem)) is None
    result = solve(_odd_triangle(), PEERS)
    table = compare(problem, result)
    assert (table["baseline"], table["baseline_name"]) == (None, STABLE_ROOMMATES)
    assert (table["ours"]["ranked"], table["ours"]["blocking_pairs"]) == (3, 1)


def test_compare_names_the_baseline_and_peer_tables_count_both_partners():
    peers = [
        Person("a", "peer", 3, ranking=("b",)),
        Person("b", "peer", 3, ranking=("c",)),
        Person("c", "peer", 3),
        Person("d", "peer", 3, ranking=("c",)),
    ]
    problem = Problem.build(peers, PEERS)
    table = compare(problem, solve(peers, PEERS))
    assert table["baseline_name"] == STABLE_ROOMMATES
    assert table["baseline"]["blocking_pairs"] == 0
    assert table["ours"]["ranked"] == table["baseline"]["ranked"] == 3
    guides = [Person("g", "guide", 5, capacity=1)]
    learners = [Person("l", "learner", 2, ranking=("g",))]
    mentoring = Problem.build(guides + learners, MENTORING)
    found = compare(mentoring, solve(guides + learners, MENTORING))
    assert found["baseline_name"] == DEFERRED_ACCEPTANCE
    assert found["baseline"] == found["ours"]
