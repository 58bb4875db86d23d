"""Shared helpers for the matching-engine tests: sample CSVs and a brute-force optimum."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from pairing.matching import Person, Rules, score_pair

DATA = Path(__file__).resolve().parents[2] / "data"
_ROLES = {"mentor": "guide", "mentee": "learner", "peer": "peer"}


def _topics(text: str) -> frozenset[str]:
    return frozenset(t.strip().lower() for t in text.split(";") if t.strip())


def load_sample(name: str) -> list[Person]:
    """Read a sample participants CSV the way the importer does (programme default 2)."""
    people = []
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            capacity = row["capacity"].strip()
            people.append(
                Person(
                    key=row["email"].strip().lower(),
                    role=_ROLES[row["role"].strip().lower()],
                    level=int(row["level"]),
                    department=row["department"].strip(),
                    manager=row["manager_email"].strip().lower() or None,
                    goals=_topics(row["goals"]),
                    expertise=_topics(row["expertise"]),
                    style=row["style"].strip() or "either",
                    capacity=int(capacity) if capacity else 2,
                    label=row["name"].strip(),
                )
            )
    return people


def _allowed(a: Person, b: Person, rules: Rules, excluded: set[frozenset[str]]):
    if frozenset((a.key, b.key)) in excluded:
        return None
    return score_pair(a, b, rules)


def brute_force(
    people: Sequence[Person], rules: Rules, excluded: Sequence[tuple[str, str]] = ()
) -> tuple[int, float]:
    """(people matched, total score) of the lexicographic optimum, by enumeration."""
    return brute_force_tiers(people, rules, excluded)[1:]


def _better(a: tuple[int, int, float], b: tuple[int, int, float]) -> bool:
    return a[:2] > b[:2] or (a[:2] == b[:2] and a[2] > b[2] + 1e-9)


def brute_force_tiers(
    people: Sequence[Person], rules: Rules, excluded: Sequence[tuple[str, str]] = ()
) -> tuple[int, int, float]:
    """(waited matched, people matched, total score) of the three-tier optimum, by
    enumeration: most waited learners (or peers) matched, then most matched, then score."""
    banned = {frozenset(pair) for pair in excluded}
    if rules.is_peer:
        return _brute_peers(list(people), rules, banned)
    learners = [p for p in people if p.role == "learner"]
    guides = [p for p in people if p.role == "guide"]
    best = (0, 0, 0.0)

    def walk(i: int, room: list[int], waited: int, matched: int, total: float) -> None:
        nonlocal best
        if i == len(learners):
            if _better((waited, matched, total), best):
                best = (waited, matched, total)
            return
        walk(i + 1, room, waited, matched, total)
        for j, guide in enumerate(guides):
            if room[j] < 1:
                continue
            breakdown = _allowed(guide, learners[i], rules, banned)
            if breakdown is None:
                continue
            room[j] -= 1
            w = waited + learners[i].waited
            walk(i + 1, room, w, matched + 1, total + breakdown.total)
            room[j] += 1

    walk(0, [max(g.capacity, 0) for g in guides], 0, 0, 0.0)
    return best


def _brute_peers(peers: list[Person], rules: Rules, banned: set[frozenset[str]]):
    best = (0, 0, 0.0)

    def walk(free: list[Person], waited: int, matched: int, total: float) -> None:
        nonlocal best
        if not free:
            if _better((waited, matched, total), best):
                best = (waited, matched, total)
            return
        first, rest = free[0], free[1:]
        walk(rest, waited, matched, total)
        for k, other in enumerate(rest):
            breakdown = _allowed(first, other, rules, banned)
            if breakdown is not None:
                w = waited + first.waited + other.waited
                walk(rest[:k] + rest[k + 1 :], w, matched + 2, total + breakdown.total)

    walk(peers, 0, 0, 0.0)
    return best
