"""The group heuristic against the proven optimum on pools of 14 to 24 peers.

Brute force stops being possible well before 24 people (four circles of six can be formed
in about 10^11 ways), so the optimum comes from exact search over every valid group at
once: a set-partitioning integer programme (scipy's HiGHS), one column per group of 4-6
that breaks no rule, solved to proven optimality. The heuristic (the path form_groups takes
above EXACT_LIMIT) must place as many people, reach within 1 % of the optimum's score, and
break no rule.
"""

from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csc_matrix

from pairing.matching import Rules, form_groups, group_violations
from pairing.matching import groups as groups_module
from pairing.matching.bench import synthetic_org
from tests.pairing.matching.test_groups import _check_valid, brute_force_groups

# (peers, seed): synthetic organisations whose integer programme HiGHS proves in seconds
# (some other seeds take a minute, too long for every CI run; they agree too).
CASES = [(14, 0), (14, 3), (18, 0), (18, 3), (21, 3), (24, 0)]
PLACED = 10_000.0  # a person placed outweighs any score: most placed first


def _columns(people, rules, excluded):
    """Every group of allowed size that breaks no rule, with its total pair score."""
    n = len(people)
    peers = groups_module.peer_rules(rules)
    score = np.zeros((n, n))
    allowed = np.ones((n, n), dtype=bool)
    for i, j in combinations(range(n), 2):
        broken = group_violations([people[i], people[j]], rules, excluded)
        if any(r.code != "group_size" for r in broken):
            allowed[i, j] = allowed[j, i] = False
        else:
            score[i, j] = score[j, i] = groups_module._pair_breakdown(
                people[i], people[j], peers
            ).total
    levels = np.array([p.level for p in people])
    columns = []
    for size in range(rules.group_min, rules.group_max + 1):
        for combo in combinations(range(n), size):
            index = np.array(combo)
            if levels[index].max() - levels[index].min() > rules.level_spread:
                continue
            if allowed[np.ix_(index, index)].all():
                columns.append((combo, score[np.ix_(index, index)].sum() / 2))
    return columns


def proven_optimum(people, rules, excluded=()):
    """(placed, total) of the best valid grouping, proven by the integer programme."""
    columns = _columns(people, rules, excluded)
    rows = np.concatenate([np.array(combo) for combo, _ in columns])
    cols = np.repeat(np.arange(len(columns)), [len(combo) for combo, _ in columns])
    cover = csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(people), len(columns)))
    values = np.array([total for _, total in columns])
    sizes = np.array([len(combo) for combo, _ in columns])
    everyone = milp(
        -values,
        constraints=LinearConstraint(cover, 1, 1),
        integrality=np.ones(len(columns)),
        bounds=Bounds(0, 1),
    )
    found = everyone
    if everyone.x is None:  # nobody's grouping places everyone: most placed, then score
        found = milp(
            -(PLACED * sizes + values),
            constraints=LinearConstraint(cover, 0, 1),
            integrality=np.ones(len(columns)),
            bounds=Bounds(0, 1),
        )
    assert found.success, found.message
    chosen = found.x > 0.5
    return int(sizes[chosen].sum()), float(values[chosen].sum())


@pytest.mark.parametrize(("size", "seed"), CASES)
def test_heuristic_is_within_one_percent_of_the_proven_optimum(size, seed):
    people = synthetic_org("peer_circles", size, 0, 1, seed)
    rules = Rules(kind="peer_circles")
    assert size > groups_module.EXACT_LIMIT  # the heuristic's path, not exact search

    placed, optimum = proven_optimum(people, rules)
    result = form_groups(people, rules)

    _check_valid(result, people, rules, ())
    assert result.objective.placed == placed
    assert result.objective.total >= 0.99 * optimum
    assert result.objective.total <= optimum + 1e-6
    assert result.objective.upper_bound >= optimum - 1e-6


def test_with_pairs_barred_the_heuristic_still_matches_the_optimum():
    people = synthetic_org("peer_circles", 18, 0, 1, 3)
    rng = np.random.default_rng(7)
    keys = [p.key for p in people]
    excluded = [tuple(rng.choice(keys, 2, replace=False)) for _ in range(25)]
    rules = Rules(kind="peer_circles")

    placed, optimum = proven_optimum(people, rules, excluded)
    result = form_groups(people, rules, excluded)

    _check_valid(result, people, rules, excluded)
    assert result.objective.placed == placed
    assert result.objective.total >= 0.99 * optimum


@pytest.mark.parametrize("seed", range(4))
def test_the_integer_programme_agrees_with_brute_force_on_small_pools(seed):
    people = synthetic_org("peer_circles", 9, 0, 1, seed)
    rules = Rules(kind="peer_circles", group_min=2, group_max=4)

    assert proven_optimum(people, rules) == pytest.approx(brute_force_groups(people, rules, []))
