"""Group formation for peer circles, co-development groups and group mentoring.

Scores. A group's total is the sum of the pair scores inside it, from the contract's pair
formula (`scores`):

- peers (circles, co-development): every two members score as peer-coaching peers, except
  that the level gap allowed is the programme's ``level_spread`` rather than
  ``peer_max_gap`` (a spread of s between the lowest and highest member is the same as no
  two members more than s apart, so the spread is a pair rule);
- group mentoring: the guide scores with each learner under the mentoring rules (goals the
  guide's expertise covers, the gap from ``min_gap`` to ``max_gap``), and every two learners
  score as peers (shared goals, level closeness within the spread, style, department).

A group's ``score`` is the mean of those pair scores (0-100), its breakdown the mean per
criterion. Every hard rule is a pair rule (manager and report, excluded pairs, the spread,
the guide's gap), plus the group sizes and a guide's number of groups (``capacity``).

Objective, in order: the most people placed who waited last round (``Person.waited``:
learners or peers left out of the previous round; a guide is never "served", their flag is
ignored), then the most people placed (learners or peers; guides are not counted), then the
highest total. Unlike pairs (where the placeable sets form a matroid, see
`assignment.tier_weight`), serving the waited first can cost placements here: with groups of
exactly three, {W, a, d} may be the only group W fits while {a, b, c} and {d, e, f} place
six. The order says which wins. The partition problem is NP-hard, so:

- pools of at most ``EXACT_LIMIT`` peers (``EXACT_LIMIT_MENTORING`` learners) are solved
  exactly (`exact_groups`, a dynamic
  programme over subsets) and the result is ``certified``;
- larger pools get a greedy construction (hardest person first, each group grown by the
  member who adds the most), a repair pass that pulls unplaced people in (insert, displace a
  member to a group with room, or build a new group from the unplaced and members of groups
  above the minimum), then local search (move one person, swap two people between groups)
  until no move improves or a fixed work budget (``STEP_BUDGET``) is spent. The repair
  pass takes the waited first, and a waited person nobody can make room for takes the
  place of a member who did not wait (`_evict`); restarts are ranked by the three tiers.
  All ties break
  by index, people are sorted by key and no step looks at the clock: the same input gives
  the same output on any machine.

Proven upper bound (``upper_bound``): a peer in a group of at most ``group_max`` people has at
most ``group_max - 1`` partners, so the pairs touching them add at most the sum of their
``group_max - 1`` best allowed pair scores (scores are never negative). Each pair touches two
people, so half the sum of those over everyone bounds the total of any valid grouping, with
any number of people placed. Group mentoring adds, per learner, their best allowed guide
score (each learner has one guide). Pinned groups add their own score on both sides. The
bound holds for every grouping, so also for those that serve the most waited and place the
most people: it bounds the total under the three-tier objective too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from .domain import (
    GROUP_MENTORING,
    GUIDE,
    LEARNER,
    MENTORING,
    PEER,
    PEER_CIRCLES,
    PEER_COACHING,
    Breakdown,
    Person,
    Reason,
    Rules,
    Unmatched,
)
from .scores import (
    FORBIDDEN,
    Side,
    choose_scale,
    forbid_pairs,
    normalise_topic,
    related,
    score_matrix,
    score_pair,
    style_of,
    topics,
    vocabulary_of,
)

# Pools up to this many peers (learners, for group mentoring) are solved exactly. Worst
# case measured here (everyone compatible): 0.14 s at 12 peers, 2.2 s at 14; group
# mentoring (3 mentors x 2 groups) 0.5 s at 10 learners, 5.6 s at 12.
EXACT_LIMIT = 12
EXACT_LIMIT_MENTORING = 10
# Random valid groupings drawn for the "against random" figure.
RANDOM_SAMPLES = 20
# Local search stops after this many person steps (each prices every move and swap of one
# person, ~0.1 ms at 5,000 peers): a work budget, not a clock, so the result never depends on
# the machine's load. 5,000 peers get 4 sweeps (~2.5 s, under 5 s end to end); pools up to
# ~2,000 converge first.
STEP_BUDGET = 20_000
# Restarts from a randomised construction, while the step budget lasts: small pools get
# many (they converge in a few hundred steps), 5,000 peers none.
RESTARTS = 200
_NOISE = 100.0  # points of noise on a restart's additions (1 pair's full score)
_MAX_CELLS = 25_000_000  # learner x group cells in the search (200 MB of float64)
_BAN = -1e6  # a barred pair in the float matrices
_BARRED = -1e5  # any sum below this includes a barred pair
# Smallest improvement the search acts on, and the float32 error allowed per pair score in
# the bound (scores up to 100 have ~1e-5 float32 resolution).
_EPS = 1e-3
_SLACK = 1e-3


@dataclass(frozen=True, slots=True)
class Group:
    """One proposed group: a guide (group mentoring) or None, the learners or peers.

    ``reasons`` holds each member's (and the guide's) explanation, keyed by person key.
    """

    guide: str | None
    members: tuple[str, ...]
    score: float
    breakdown: Breakdown
    reasons: dict[str, tuple[Reason, ...]]
    pinned: bool = False

    def to_dict(self) -> dict[str, object]:
        """The ``match --json`` shape of one group (a ``pairings`` entry)."""
        return {
            "guide": self.guide,
            "members": list(self.members),
            "score": round(self.score, 2),
            "breakdown": self.breakdown.as_dict(),
            "reasons": {
                key: [reason.to_dict() for reason in reasons]
                for key, reasons in self.reasons.items()
            },
        }


@dataclass(frozen=True, slots=True)
class GroupObjective:
    """How good the grouping is: placed, total, the proven bound and two baselines.

    ``gap`` is ``upper_bound - total`` (0.0 when ``certified``: exact search proved the
    three-tier optimum). ``random_mean`` is the mean total of random valid groupings of the
    same pool, ``greedy`` the total of the greedy construction before repair and local
    search. ``waited`` counts the learners or peers who waited last round and
    ``waited_matched`` those of them placed now (pinned groups included), as in
    `domain.Objective`; both default to 0 so runs stored before the tier still load.
    """

    placed: int
    total: float
    upper_bound: float
    random_mean: float
    greedy: float
    certified: bool
    method: str
    rounds: int
    solve_seconds: float
    waited: int = 0
    waited_matched: int = 0

    @property
    def gap(self) -> float:
        return 0.0 if self.certified else max(self.upper_bound - self.total, 0.0)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: the pair objective's keys plus the bound and baselines."""
        return {
            "matched": self.placed,
            "total_score": round(self.total, 2),
            "certified": self.certified,
            "gap": round(self.gap, 2),
            "method": self.method,
            "rounds": self.rounds,
            "solve_seconds": round(self.solve_seconds, 3),
            "upper_bound": round(self.upper_bound, 2),
            "random_mean": round(self.random_mean, 2),
            "greedy": round(self.greedy, 2),
            "waited": self.waited,
            "waited_matched": self.waited_matched,
        }

    @classmethod
    def from_dict(cls, data: dict) -> GroupObjective:
        """The objective back from `to_dict` (as a matching run stores it)."""
        return cls(
            placed=data["matched"],
            total=data["total_score"],
            upper_bound=data["upper_bound"],
            random_mean=data["random_mean"],
            greedy=data["greedy"],
            certified=data["certified"],
            method=data["method"],
            rounds=data["rounds"],
            solve_seconds=data["solve_seconds"],
            waited=data.get("waited", 0),
            waited_matched=data.get("waited_matched", 0),
        )


@dataclass(frozen=True, slots=True)
class GroupResult:
    """Groups, who is left and why, guides with groups to spare, the objective."""

    groups: list[Group]
    unmatched: list[Unmatched]
    spare_capacity: list[tuple[str, int]]
    objective: GroupObjective

    def to_dict(self) -> dict[str, object]:
        """The ``match --json`` shape (groups under ``pairings``, as for pair kinds)."""
        return {
            "objective": self.objective.to_dict(),
            "pairings": [g.to_dict() for g in self.groups],
            "unmatched": [{"email": u.key, "reasons": list(u.reasons)} for u in self.unmatched],
            "spare_capacity": [{"email": key, "free": free} for key, free in self.spare_capacity],
        }


# --- Rules for the pairs inside a group ------------------------------------------------


def peer_rules(rules: Rules) -> Rules:
    """The pair rules between two members who are peers (level gap up to the spread)."""
    return replace(rules, kind=PEER_COACHING, peer_max_gap=rules.level_spread)


def guide_rules(rules: Rules) -> Rules:
    """The pair rules between a guide and one of their learners (mentoring)."""
    return replace(rules, kind=MENTORING)


def _require_group(rules: Rules) -> None:
    if not rules.is_group:
        raise ValueError(f"{rules.kind} forms pairs, not groups: call solve")


def _unit(rules: Rules) -> str:
    return "circle" if rules.kind == PEER_CIRCLES else "group"


# --- One group: violations, score, explanations ------------------------------------------


def group_violations(
    members: Sequence[Person],
    rules: Rules,
    excluded: Iterable[tuple[str, str]] = (),
    guide: Person | None = None,
) -> list[Reason]:
    """The hard rules a proposed group breaks (empty when it may be made).

    ``members`` are the peers, or the learners of ``guide`` (group mentoring).
    """
    _require_group(rules)
    found: list[Reason] = []
    size = len(members)
    if not rules.group_min <= size <= rules.group_max:
        found.append(
            Reason("group_size", {"size": size, "min": rules.group_min, "max": rules.group_max})
        )
    if members:
        low, high = min(p.level for p in members), max(p.level for p in members)
        if high - low > rules.level_spread:
            found.append(
                Reason("group_spread", {"low": low, "high": high, "spread": rules.level_spread})
            )
    everyone = ([guide] if guide is not None else []) + list(members)
    banned = {frozenset(pair) for pair in excluded}
    for x, a in enumerate(everyone):
        for b in everyone[x + 1 :]:
            if related(a, b):
                boss, report = (a, b) if b.manager == a.key else (b, a)
                found.append(Reason("group_manager", {"manager": boss.name, "report": report.name}))
            elif frozenset((a.key, b.key)) in banned:
                found.append(Reason("group_excluded", {"a": a.name, "b": b.name}))
    if guide is not None:
        for learner in members:
            gap = guide.level - learner.level
            if not rules.min_gap <= gap <= rules.max_gap:
                found.append(
                    Reason(
                        "guide_gap",
                        {
                            "guide": guide.name,
                            "learner": learner.name,
                            "gap": gap,
                            "min_gap": rules.min_gap,
                            "max_gap": rules.max_gap,
                        },
                    )
                )
    return found


def _pair_breakdown(a: Person, b: Person, rules: Rules) -> Breakdown:
    """The pair's score as in `scores.score_pair`; a barred pair scores 0 (the group breaks
    a rule, which `group_violations` names)."""
    found = score_pair(a, b, rules)
    return found if found is not None else Breakdown(0.0, 0.0, 0.0, 0.0)


def _spelled(person: Person) -> dict[str, str]:
    return {normalise_topic(name): " ".join(name.split()) for name in person.goals}


def _common_style(people: Sequence[Person]) -> tuple[str | None, bool]:
    """The feedback style everyone accepts, and whether everyone named exactly it."""
    styles = {style_of(p) for p in people}
    stated = styles - {"either"}
    if len(stated) > 1:
        return None, False
    if not stated:
        return "either", True
    return stated.pop(), "either" not in styles


def _member_reasons(
    members: Sequence[Person], rules: Rules, guide: Person | None
) -> dict[str, tuple[Reason, ...]]:
    style, exact = _common_style(members)
    unit = _unit(rules)
    out: dict[str, tuple[Reason, ...]] = {}
    goal_sets = [topics(p.goals) for p in members]
    for x, person in enumerate(members):
        others = [goal_sets[y] for y in range(len(members)) if y != x]
        shared = goal_sets[x] & frozenset().union(*others) if others else frozenset()
        spelled = _spelled(person)
        reasons = [
            Reason(
                "group_shares",
                {
                    "topics": [spelled.get(t, t) for t in sorted(shared)],
                    "count": sum(1 for other in others if other & goal_sets[x]),
                    "size": len(others),
                    "style": style,
                    "all_same": exact,
                    "unit": unit,
                },
            )
        ]
        if guide is not None:
            covered = goal_sets[x] & topics(guide.expertise)
            reasons.append(
                Reason(
                    "guide_covers",
                    {
                        "guide": guide.name,
                        "covered": [spelled.get(t, t) for t in sorted(covered)],
                        "wanted": len(goal_sets[x]),
                    },
                )
            )
        out[person.key] = tuple(reasons)
    if guide is not None:
        offered = topics(guide.expertise)
        wanted = frozenset().union(*goal_sets) if goal_sets else frozenset()
        names = {}
        for person in members:
            names.update(_spelled(person))
        out[guide.key] = (
            Reason(
                "group_guide",
                {
                    "covered": [names.get(t, t) for t in sorted(offered & wanted)],
                    "helped": sum(1 for goals in goal_sets if goals & offered),
                    "learners": len(members),
                },
            ),
        )
    return out


def _mean(parts: list[Breakdown]) -> Breakdown:
    if not parts:
        return Breakdown(0.0, 0.0, 0.0, 0.0)
    n = len(parts)
    return Breakdown(
        goals=sum(p.goals for p in parts) / n,
        level=sum(p.level for p in parts) / n,
        style=sum(p.style for p in parts) / n,
        department=sum(p.department for p in parts) / n,
    )


def _pairs(members: Sequence[Person], rules: Rules, guide: Person | None) -> list[Breakdown]:
    peers = peer_rules(rules)
    parts = [_pair_breakdown(a, b, peers) for x, a in enumerate(members) for b in members[x + 1 :]]
    if guide is not None:
        mentoring = guide_rules(rules)
        parts += [_pair_breakdown(guide, learner, mentoring) for learner in members]
    return parts


def score_group(
    members: Sequence[Person], rules: Rules, guide: Person | None = None, *, pinned: bool = False
) -> Group:
    """A given group's mean pair score, mean breakdown and each member's reasons.

    Pairs a hard rule bars count 0 points (check `group_violations` for those). Members are
    kept in the order given.
    """
    _require_group(rules)
    parts = _pairs(members, rules, guide)
    mean = _mean(parts)
    return Group(
        guide=guide.key if guide is not None else None,
        members=tuple(p.key for p in members),
        score=mean.total,
        breakdown=mean,
        reasons=_member_reasons(members, rules, guide),
        pinned=pinned,
    )


def _group_total(members: Sequence[Person], rules: Rules, guide: Person | None) -> float:
    return sum(part.total for part in _pairs(members, rules, guide))


def best_additions(
    group: Sequence[Person],
    pool: Sequence[Person],
    rules: Rules,
    excluded: Iterable[tuple[str, str]] = (),
    count: int = 1,
    guide: Person | None = None,
) -> list[str]:
    """Keys of the best people in ``pool`` to add to ``group``, best first.

    Each addition keeps every hard rule except a size still below ``group_min``, and adds the
    most pair score to the group as it stands with the earlier additions (ties by key).
    """
    _require_group(rules)
    banned = list(excluded)
    current = list(group)
    inside = {p.key for p in current} | ({guide.key} if guide is not None else set())
    peers, mentoring = peer_rules(rules), guide_rules(rules)
    picked: list[str] = []
    while len(picked) < count and len(current) < rules.group_max:
        best: tuple[float, str, Person] | None = None
        for person in pool:
            if person.key in inside:
                continue
            broken = [
                r
                for r in group_violations([*current, person], rules, banned, guide)
                if r.code != "group_size"
            ]
            if broken:
                continue
            gain = sum(_pair_breakdown(person, m, peers).total for m in current)
            if guide is not None:
                gain += _pair_breakdown(guide, person, mentoring).total
            if best is None or (gain, best[1]) > (best[0], person.key):
                best = (gain, person.key, person)
        if best is None:
            break
        picked.append(best[1])
        current.append(best[2])
        inside.add(best[1])
    return picked


# --- The pool as matrices ------------------------------------------------------------


def _points(matrix: np.ndarray, scale: int) -> np.ndarray:
    """An integer score matrix as float32 points (``_BAN`` where barred): half the memory
    of float64, and the search only compares sums of a few pair scores."""
    out = np.multiply(matrix, np.float32(1 / scale), dtype=np.float32)
    out[matrix == FORBIDDEN] = _BAN
    return out


class _Pool:
    """Learners (or peers) sorted by key, their pair matrix, and the guides' slots."""

    def __init__(self, people: Sequence[Person], rules: Rules, banned: list[tuple[str, str]]):
        self.rules = rules
        self.people = sorted((p for p in people if p.role != GUIDE), key=lambda p: p.key)
        self.guides = sorted((p for p in people if p.role == GUIDE), key=lambda p: p.key)
        everyone = self.people + self.guides
        vocabulary = vocabulary_of(everyone)
        side = Side(self.people, vocabulary, expertise=False)
        n = len(self.people)
        self.level = side.level
        # The first tier: only learners and peers are served first (guides are not here).
        self.waited = np.array([p.waited for p in self.people], bool)
        peers = peer_rules(rules)
        scale = choose_scale(n, n, peers)
        matrix = score_matrix(side, side, peers, scale)
        forbid_pairs(matrix, side, side, banned)
        self.scores = _points(matrix, scale)
        np.fill_diagonal(self.scores, 0.0)
        self.capacity = np.array([max(g.capacity, 0) for g in self.guides], np.int64)
        if self.guides:
            guide_side = Side(self.guides, vocabulary, expertise=True)
            mentoring = guide_rules(rules)
            gscale = choose_scale(n, len(self.guides), mentoring)
            gm = score_matrix(side, guide_side, mentoring, gscale)
            forbid_pairs(gm, side, guide_side, banned)
            self.guide_scores = _points(gm, gscale)
        else:
            self.guide_scores = np.zeros((n, 0), np.float32)
        self.level_guides = np.array([g.level for g in self.guides], np.int64)
        self.excluded = frozenset(frozenset(pair) for pair in banned)

    @property
    def mentoring(self) -> bool:
        return self.rules.kind == GROUP_MENTORING

    def slots(self) -> np.ndarray:
        """The guide of each possible group (group mentoring): every guide's first group,
        then every second group, and so on, each guide up to the groups the learners could
        fill. Cut at ``_MAX_CELLS`` learner x group cells (the search's arrays), which
        only very large pools reach; the first groups of every guide come first."""
        most = len(self.people) // self.rules.group_min
        capacity = np.minimum(self.capacity, most).tolist()
        rounds = max(capacity, default=0)
        order = [g for r in range(rounds) for g, c in enumerate(capacity) if c > r]
        keep = max(_MAX_CELLS // max(len(self.people), 1), len(self.guides))
        return np.array(order[:keep], np.int64)


class _State:
    """A grouping under search: ``grp[i]`` is i's column (-1: unplaced).

    ``gain[i, g]`` is what i adds to column g (guide score plus pair scores with g's other
    members), kept up to date on every move, so a move or swap is priced in O(1); ``own[i]``
    is ``gain[i, grp[i]]`` (0 when unplaced) and ``members[g]`` lists column g's people.
    """

    def __init__(self, pool: _Pool):
        self.pool = pool
        n = len(pool.people)
        rules = pool.rules
        if pool.mentoring:
            self.guide_of = pool.slots()
            self.gain = np.asfortranarray(pool.guide_scores[:, self.guide_of], np.float64)
        else:
            self.guide_of = np.zeros(0, np.int64)
            # Column-major: a move updates one column (everyone's gain for one group).
            # float64: sums of float32 scores and bans stay exact through every +/-.
            self.gain = np.zeros((n, n // rules.group_min + 1), order="F")
        self.columns = self.gain.shape[1]
        self.grp = np.full(n, -1, np.int64)
        self.size = np.zeros(self.columns, np.int64)
        self.own = np.zeros(n)
        self.members: list[list[int]] = [[] for _ in range(self.columns)]

    def place(self, i: int, g: int) -> None:
        assert self.grp[i] < 0, "placed twice"
        self.grp[i] = g
        self.size[g] += 1
        self.gain[:, g] += self.pool.scores[i]  # symmetric: the row is contiguous
        self.members[g].append(i)
        self._refresh(g)

    def remove(self, i: int) -> None:
        g = int(self.grp[i])
        self.grp[i] = -1
        self.size[g] -= 1
        self.gain[:, g] -= self.pool.scores[i]
        self.members[g].remove(i)
        self.own[i] = 0.0
        self._refresh(g)

    def _refresh(self, g: int) -> None:
        inside = self.members[g]
        self.own[inside] = self.gain[inside, g]

    def rank(self) -> tuple[int, int, float]:
        """The objective, for comparing groupings: (waited placed, placed, total)."""
        placed = self.grp >= 0
        return int((placed & self.pool.waited).sum()), int(placed.sum()), round(self.total(), 6)

    def total(self) -> float:
        placed = np.flatnonzero(self.grp >= 0)
        return float(self.gain[placed, self.grp[placed]].sum() / 2) + self._guide_half(placed)

    def _guide_half(self, placed: np.ndarray) -> float:
        # gain counts the guide score once and every peer pair twice: halve only the pairs.
        if not self.pool.mentoring:
            return 0.0
        guide = self.pool.guide_scores[placed, self.guide_of[self.grp[placed]]]
        return float(guide.astype(np.float64).sum() / 2)


# --- Exact search for small pools ------------------------------------------------------


def _subset_tables(scores: np.ndarray, rules: Rules, waited: np.ndarray):
    """Per subset of the pool (bitmask): its pair total, whether it may be a group (no pair
    barred, size within bounds), its size and how many in it waited."""
    n = scores.shape[0]
    masks = np.arange(1 << n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)
    total = ((bits @ np.maximum(scores, 0.0)) * bits).sum(axis=1) / 2
    barred = ((bits @ (scores < _BARRED).astype(np.float64)) * bits).sum(axis=1) / 2
    size = bits.sum(axis=1).astype(np.int64)
    fits = (barred == 0) & (size >= rules.group_min) & (size <= rules.group_max)
    return total, fits, size, (bits @ waited.astype(np.float64)).astype(np.int64)


def _exact(pool: _Pool) -> list[tuple[int | None, list[int]]]:
    """The optimum grouping as (guide index or None, member indices), by dynamic programme.

    Values are (waited placed, placed, total), compared as tuples: the three tiers."""
    n = len(pool.people)
    if n == 0:
        return []
    total, fits, size, served = _subset_tables(pool.scores, pool.rules, pool.waited)
    by_low: list[list[int]] = [[] for _ in range(n)]
    for mask in np.flatnonzero(fits).tolist():
        by_low[(mask & -mask).bit_length() - 1].append(mask)
    members = [[i for i in range(n) if mask >> i & 1] for mask in range(1 << n)]
    if not pool.mentoring:
        memo: dict[int, tuple[tuple[int, int, float], list[int]]] = {0: ((0, 0, 0.0), [])}

        def best(mask: int) -> tuple[tuple[int, int, float], list[int]]:
            if mask in memo:
                return memo[mask]
            low = (mask & -mask).bit_length() - 1
            value, chosen = best(mask & ~(1 << low))
            for group in by_low[low]:
                if group & ~mask:
                    continue
                (waited, placed, score), rest = best(mask & ~group)
                candidate = (
                    waited + int(served[group]),
                    placed + int(size[group]),
                    score + float(total[group]),
                )
                if candidate > value:
                    value, chosen = candidate, [group, *rest]
            memo[mask] = (value, chosen)
            return memo[mask]

        return [(None, members[g]) for g in best((1 << n) - 1)[1]]
    slots = pool.slots()
    valid = np.flatnonzero(fits).tolist()
    guide_total = {
        (g, m): float(total[m] + pool.guide_scores[members[m], g].sum())
        for g in set(slots.tolist())
        for m in valid
        if (pool.guide_scores[members[m], g] > _BARRED).all()
    }
    gmemo: dict[tuple[int, int], tuple[tuple[int, int, float], list[tuple[int, int]]]] = {}

    def best_slots(s: int, mask: int) -> tuple[tuple[int, int, float], list[tuple[int, int]]]:
        if s == len(slots) or mask == 0:
            return (0, 0, 0.0), []
        key = (s, mask)
        if key in gmemo:
            return gmemo[key]
        value, chosen = best_slots(s + 1, mask)
        g = int(slots[s])
        for group in valid:
            if group & ~mask or (g, group) not in guide_total:
                continue
            (waited, placed, score), rest = best_slots(s + 1, mask & ~group)
            candidate = (
                waited + int(served[group]),
                placed + int(size[group]),
                score + guide_total[(g, group)],
            )
            if candidate > value:
                value, chosen = candidate, [(g, group), *rest]
        gmemo[key] = (value, chosen)
        return value, chosen

    return [(g, members[m]) for g, m in best_slots(0, (1 << n) - 1)[1]]


def exact_groups(
    people: Sequence[Person], rules: Rules, excluded: Iterable[tuple[str, str]] = ()
) -> list[tuple[str | None, tuple[str, ...]]]:
    """The optimal grouping of a small pool (most waited placed, then most placed, then
    highest total), exactly.

    Returns (guide key or None, member keys sorted) per group. Time and memory grow as 3^n
    and 2^n in the number of learners or peers: keep n to about ``EXACT_LIMIT``.
    """
    _require_group(rules)
    _check_roles(people, rules)
    pool = _Pool(people, rules, list(excluded))
    return [
        (
            pool.guides[g].key if g is not None else None,
            tuple(pool.people[i].key for i in chosen),
        )
        for g, chosen in _exact(pool)
    ]


# --- The heuristic ---------------------------------------------------------------------


def _allowed_count(pool: _Pool) -> np.ndarray:
    return (pool.scores > _BARRED).sum(axis=1) - 1


def _construct(state: _State, rng: np.random.Generator | None = None) -> None:
    """Greedy: hardest person first opens a group, grown by the best addition each time.

    It ignores who waited, as the pair kinds' greedy baseline does; the repair pass serves
    them (`_repair`). Seeding the waited first was tried: on one of 48 synthetic pools of
    10-12 it cost a placement that neither repair nor the restarts won back.

    With ``rng`` (restarts), the order is shuffled among people of similar difficulty, each
    group aims at a random size within the bounds and additions get up to ``_NOISE`` points
    of noise, so each restart explores another region.
    """
    pool, rules = state.pool, state.pool.rules
    n = len(pool.people)
    free = np.ones(n, bool)
    difficulty = _allowed_count(pool).astype(np.float64)
    if rng is not None:
        difficulty += rng.random(n) * max(float(difficulty.std()), 1.0)
    order = np.argsort(difficulty, kind="stable")
    next_column = 0
    for seed in order.tolist():
        if not free[seed]:
            continue
        if pool.mentoring:
            open_slots = np.flatnonzero(state.size == 0)
            if open_slots.size == 0:
                break
            values = state.gain[seed, open_slots]
            if values.max() < _BARRED:
                continue
            column = int(open_slots[int(np.argmax(values))])
        else:
            if next_column == state.columns:
                break
            column = next_column
        target = rules.group_max
        if rng is not None:
            target = int(rng.integers(rules.group_min, rules.group_max + 1))
        members = [seed]
        state.place(seed, column)
        free[seed] = False
        while len(members) < target:
            values = np.where(free, state.gain[:, column], -np.inf)
            if rng is not None:
                values = values + rng.random(n) * _NOISE
            pick = int(np.argmax(values))
            if values[pick] < _BARRED:
                break
            state.place(pick, column)
            free[pick] = False
            members.append(pick)
        if len(members) < rules.group_min:
            for i in members:
                state.remove(i)
                free[i] = i != seed
            free[seed] = False  # tried: left for the repair pass
        elif not pool.mentoring:
            next_column += 1


def _improve(state: _State, budget: int) -> tuple[int, int]:
    """Repair, local search, and once more if the search freed room: (sweeps, budget left)."""
    _repair(state)
    rounds, budget = _local_search(state, budget)
    if budget and _repair(state):
        more, budget = _local_search(state, budget)
        rounds += more
    return rounds, budget


def _heuristic(pool: _Pool, seed: int) -> tuple[_State, float, int]:
    """The greedy start improved, then seeded restarts while the step budget lasts (at most
    ``RESTARTS``); the best by (waited placed, placed, total). Returns it, the greedy total
    and sweeps."""
    best = _State(pool)
    _construct(best)
    greedy_total = best.total()
    rounds, budget = _improve(best, STEP_BUDGET)
    rng = np.random.default_rng(seed)
    for _ in range(RESTARTS):
        if budget <= 0:
            break
        state = _State(pool)
        _construct(state, rng)
        more, budget = _improve(state, budget)
        rounds += more
        if state.rank() > best.rank():
            best = state
    return best, greedy_total, rounds


def _room(state: _State) -> np.ndarray:
    return (state.size >= 1) & (state.size < state.pool.rules.group_max)


def _repair(state: _State) -> bool:
    """Pull unplaced people in, those who waited first; True when someone was placed.

    A waited person who fits nowhere else takes the place of a member who did not wait
    (`_evict`): one more waited placed outranks everything below it. The member evicted
    gets their own turn at the end of the queue."""
    changed = False
    waited = state.pool.waited
    unplaced = np.flatnonzero(state.grp < 0)
    queue = [*unplaced[waited[unplaced]].tolist(), *unplaced[~waited[unplaced]].tolist()]
    while queue:
        u = queue.pop(0)
        if state.grp[u] >= 0:  # placed meanwhile, in a new group built around someone else
            continue
        room = _room(state)
        values = np.where(room, state.gain[u], -np.inf)
        h = int(np.argmax(values))
        if values[h] > _BARRED:
            state.place(u, h)
            changed = True
            continue
        if _displace(state, u, room) or _new_group(state, u):
            changed = True
            continue
        if waited[u]:
            evicted = _evict(state, u)
            if evicted is not None:
                queue.append(evicted)
                changed = True
    return changed


def _evict(state: _State, u: int) -> int | None:
    """Put waited u in place of the member who did not wait whose group u fits without
    them, costing the least score; returns who was evicted (None: nobody can be)."""
    pool = state.pool
    placed = np.flatnonzero((state.grp >= 0) & ~pool.waited)
    if placed.size == 0:
        return None
    home = state.grp[placed]
    fits = state.gain[u, home] - pool.scores[u, placed]
    value = np.where(fits > _BARRED, fits - state.own[placed], -np.inf)
    x = int(np.argmax(value))
    if value[x] == -np.inf:
        return None
    v, h = int(placed[x]), int(home[x])
    state.remove(v)
    state.place(u, h)
    return v


def _displace(state: _State, u: int, room: np.ndarray) -> bool:
    """Put u in place of a member v who moves to another group with room."""
    if not room.any():
        return False
    scores = state.pool.scores
    placed = np.flatnonzero(state.grp >= 0)
    if placed.size == 0:
        return False
    home = state.grp[placed]
    fits_u = state.gain[u, home] - scores[u, placed] > _BARRED
    rooms = np.flatnonzero(room)
    dest = state.gain[np.ix_(placed, rooms)]
    dest[rooms[None, :] == home[:, None]] = -np.inf
    best = dest.argmax(axis=1)
    best_value = dest[np.arange(placed.size), best]
    ok = fits_u & (best_value > _BARRED)
    if not ok.any():
        return False
    value = np.where(ok, best_value + state.gain[u, home] - scores[u, placed], -np.inf)
    x = int(np.argmax(value))
    v, h, k = int(placed[x]), int(home[x]), int(rooms[best[x]])
    state.remove(v)
    state.place(v, k)
    state.place(u, h)
    return True


def _new_group(state: _State, u: int) -> bool:
    """Open a group around u with unplaced people and members spared by groups above the
    minimum; undone unless it reaches the minimum size."""
    pool, rules = state.pool, state.pool.rules
    empty = np.flatnonzero(state.size == 0)
    if pool.mentoring:
        empty = empty[state.gain[u, empty] > _BARRED]
    if empty.size == 0:
        return False
    column = int(empty[np.argmax(state.gain[u, empty])]) if pool.mentoring else int(empty[0])
    moved: list[tuple[int, int]] = [(u, -1)]
    state.place(u, column)
    while state.size[column] < rules.group_max:
        home = state.grp
        spare = (home < 0) | ((home >= 0) & (state.size[np.maximum(home, 0)] > rules.group_min))
        spare &= home != column
        loss = np.where(home >= 0, state.gain[np.arange(home.size), np.maximum(home, 0)], 0.0)
        # Unplaced people first, the waited among them before the rest (each adds a
        # placement), then the cheapest donors.
        values = np.where(spare & (state.gain[:, column] > _BARRED), 1.0, 0.0)
        if not values.any():
            break
        unplaced = (home < 0) * (1 + pool.waited)
        priority = np.where(values > 0, unplaced * 1e7 + state.gain[:, column] - loss, -np.inf)
        pick = int(np.argmax(priority))
        before = int(home[pick])
        if before >= 0:
            state.remove(pick)
        state.place(pick, column)
        moved.append((pick, before))
        if state.size[column] >= rules.group_min and not (state.grp < 0).any():
            break
    if state.size[column] >= rules.group_min:
        return True
    for person, before in reversed(moved):
        state.remove(person)
        if before >= 0:
            state.place(person, before)
    return False


def _local_search(state: _State, budget: int) -> tuple[int, int]:
    """Best-improvement moves and swaps per person, sweeping until none helps or ``budget``
    person steps are spent: (sweeps, steps left).

    Swaps are tried with the people within the level spread of the person moved: anyone
    further is barred from the person's group, so could only swap into a group whose other
    members all suit the person, which the move step covers when it has room.
    """
    pool, rules = state.pool, state.pool.rules
    scores = pool.scores
    n = len(pool.people)
    near = {
        level: np.flatnonzero(np.abs(pool.level - level) <= rules.level_spread)
        for level in set(pool.level.tolist())
    }
    rounds = 0
    improved = True
    while improved and budget > 0:
        improved = False
        rounds += 1
        for i in range(n):
            g = int(state.grp[i])
            if g < 0:
                continue
            if budget == 0:
                break
            budget -= 1
            row = state.gain[i].copy()  # one row of a column-major matrix: gather it once
            here = row[g]
            best_delta, action = _EPS, None
            if state.size[g] > rules.group_min:
                room = _room(state) & (row > _BARRED)
                room[g] = False
                if room.any():
                    moves = np.where(room, row - here, -np.inf)
                    h = int(np.argmax(moves))
                    if moves[h] > best_delta:
                        best_delta, action = float(moves[h]), ("move", h)
            cand = near[int(pool.level[i])]
            home = state.grp[cand]
            s_i = scores[i, cand]
            into = row[home] - s_i
            back = state.gain[cand, g] - s_i
            delta = into - here + back - state.own[cand]
            ok = (home >= 0) & (home != g) & (into > _BARRED) & (back > _BARRED)
            delta = np.where(ok, delta, -np.inf)
            x = int(np.argmax(delta))
            if delta[x] > best_delta:
                best_delta, action = float(delta[x]), ("swap", int(cand[x]))
            if action is None:
                continue
            improved = True
            if action[0] == "move":
                state.remove(i)
                state.place(i, action[1])
            else:
                j = action[1]
                h = int(state.grp[j])
                state.remove(i)
                state.remove(j)
                state.place(i, h)
                state.place(j, g)
    return rounds, budget


def _random_total(pool: _Pool, barred: list[set[int]], rng: np.random.Generator) -> float:
    """One random valid grouping's total: people in random order join the first open group
    (in order of opening) they fit, else open one; groups below the minimum dissolve.

    ``barred`` holds, per person, who they may not join for a reason other than level."""
    rules = pool.rules
    level = pool.level.tolist()
    groups: list[list[int]] = []
    bounds: list[tuple[int, int]] = []
    guide_of: list[int] = []
    room = pool.capacity.copy()
    open_groups: list[int] = []
    for i in rng.permutation(len(pool.people)).tolist():
        joined = False
        for x in open_groups:
            low, high = min(bounds[x][0], level[i]), max(bounds[x][1], level[i])
            if high - low > rules.level_spread or barred[i].intersection(groups[x]):
                continue
            if pool.mentoring and pool.guide_scores[i, guide_of[x]] < _BARRED:
                continue
            groups[x].append(i)
            bounds[x] = (low, high)
            if len(groups[x]) == rules.group_max:
                open_groups.remove(x)
            joined = True
            break
        if joined:
            continue
        guide = -1
        if pool.mentoring:
            options = np.flatnonzero((room > 0) & (pool.guide_scores[i] > _BARRED))
            if options.size == 0:
                continue
            guide = int(options[rng.integers(options.size)])
            room[guide] -= 1
        groups.append([i])
        bounds.append((level[i], level[i]))
        guide_of.append(guide)
        open_groups.append(len(groups) - 1)
    kept = [x for x, members in enumerate(groups) if len(members) >= rules.group_min]
    pairs = [(a, b) for x in kept for a, b in combinations(groups[x], 2)]
    total = 0.0
    if pairs:
        left, right = np.array(pairs).T
        total += float(pool.scores[left, right].astype(np.float64).sum())
    if pool.mentoring and kept:
        learners = [i for x in kept for i in groups[x]]
        guides = [guide_of[x] for x in kept for _ in groups[x]]
        total += float(pool.guide_scores[learners, guides].astype(np.float64).sum())
    return total


def _barred_sets(pool: _Pool) -> list[set[int]]:
    """Per person, who shares no group with them whatever the levels: their manager, their
    reports, excluded pairs."""
    index = {p.key: i for i, p in enumerate(pool.people)}
    out: list[set[int]] = [set() for _ in pool.people]
    for i, person in enumerate(pool.people):
        j = index.get(person.manager) if person.manager is not None else None
        if j is not None and j != i:
            out[i].add(j)
            out[j].add(i)
    for pair in pool.excluded:
        if len(pair) == 2 and all(key in index for key in pair):
            a, b = (index[key] for key in pair)
            out[a].add(b)
            out[b].add(a)
    return out


def _upper_bound(pool: _Pool) -> float:
    """Half the sum, per person, of their best ``group_max - 1`` pair scores, plus (group
    mentoring) each learner's best guide score; see the module docstring."""
    n = len(pool.people)
    if n == 0:
        return 0.0
    k = min(pool.rules.group_max - 1, n - 1)
    positive = np.maximum(pool.scores, 0.0)
    np.fill_diagonal(positive, 0.0)
    if k > 0:
        best = -np.partition(-positive, k - 1, axis=1)[:, :k]
        bound = float(best.sum()) / 2
    else:
        bound = 0.0
    if pool.mentoring and pool.guide_scores.shape[1]:
        usable = pool.guide_scores[:, pool.capacity > 0]
        if usable.shape[1]:
            bound += float(np.maximum(usable, 0.0).max(axis=1).sum())
    # Matrix scores are rounded (to 1/scale, then to float32): allow that per score.
    return bound + _SLACK * n * (k + 1)


# --- Unmatched reasons -------------------------------------------------------------------


def _unmatched_reasons(pool: _Pool, i: int, state: _State, certified: bool) -> tuple[Reason, ...]:
    rules, person = pool.rules, pool.people[i]
    role = "learner" if pool.mentoring else "peer"
    if pool.mentoring:
        if not pool.guides:
            return (Reason("no_guides"),)
        gap = pool.level_guides - person.level
        in_range = (gap >= rules.min_gap) & (gap <= rules.max_gap)
        if not in_range.any():
            return (
                Reason(
                    "no_guide_in_range",
                    {
                        "level": person.level,
                        "min_gap": rules.min_gap,
                        "max_gap": rules.max_gap,
                        "direction": "above",
                    },
                ),
            )
        allowed = pool.guide_scores[i] > _BARRED
        if not allowed.any():
            candidates = [pool.guides[g] for g in np.flatnonzero(in_range).tolist()]
            return (_ruled_out(person, candidates, "mentor", pool.excluded, rules),)
        slots = np.flatnonzero(allowed[state.guide_of]) if state.guide_of.size else []
        open_slots = [s for s in slots if state.size[s] < rules.group_max]
        if not open_slots:
            return (Reason("guides_full", {"count": int(allowed.sum()), "certified": certified}),)
    if len(pool.people) == 1:
        return (Reason("only_peer"),)
    near = np.abs(pool.level - person.level) <= rules.level_spread
    near[i] = False
    needed = rules.group_min - 1
    if near.sum() < needed:
        return (
            Reason(
                "group_too_few",
                {
                    "level": person.level,
                    "spread": rules.level_spread,
                    "count": int(near.sum()),
                    "size_min": rules.group_min,
                    "role": role,
                    "unit": _unit(rules),
                },
            ),
        )
    allowed = (pool.scores[i] > _BARRED) & near
    if allowed.sum() < needed:
        candidates = [pool.people[j] for j in np.flatnonzero(near).tolist()]
        reason = _ruled_out(person, candidates, role, pool.excluded, rules)
        params = {**reason.params, "size_min": rules.group_min, "level": person.level}
        params |= {"spread": rules.level_spread, "role": role, "unit": _unit(rules)}
        return (Reason("group_ruled_out", params),)
    return (
        Reason(
            "groups_full",
            {
                "count": int(allowed.sum()),
                "size_max": rules.group_max,
                "level": person.level,
                "spread": rules.level_spread,
                "role": role,
                "unit": _unit(rules),
                "certified": certified,
                # Regrouping might place more people, but only by leaving out someone who
                # waited: the proof is of the three tiers, and the words say so.
                "waited": bool(pool.waited.any()),
            },
        ),
    )


def _ruled_out(
    person: Person, candidates: list[Person], role: str, excluded: frozenset, rules: Rules
) -> Reason:
    manager = any(c.key == person.manager for c in candidates)
    reports = [c for c in candidates if c.manager == person.key]
    declined = [
        c
        for c in candidates
        if frozenset((c.key, person.key)) in excluded and not related(c, person)
    ]
    return Reason(
        "ruled_out",
        {
            "role": role if role != "learner" else "peer",
            "candidates": len(candidates),
            "manager": manager,
            "reports": len(reports),
            "declined": len(declined),
        },
    )


# --- Entry point -------------------------------------------------------------------------


def _check_roles(people: Sequence[Person], rules: Rules) -> None:
    allowed = (GUIDE, LEARNER) if rules.kind == GROUP_MENTORING else (PEER,)
    seen: set[str] = set()
    for person in people:
        if person.key in seen:
            raise ValueError(f"duplicate person key {person.key!r}")
        seen.add(person.key)
        if person.role not in allowed:
            raise ValueError(
                f"{person.key!r} has role {person.role!r}, which does not fit a "
                f"{rules.kind} programme (expected {' or '.join(allowed)})"
            )


def _pinned_groups(
    people: Sequence[Person],
    rules: Rules,
    excluded: list[tuple[str, str]],
    pinned: Sequence[Sequence[str]],
) -> list[tuple[Person | None, list[Person]]]:
    by_key = {p.key: p for p in people}
    used: set[str] = set()
    groups: list[tuple[Person | None, list[Person]]] = []
    load: dict[str, int] = {}
    for keys in pinned:
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise ValueError(f"pinned group {list(keys)!r} names unknown people {unknown!r}")
        twice = [k for k in keys if k in used]
        if twice or len(set(keys)) != len(keys):
            raise ValueError(f"pinned group {list(keys)!r} pins someone twice")
        used |= set(keys)
        chosen = [by_key[k] for k in keys]
        guides = [p for p in chosen if p.role == GUIDE]
        if rules.kind == GROUP_MENTORING and len(guides) != 1:
            raise ValueError(f"pinned group {list(keys)!r} needs exactly one mentor")
        guide = guides[0] if guides else None
        members = [p for p in chosen if p.role != GUIDE]
        broken = group_violations(members, rules, excluded, guide)
        if broken:
            raise ValueError(
                f"pinned group {list(keys)!r} breaks a matching rule ({broken[0].code})"
            )
        if guide is not None:
            load[guide.key] = load.get(guide.key, 0) + 1
            if load[guide.key] > guide.capacity:
                raise ValueError(f"pinned groups exceed {guide.key!r}'s capacity")
        groups.append((guide, members))
    return groups


def form_groups(
    people: Sequence[Person],
    rules: Rules,
    excluded: Iterable[tuple[str, str]] = (),
    *,
    seed: int = 0,
    pinned: Sequence[Sequence[str]] = (),
) -> GroupResult:
    """Form groups under ``rules``: most people placed who waited last round
    (``Person.waited``), then most people placed, then the highest total pair score.

    ``excluded`` pairs (either order) never share a group. ``pinned`` groups (lists of keys;
    for group mentoring including the mentor) are kept exactly as given and the rest is
    grouped around them (ValueError if a pin breaks a rule). ``seed`` drives the random
    baseline only; the grouping itself is deterministic.
    """
    began = time.perf_counter()
    _require_group(rules)
    _check_roles(people, rules)
    banned = [tuple(pair) for pair in excluded]
    fixed = _pinned_groups(people, rules, banned, pinned)
    taken = {p.key for _, members in fixed for p in members}
    pinned_load: dict[str, int] = {}
    for guide, _ in fixed:
        if guide is not None:
            pinned_load[guide.key] = pinned_load.get(guide.key, 0) + 1
    rest = [
        replace(p, capacity=p.capacity - pinned_load.get(p.key, 0)) if p.role == GUIDE else p
        for p in people
        if p.key not in taken
    ]
    pool = _Pool(rest, rules, banned)
    n = len(pool.people)
    state = _State(pool)
    if n <= (EXACT_LIMIT_MENTORING if pool.mentoring else EXACT_LIMIT):
        baseline = _State(pool)
        _construct(baseline)
        greedy_total = baseline.total()
        for g_index, members in _exact(pool):
            column = _column_for(state, g_index)
            for i in members:
                state.place(i, column)
        certified, rounds = True, 0
        method = "exact dynamic programme over subsets"
    else:
        state, greedy_total, rounds = _heuristic(pool, seed)
        certified = False
        method = "greedy construction + repair + move/swap local search, seeded restarts"
    rng = np.random.default_rng(seed)
    barred = _barred_sets(pool)
    random_totals = [_random_total(pool, barred, rng) for _ in range(RANDOM_SAMPLES if n else 0)]
    groups = _result_groups(pool, state, rules, fixed)
    pinned_total = sum(_group_total(members, rules, guide) for guide, members in fixed)
    total = sum(_group_total_of(g, pool, rules) for g in groups if not g.pinned) + pinned_total
    bound = total if certified else _upper_bound(pool) + pinned_total
    unmatched = [
        Unmatched(pool.people[i].key, _unmatched_reasons(pool, i, state, certified))
        for i in np.flatnonzero(state.grp < 0).tolist()
    ]
    used = np.bincount(
        state.guide_of[state.size > 0] if state.guide_of.size else np.zeros(0, np.int64),
        minlength=len(pool.guides),
    )
    spare = [
        (g.key, int(pool.capacity[x] - used[x]))
        for x, g in enumerate(pool.guides)
        if pool.capacity[x] - used[x] > 0
    ]
    placed = int((state.grp >= 0).sum()) + sum(len(members) for _, members in fixed)
    pinned_waited = sum(p.waited for _, members in fixed for p in members)
    objective = GroupObjective(
        placed=placed,
        total=total,
        upper_bound=max(bound, total),
        random_mean=(float(np.mean(random_totals)) if random_totals else 0.0) + pinned_total,
        greedy=greedy_total + pinned_total,
        certified=certified,
        method=method,
        rounds=rounds,
        solve_seconds=time.perf_counter() - began,
        waited=int(pool.waited.sum()) + pinned_waited,
        waited_matched=int((pool.waited & (state.grp >= 0)).sum()) + pinned_waited,
    )
    return GroupResult(groups, unmatched, spare, objective)


def _column_for(state: _State, guide: int | None) -> int:
    empty = np.flatnonzero(state.size == 0)
    if guide is None:
        return int(empty[0])
    return int(empty[state.guide_of[empty] == guide][0])


def _group_total_of(group: Group, pool: _Pool, rules: Rules) -> float:
    pairs = len(group.members) * (len(group.members) - 1) // 2
    pairs += len(group.members) if group.guide is not None else 0
    return group.score * pairs


def _result_groups(
    pool: _Pool, state: _State, rules: Rules, fixed: list[tuple[Person | None, list[Person]]]
) -> list[Group]:
    groups = [score_group(members, rules, guide, pinned=True) for guide, members in fixed]
    found = []
    for column in np.flatnonzero(state.size > 0).tolist():
        members = [pool.people[i] for i in np.flatnonzero(state.grp == column).tolist()]
        guide = pool.guides[int(state.guide_of[column])] if pool.mentoring else None
        found.append(score_group(members, rules, guide))
    # Groups in order of their guide, then their first member (people sorted by key).
    found.sort(key=lambda g: (g.guide or "", g.members))
    return groups + found
