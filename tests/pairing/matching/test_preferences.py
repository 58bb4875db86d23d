"""Preferences and history in the score, the rank table, blocking pairs, deferred acceptance."""

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
    blocking_pairs,
    deferred_acceptance,
    guide_rank,
    learner_order,
    rank_table,
)
from pairing.matching.scores import FORBIDDEN
from tests.pairing.matching.helpers import brute_force
from tests.pairing.matching.test_properties import pools

MENTORING = Rules(kind="mentoring")


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
    rules = Rules(kind="peer_coaching")
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
