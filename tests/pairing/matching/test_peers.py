"""Peer matching's proof: the fractional bound tightened by odd-set (blossom) duals."""

import numpy as np
import pytest
import rustworkx as rx
from hypothesis import HealthCheck, given, settings

from pairing.matching import Rules, solve
from pairing.matching import peers as peer_module
from pairing.matching.assignment import solve_assignment
from pairing.matching.bench import synthetic_org
from pairing.matching.engine import Problem
from pairing.matching.peers import _blossom, _odd_cycle_cut, _weight
from pairing.matching.scores import FORBIDDEN
from tests.pairing.matching.test_properties import pools


def _two_triangles():
    """Two triangles of strong pairs (10) joined by one weak pair (1) between peers 2 and 3.

    Every perfect matching needs the weak pair: the best is 2-3, 0-1, 4-5 (21). The
    fractional relaxation instead takes both triangles at one half (30): two odd cycles.
    """
    scores = np.full((6, 6), FORBIDDEN, np.int32)
    for a, b, w in [(0, 1, 10), (1, 2, 10), (0, 2, 10), (3, 4, 10), (4, 5, 10), (3, 5, 10),
                    (2, 3, 1)]:  # fmt: skip
        scores[a, b] = scores[b, a] = w
    return scores


def test_odd_cycle_duals_close_the_fractional_gap_of_two_triangles():
    scores = _two_triangles()
    low, high = np.nonzero(np.triu(scores != FORBIDDEN, 1))
    partner = _blossom(6, low, high, scores[low, high])
    rows, cols = np.nonzero(scores != FORBIDDEN)
    bound = solve_assignment(scores, np.ones(6, np.int64), rows, cols)

    gap2 = bound.upper - 2 * _weight(scores, partner, bound.bonus)

    assert partner.tolist() == [1, 0, 3, 2, 5, 4]
    assert gap2 == 2 * (30 - 21)
    assert _odd_cycle_cut(scores, bound) == gap2


def _blossom_optimum(problem):
    rows, cols = np.nonzero(np.triu(problem.scores != FORBIDDEN, 1))
    graph = rx.PyGraph()
    graph.add_nodes_from(range(problem.scores.shape[0]))
    weights = problem.scores[rows, cols].tolist()
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), weights, strict=True)))
    pairs = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return len(pairs), sum(int(problem.scores[a, b]) for a, b in pairs) / problem.scale


def test_sparse_path_reports_a_gap_that_bounds_the_true_shortfall(monkeypatch):
    # Force the big-pool path (top-k candidates, bound, no reduced-cost fixing) on a pool
    # small enough to know its optimum from blossom on all pairs.
    monkeypatch.setattr(peer_module, "_FULL_GRAPH_EDGES", 0)
    monkeypatch.setattr(peer_module, "_MAX_FIXING_POOL", 0)
    rules = Rules(kind="peer_coaching")
    people = synthetic_org("peer_coaching", 300, 0, 0, seed=4)
    pairs, best = _blossom_optimum(Problem.build(people, rules))

    objective = solve(people, rules).objective
    monkeypatch.setattr(peer_module, "_odd_cycle_cut", lambda scores, bound: 0)
    loose = solve(people, rules).objective

    assert objective.matched == loose.matched == 2 * pairs == 300
    assert objective.method.endswith("tightened by odd-cycle duals")
    assert objective.certified is False
    # Proven gaps (points): the odd-set duals take 16.67 off the fractional bound's, and
    # both cover the true shortfall from the optimum.
    assert (round(objective.gap, 2), round(loose.gap, 2)) == (27.08, 43.75)
    assert round(best - objective.total_score, 2) == 13.81


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools("peer_coaching", 40, 0))
def test_sparse_path_gap_is_always_a_valid_proof(data):
    # The tightened bound must never claim more than it proves: against blossom on all
    # pairs, the reported gap covers the real shortfall, and "certified" means optimal.
    people, excluded = data
    rules = Rules(kind="peer_coaching")
    pairs, best = _blossom_optimum(Problem.build(people, rules, excluded))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(peer_module, "_FULL_GRAPH_EDGES", -1)
        patch.setattr(peer_module, "_MAX_FIXING_POOL", 0)

        objective = solve(people, rules, excluded=excluded).objective

    assert objective.matched == 2 * pairs
    # Scores are rounded to 1e-6 points per pair in the solver: compare within 1e-4.
    assert objective.gap >= best - objective.total_score - 1e-4
    if objective.certified:
        assert abs(objective.total_score - best) < 1e-4
