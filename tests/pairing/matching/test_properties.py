"""Property tests: the engine against brute force (tiny) and exact references (medium)."""

from dataclasses import replace

import numpy as np
import rustworkx as rx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.matching import Person, Rules, solve
from pairing.matching.bench import dense_reference
from pairing.matching.engine import Problem
from pairing.matching.scores import FORBIDDEN
from tests.pairing.matching.helpers import brute_force

TOPICS = ["a", "b", "c", "d"]


@st.composite
def pools(draw, kind, max_learners, max_guides, waited=False):
    """A small random pool for ``kind``, with managers and excluded pairs drawn from it
    (``waited``: each learner or peer may have waited since last round)."""
    if kind == "peer_coaching":
        roles = ["peer"] * draw(st.integers(0, max_learners))
    else:
        roles = ["learner"] * draw(st.integers(0, max_learners))
        roles += ["guide"] * draw(st.integers(0, max_guides))
    keys = [f"p{i}" for i in range(len(roles))]
    people = []
    for key, role in zip(keys, roles, strict=True):
        people.append(
            Person(
                key=key,
                role=role,
                level=draw(st.integers(1, 6)),
                department=draw(st.sampled_from(["Ops", "ops", "Sales", ""])),
                manager=draw(st.none() | st.sampled_from([*keys, "outside"])),
                goals=frozenset(draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
                expertise=frozenset(draw(st.lists(st.sampled_from(TOPICS), max_size=3))),
                style=draw(st.sampled_from(["either", "directive", "reflective"])),
                capacity=draw(st.integers(0, 2)),
                waited=draw(st.booleans()) if waited and role != "guide" else False,
            )
        )
    if not keys:
        return people, []
    excluded = draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=3))
    return people, excluded


def _check_against_brute_force(kind, data):
    people, excluded = data
    rules = Rules(kind=kind)

    result = solve(people, rules, excluded=excluded)

    matched, total = brute_force(people, rules, excluded)
    assert result.objective.matched == matched
    assert abs(result.objective.total_score - total) < 1e-6
    assert result.objective.certified is True
    banned = {frozenset(pair) for pair in excluded}
    assert all(frozenset((p.guide or p.members[0], p.members[-1])) not in banned
               for p in result.pairings)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("mentoring", 5, 3))
def test_mentoring_matches_brute_force(data):
    _check_against_brute_force("mentoring", data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("reverse_mentoring", 5, 3))
def test_reverse_mentoring_matches_brute_force(data):
    _check_against_brute_force("reverse_mentoring", data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 8, 0))
def test_peer_coaching_matches_brute_force(data):
    _check_against_brute_force("peer_coaching", data)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("mentoring", 60, 20))
def test_mentoring_matches_dense_reference(data):
    people, excluded = data
    rules = Rules(kind="mentoring")

    result = solve(people, rules, excluded=excluded)

    matched, total = dense_reference(Problem.build(people, rules, excluded))
    assert result.objective.matched == matched
    assert abs(result.objective.total_score - total) < 1e-4


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 60, 0))
def test_peers_match_blossom_on_all_pairs(data):
    people, excluded = data
    rules = Rules(kind="peer_coaching")
    problem = Problem.build(people, rules, excluded)
    n = problem.scores.shape[0]
    graph = rx.PyGraph()
    graph.add_nodes_from(range(n))
    rows, cols = np.nonzero(np.triu(problem.scores != FORBIDDEN, 1))
    graph.add_edges_from(
        list(zip(rows.tolist(), cols.tolist(), problem.scores[rows, cols].tolist(), strict=True))
    )
    reference = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)

    result = solve(people, rules, excluded=excluded)

    assert result.objective.matched == 2 * len(reference)
    expected = sum(int(problem.scores[a, b]) for a, b in reference) / problem.scale
    assert abs(result.objective.total_score - expected) < 1e-4


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("mentoring", 30, 10) | pools("peer_coaching", 30, 0))
def test_same_input_same_output(data):
    people, excluded = data
    kind = "peer_coaching" if people and people[0].role == "peer" else "mentoring"
    rules = Rules(kind=kind)

    first = solve(people, rules, excluded=excluded)
    again = solve(list(reversed(people)), rules, excluded=list(reversed(excluded)))

    timeless = replace(again.objective, solve_seconds=first.objective.solve_seconds)
    assert replace(again, objective=timeless) == first
