"""solve(): hard rules, pins, excluded pairs, reasons, certificates and determinism."""

from dataclasses import replace

import numpy as np
import pytest
import rustworkx as rx

from pairing.matching import Person, Rules, solve
from pairing.matching.bench import dense_reference, synthetic_org
from pairing.matching.engine import Problem
from pairing.matching.scores import FORBIDDEN

MENTORING = Rules(kind="mentoring")
PEERS = Rules(kind="peer_coaching")


def guide(key, level=5, capacity=1, **kw):
    return Person(key=key, role="guide", level=level, capacity=capacity, **kw)


def learner(key, level=3, **kw):
    return Person(key=key, role="learner", level=level, **kw)


def peer(key, level=3, **kw):
    return Person(key=key, role="peer", level=level, **kw)


def pairs(result):
    return [(p.guide, p.members) for p in result.pairings]


def test_manager_is_never_paired_with_a_direct_report():
    people = [guide("boss"), learner("rep", manager="boss")]

    result = solve(people, MENTORING)

    assert result.pairings == []
    assert [(u.key, u.reasons) for u in result.unmatched] == [
        ("rep", ["your manager is the only mentor at a suitable level"])
    ]
    assert result.spare_capacity == [("boss", 1)]


def test_excluded_pair_is_skipped_in_either_order():
    people = [guide("g1"), guide("g2", level=4), learner("l")]

    assert pairs(solve(people, MENTORING)) == [("g1", ("l",))]
    assert pairs(solve(people, MENTORING, excluded=[("l", "g1")])) == [("g2", ("l",))]


def test_all_ruled_out_reason_lists_each_cause():
    people = [guide("boss"), guide("rep", manager="me"), guide("g"), learner("me", manager="boss")]

    result = solve(people, MENTORING, excluded=[("g", "me")])

    assert result.unmatched[0].reasons == [
        "all 3 mentors at a suitable level are ruled out: your manager, "
        "1 person who reports to you, 1 declined pairing"
    ]


def test_capacity_is_respected_and_most_people_matched_first():
    # g_star suits both learners best, but matching both learners needs g_other for one.
    people = [
        guide("g_star", capacity=1, expertise=frozenset({"x"})),
        guide("g_other", level=6, capacity=1),
        learner("a", goals=frozenset({"x"})),
        learner("b", level=4, goals=frozenset({"x"})),
    ]

    result = solve(people, MENTORING)

    # a->star + b->other (95 + 45) beats a->other + b->star (36.67 + 86.67).
    assert pairs(result) == [("g_other", ("b",)), ("g_star", ("a",))]
    assert result.objective.matched == 2
    assert result.spare_capacity == []


def test_full_mentors_reason_names_them_and_the_goal():
    people = [
        guide("g", capacity=1, expertise=frozenset({"x"}), label="Gina"),
        learner("a", goals=frozenset({"x"})),
        learner("b", goals=frozenset({"x"}), department="Other"),
    ]

    result = solve(people, MENTORING)

    assert pairs(result) == [("g", ("b",))]
    assert result.unmatched[0].key == "a"
    assert result.unmatched[0].reasons == [
        "all 1 possible mentor (Gina) are fully booked; giving you a place would not match "
        "more people or raise the overall fit",
        "the 1 mentor who cover x are fully booked",
    ]


def test_zero_capacity_reason():
    result = solve([guide("g", capacity=0), learner("a")], MENTORING)

    assert result.unmatched[0].reasons == [
        "the 1 mentor you could be paired with have no free places"
    ]


def test_pinned_pair_is_kept_and_the_rest_solved_around_it():
    people = [guide("g1", capacity=1), guide("g2", level=4, capacity=1), learner("a"), learner("b")]

    result = solve(people, MENTORING, pinned=[("g2", "a")])

    assert [(p.guide, p.members, p.pinned) for p in result.pairings] == [
        ("g1", ("b",), False),
        ("g2", ("a",), True),
    ]
    assert result.objective.matched == 2


def test_pin_that_breaks_a_rule_or_capacity_raises():
    people = [guide("boss", capacity=1), learner("a", manager="boss"), learner("b"), learner("c")]

    with pytest.raises(ValueError, match="one manages the other"):
        solve(people, MENTORING, pinned=[("boss", "a")])
    with pytest.raises(ValueError, match="capacity"):
        solve(people, MENTORING, pinned=[("boss", "b"), ("boss", "c")])
    with pytest.raises(ValueError, match="declined"):
        solve(people, MENTORING, pinned=[("boss", "b")], excluded=[("b", "boss")])


def test_peer_pins_and_reasons():
    people = [peer("a"), peer("b"), peer("c"), peer("d", level=6)]

    result = solve(people, PEERS, pinned=[("c", "a")])

    assert [(p.guide, p.members, p.pinned) for p in result.pairings] == [(None, ("a", "c"), True)]
    reasons = {u.key: u.reasons for u in result.unmatched}
    assert reasons == {
        "b": [
            "all 2 possible peers (a, c) are already paired; re-pairing would not match more "
            "people or raise the overall fit"
        ],
        "d": ["no other peer within 1 level of you (you are level 6)"],
    }
    assert result.objective.matched == 2


def test_wrong_roles_and_duplicate_keys_raise():
    with pytest.raises(ValueError, match="does not fit a peer_coaching programme"):
        solve([learner("a")], PEERS)
    with pytest.raises(ValueError, match="duplicate person key"):
        solve([peer("a"), peer("a")], PEERS)


def test_to_dict_has_the_match_json_shape():
    people = [guide("g", capacity=2), learner("a", goals=frozenset({"x"})), learner("z", level=6)]

    data = solve(people, MENTORING).to_dict()

    assert data["pairings"] == [
        {
            "guide": "g",
            "members": ["a"],
            "score": 45.0,
            "breakdown": {"goals": 0.0, "level": 25.0, "style": 20.0, "department": 0.0},
        }
    ]
    assert data["unmatched"] == [
        {"email": "z", "reasons": ["no mentor 1–3 levels above you (you are level 6)"]}
    ]
    assert data["spare_capacity"] == [{"email": "g", "free": 1}]
    assert {k: data["objective"][k] for k in ("matched", "total_score", "certified", "gap")} == {
        "matched": 1,
        "total_score": 45.0,
        "certified": True,
        "gap": 0.0,
    }


def _crowded_market():
    """Ten star guides that every learner ranks first, and one big plain guide.

    Each learner's top-8 candidates are all stars, so the sparse graph alone can only match
    ten learners; pricing must discover the plain guide's arcs.
    """
    stars = [guide(f"star{i}", expertise=frozenset({"x"}), capacity=1) for i in range(10)]
    plain = [guide("plain", level=4, capacity=20)]
    learners = [learner(f"l{i:02d}", goals=frozenset({"x"})) for i in range(20)]
    return stars + plain + learners


def test_pricing_adds_the_pairs_the_candidate_graph_missed():
    people = _crowded_market()

    result = solve(people, MENTORING)

    assert result.objective.rounds > 1
    assert result.objective.certified is True
    assert result.objective.matched == 20
    assert sum(1 for p in result.pairings if p.guide == "plain") == 10
    matched, total = dense_reference(Problem.build(people, MENTORING))
    assert (matched, round(total, 2)) == (20, round(result.objective.total_score, 2))


def test_time_budget_stops_early_with_a_proven_gap():
    result = solve(_crowded_market(), MENTORING, time_budget=0)

    assert result.objective.certified is False
    assert result.objective.rounds == 1
    assert result.objective.matched == 10
    assert result.objective.gap > 0
    assert all("time limit" in u.reasons[0] for u in result.unmatched)


@pytest.mark.parametrize("kind", ["mentoring", "reverse_mentoring"])
def test_certified_result_equals_the_dense_optimum(kind):
    people = synthetic_org(kind, 400, 90, 3, seed=7)
    rules = Rules(kind=kind)

    result = solve(people, rules)

    assert result.objective.certified is True
    assert result.objective.gap == 0.0
    matched, total = dense_reference(Problem.build(people, rules))
    assert result.objective.matched == matched
    assert round(result.objective.total_score, 2) == round(total, 2)


def test_same_input_same_output_whatever_the_order():
    people = synthetic_org("mentoring", 300, 60, 2, seed=3)

    first = solve(people, MENTORING)
    again = solve(list(reversed(people)), MENTORING)

    timeless = replace(again.objective, solve_seconds=first.objective.solve_seconds)
    assert replace(again, objective=timeless) == first


def test_mid_size_peer_pool_is_solved_exactly_on_all_pairs():
    # 400 peers have ~44,000 allowed pairs: blossom on all of them takes ~0.1 s and is
    # exact, where the sparse graph plus the fractional bound could not prove its result.
    people = synthetic_org("peer_coaching", 400, 0, 0, seed=1)
    problem = Problem.build(people, PEERS)
    rows, cols = np.nonzero(np.triu(problem.scores != FORBIDDEN, 1))
    graph = rx.PyGraph()
    graph.add_nodes_from(range(len(people)))
    weights = problem.scores[rows, cols].tolist()
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), weights, strict=True)))
    reference = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)

    result = solve(people, PEERS)

    assert result.objective.certified is True
    assert result.objective.gap == 0.0
    assert result.objective.method == "rustworkx blossom on all allowed pairs"
    assert result.objective.matched == 2 * len(reference) == 400
    expected = sum(int(problem.scores[a, b]) for a, b in reference) / problem.scale
    assert round(result.objective.total_score, 4) == round(expected, 4) == 15332.619
