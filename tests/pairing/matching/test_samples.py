"""The shared sample files solve to the independently computed optima (data/README.md)."""

import pytest

from pairing.matching import Rules, solve
from tests.pairing.matching.helpers import load_sample


@pytest.mark.parametrize(
    ("name", "kind", "matched", "total"),
    [
        ("mentoring-sample.csv", "mentoring", 32, 2221.67),
        ("reverse-mentoring-sample.csv", "reverse_mentoring", 17, 1075.00),
        ("peer-coaching-sample.csv", "peer_coaching", 50, 1465.48),
    ],
)
def test_sample_optimum_matches_the_published_figure(name, kind, matched, total):
    result = solve(load_sample(name), Rules(kind=kind))

    assert result.objective.matched == matched
    assert round(result.objective.total_score, 2) == total
    assert result.objective.certified is True
    assert result.objective.gap == 0.0
    assert round(sum(p.score for p in result.pairings), 2) == total


def test_peer_sample_makes_25_pairs_of_two():
    result = solve(load_sample("peer-coaching-sample.csv"), Rules(kind="peer_coaching"))

    assert len(result.pairings) == 25
    assert {len(p.members) for p in result.pairings} == {2}
    assert {p.guide for p in result.pairings} == {None}
    assert result.unmatched == []


def test_mentoring_sample_accounts_for_everyone():
    people = load_sample("mentoring-sample.csv")

    result = solve(people, Rules(kind="mentoring"))

    learners = sorted(p.key for p in people if p.role == "learner")
    placed = sorted(
        [m for p in result.pairings for m in p.members] + [u.key for u in result.unmatched]
    )
    assert placed == learners
    load = {}
    for pairing in result.pairings:
        load[pairing.guide] = load.get(pairing.guide, 0) + 1
    capacity = {p.key: p.capacity for p in people if p.role == "guide"}
    assert all(load[key] <= capacity[key] for key in load)
    assert dict(result.spare_capacity) == {
        key: capacity[key] - load.get(key, 0)
        for key in capacity
        if capacity[key] - load.get(key, 0) > 0
    }


def test_mentoring_sample_unmatched_reasons_are_specific():
    result = solve(load_sample("mentoring-sample.csv"), Rules(kind="mentoring"))

    reasons = {u.key: u.reasons for u in result.unmatched}
    assert reasons["ana.brennan.101x36@example.org"] == [
        "no mentor 1–3 levels above you (you are level 6)"
    ]
    assert len(reasons) == 8


def test_reverse_sample_says_below():
    result = solve(load_sample("reverse-mentoring-sample.csv"), Rules(kind="reverse_mentoring"))

    reasons = {u.key: u.reasons for u in result.unmatched}
    assert reasons["hana.fischer.102x27@example.org"] == [
        "no mentor 1–3 levels below you (you are level 1)"
    ]
