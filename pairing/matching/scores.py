"""Pair scores: the contract's formula for one pair, and the same formula vectorised.

``score_pair`` is the readable reference; ``score_matrix`` computes exactly the same floating
point numbers for a whole block of pairs with numpy (same operations in the same order), then
stores them as integers in units of ``1 / scale`` points so the solvers can work in exact
integer arithmetic. Forbidden pairs hold ``FORBIDDEN``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from .domain import (
    GUIDE,
    HISTORY_BONUS_CAP,
    LEARNER,
    PEER,
    REVERSE_MENTORING,
    Breakdown,
    Criterion,
    Person,
    Reason,
    Rules,
)
from .history import adjustment
from .wording import criterion_for_person

FORBIDDEN = np.iinfo(np.int32).min
# Rows per block when building matrices: bounds the float64 temporaries to ~32 MB.
_BLOCK = 2048
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)  # topic names repeat endlessly across a pool
def normalise_topic(name: str) -> str:
    """Trim, collapse inner whitespace and casefold a topic name."""
    return _SPACES.sub(" ", name.strip()).casefold()


def topics(names: Iterable[str]) -> frozenset[str]:
    """Normalise a set of topic names, dropping blanks."""
    if isinstance(names, frozenset):  # a Person's field: the same few sets recur by the thousand
        return _frozen_topics(names)
    return frozenset(t for t in (normalise_topic(n) for n in names) if t)


@lru_cache(maxsize=65536)
def _frozen_topics(names: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in (normalise_topic(n) for n in names) if t)


def style_of(person: Person) -> str:
    """The person's feedback style, lower-cased; anything unknown counts as ``either``."""
    style = person.style.strip().casefold()
    return style if style in ("directive", "reflective") else "either"


def level_gap(guide: Person, learner: Person, rules: Rules) -> int:
    """The hierarchical gap: how far the guide is above (or, reverse, below) the learner."""
    if rules.kind == REVERSE_MENTORING:
        return learner.level - guide.level
    return guide.level - learner.level


def _level_value(gap: int, rules: Rules) -> float:
    # The contract divides by 3 whatever the gap settings are; clamp so odd rules stay >= 0.
    if rules.is_peer:
        return max(0.0, 1 - abs(gap) / 2)
    return max(0.0, 1 - abs(gap - rules.ideal_gap) / 3)


def _level_allowed(gap: int, rules: Rules) -> bool:
    if rules.is_peer:
        return abs(gap) <= rules.peer_max_gap
    return rules.min_gap <= gap <= rules.max_gap


def _same_department(a: Person, b: Person) -> bool:
    return a.department.strip().casefold() == b.department.strip().casefold()


def related(a: Person, b: Person) -> bool:
    """True when one of the two manages the other (such pairs are never made)."""
    return a.manager == b.key or b.manager == a.key


def barred_reason(
    guide_or_a: Person, learner_or_b: Person, rules: Rules, excluded: Iterable = ()
) -> str | None:
    """Why a hard rule forbids this pair (ordered as for score_pair), in words; None when
    it may be made. ``excluded`` holds the pairs declined before, as key pairs in either
    order."""
    a, b = guide_or_a, learner_or_b
    if a.key == b.key:
        return "a person cannot be paired with themself"
    if related(a, b):
        return "one manages the other"
    if frozenset((a.key, b.key)) in {frozenset(pair) for pair in excluded}:
        return "the pair was declined"
    gap = a.level - b.level if rules.is_peer else level_gap(a, b, rules)
    if not _level_allowed(gap, rules):
        return "their levels are too far apart"
    return None


def score_pair(guide_or_a: Person, learner_or_b: Person, rules: Rules) -> Breakdown | None:
    """Score one pair under ``rules``, or None when a hard rule forbids it.

    For mentoring kinds the first person is the guide and the second the learner; for peer
    coaching the order does not matter. Excluded (declined) pairs are the caller's business.
    """
    a, b = guide_or_a, learner_or_b
    if a.key == b.key or related(a, b):
        return None
    if rules.is_peer:
        gap = a.level - b.level
        goals_a, goals_b = topics(a.goals), topics(b.goals)
        union = len(goals_a | goals_b)
        goals = len(goals_a & goals_b) / union if union else 0.0
    else:
        gap = level_gap(a, b, rules)
        wanted = topics(b.goals)
        goals = len(wanted & topics(a.expertise)) / len(wanted) if wanted else 0.0
    if not _level_allowed(gap, rules):
        return None
    style_a, style_b = style_of(a), style_of(b)
    style = 1.0 if style_a == style_b or "either" in (style_a, style_b) else 0.0
    department = 0.0 if _same_department(a, b) else 1.0
    return _adjusted(
        a,
        b,
        rules,
        rules.weight_goals * goals,
        rules.weight_level * _level_value(gap, rules),
        rules.weight_style * style,
        rules.weight_department * department,
    )


def choice_value(chooser: Person, other: Person) -> float:
    """How much ``chooser`` wants ``other``: 1, 2/3 or 1/3 for their 1st, 2nd or 3rd
    choice, 0 when unranked."""
    try:
        rank = chooser.ranking.index(other.key) + 1
    except ValueError:
        return 0.0
    return max(0.0, (4 - rank) / 3)


def preference_terms(a: Person, b: Person, rules: Rules) -> tuple[float, bool]:
    """The preference bonus of a pair and whether someone would rather not.

    Mentoring: the learner ``b``'s choice of the guide ``a`` times the weight, and marked
    when ``a`` would rather not take ``b``. Peers: the mean of both directions' choices,
    and marked when either would rather not.
    """
    if rules.is_peer:
        bonus = rules.weight_preference * ((choice_value(a, b) + choice_value(b, a)) / 2)
        return bonus, b.key in a.rather_not or a.key in b.rather_not
    return rules.weight_preference * choice_value(b, a), b.key in a.rather_not


def _adjusted(
    a: Person, b: Person, rules: Rules, goals: float, level: float, style: float, dept: float
) -> Breakdown:
    """The breakdown with its two adjustments, from the four criteria's points.

    - preference: the bonus (preference_terms); a "rather not" takes ``weight_preference``
      points away, but no more than the pair has so far (fit plus bonus);
    - history: both people's track records (history.adjustment) added, never taking the
      pair below 0 points.
    So every score is >= 0 (the solvers' lexicographic weights assume it). Vectorised code
    calls this too, on the same floats, so all agree to the bit.
    """
    fit = goals + level + style + dept
    bonus, marked = preference_terms(a, b, rules)
    preference = bonus - min(rules.weight_preference, fit + bonus) if marked else bonus
    history = max(adjustment(a.signals)[0] + adjustment(b.signals)[0], -(fit + preference))
    return Breakdown(goals, level, style, dept, preference, history)


def has_preference(a: Person, b: Person) -> bool:
    """Whether either of the two ranked or marked the other (in either role)."""
    return (
        a.key in b.ranking or b.key in a.ranking or a.key in b.rather_not or b.key in a.rather_not
    )


def criteria(breakdown: Breakdown, a: Person, b: Person, rules: Rules) -> list[Criterion]:
    """The four criteria of a pair's score, each with its points (from ``breakdown``), its
    weight (from ``rules``) and the facts behind it, for `wording` to phrase.

    ``a`` is the guide (or a peer) and ``b`` the learner (or the other peer); to address a
    reader, make them ``b``. Topics are compared normalised but named as ``b`` wrote them.
    """
    spelled = {normalise_topic(name): " ".join(name.split()) for name in b.goals}

    def named(keys: Iterable[str]) -> list[str]:
        return [spelled.get(key, key) for key in sorted(keys)]

    mine = topics(b.goals)
    if rules.is_peer:
        theirs = topics(a.goals)
        goals = Reason(
            "goals_shared",
            {"shared": named(mine & theirs), "mine": len(mine), "together": len(mine | theirs)},
        )
    else:
        goals = Reason(
            "goals_covered", {"covered": named(mine & topics(a.expertise)), "wanted": len(mine)}
        )
    level = Reason(
        "level", {"diff": a.level - b.level, "ideal": None if rules.is_peer else rules.ideal_gap}
    )
    style = Reason("style", {"a": style_of(a), "b": style_of(b), "peers": rules.is_peer})
    department = Reason(
        "department",
        {"a": a.department.strip(), "b": b.department.strip(), "same": _same_department(a, b)},
    )
    found = [
        Criterion("goals", breakdown.goals, rules.weight_goals, goals),
        Criterion("level", breakdown.level, rules.weight_level, level),
        Criterion("style", breakdown.style, rules.weight_style, style),
        Criterion("department", breakdown.department, rules.weight_department, department),
    ]
    # The adjustments are listed only where they have facts behind them: most programmes
    # collect no preferences and most people have no track record yet.
    if has_preference(a, b):
        rank_of = {
            "mine": b.ranking.index(a.key) + 1 if a.key in b.ranking else None,
            "theirs": a.ranking.index(b.key) + 1 if b.key in a.ranking else None,
        }
        preference = Reason(
            "preference",
            {
                **rank_of,
                "rather_not": b.key in a.rather_not,
                "mine_rather_not": a.key in b.rather_not,
                "peers": rules.is_peer,
            },
        )
        found.append(
            Criterion("preference", breakdown.preference, rules.weight_preference, preference)
        )
    records = [(person, adjustment(person.signals)[1]) for person in (a, b)]
    if any(parts for _, parts in records):
        history = Reason(
            "history",
            {
                "people": [
                    {"name": person.name, "parts": [part.to_dict() for part in parts]}
                    for person, parts in records
                    if parts
                ]
            },
        )
        found.append(Criterion("history", breakdown.history, 2 * HISTORY_BONUS_CAP, history))
    return found


def explain(breakdown: Breakdown, a: Person, b: Person, rules: Rules) -> list[str]:
    """Plain-words reasons for a pair, addressed to ``b`` (the learner, or the second peer).

    Only the criteria that scored are reasons: a shared department earns nothing, so
    "also in Engineering" is no reason to pair two people (the breakdown shows the zero).
    """
    return [
        words
        for criterion in criteria(breakdown, a, b, rules)
        if criterion.scored and (words := criterion_for_person(criterion.reason)) is not None
    ]


def _excluded_set(excluded: Iterable[tuple[str, str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in excluded}


def top_candidates(
    person: Person,
    others: Sequence[Person],
    rules: Rules,
    *,
    k: int = 5,
    excluded: Iterable[tuple[str, str]] = (),
) -> list[tuple[Person, Breakdown]]:
    """The best ``k`` allowed partners for one person, score descending, ties by key.

    For a learner the partners are guides with at least one free place; for a guide they are
    learners; for a peer, the other peers. Excluded pairs are skipped.
    """
    banned = _excluded_set(excluded)
    found: list[tuple[Person, Breakdown]] = []
    for other in others:
        if frozenset((person.key, other.key)) in banned or other.key == person.key:
            continue
        if rules.is_peer:
            if other.role != PEER:
                continue
            breakdown = score_pair(other, person, rules)
        elif person.role == GUIDE:
            if other.role != LEARNER:
                continue
            breakdown = score_pair(person, other, rules)
        else:
            if other.role != GUIDE or other.capacity < 1:
                continue
            breakdown = score_pair(other, person, rules)
        if breakdown is not None:
            found.append((other, breakdown))
    found.sort(key=lambda item: (-item[1].total, item[0].key))
    return found[: max(k, 0)]


def stable_hash(key: str) -> int:
    """A 32-bit hash of a key that does not depend on Python's hash randomisation."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "little")


class Side:
    """One side of a score matrix (learners, guides, or peers) as numpy arrays."""

    def __init__(self, people: Sequence[Person], vocabulary: dict[str, int], *, expertise: bool):
        self.people = list(people)
        self.level = np.array([p.level for p in people], dtype=np.int64)
        self.style = np.array(
            [("either", "directive", "reflective").index(style_of(p)) for p in people],
            dtype=np.int8,
        )
        departments = [p.department.strip().casefold() for p in people]
        codes = {name: code for code, name in enumerate(sorted(set(departments)))}
        self.department_names = departments
        self.department_codes = codes
        self.hash = np.array([stable_hash(p.key) for p in people], dtype=np.uint32)
        # Each person's history points (history.adjustment), coded: few distinct values.
        self.history_values, self.history_code = np.unique(
            np.array([adjustment(p.signals)[0] for p in people], dtype=np.float64),
            return_inverse=True,
        )
        if self.history_values.size == 0:
            self.history_values = np.zeros(1)
        self.history_code = self.history_code.reshape(-1).astype(np.int64)
        self.goals = self._matrix([topics(p.goals) for p in people], vocabulary)
        self.goal_count = self.goals.sum(axis=1, dtype=np.int64)
        if expertise:
            self.expertise = self._matrix([topics(p.expertise) for p in people], vocabulary)

    @staticmethod
    def _matrix(sets: list[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
        out = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float32)
        for row, names in enumerate(sets):
            out[row, [vocabulary[name] for name in names]] = 1.0
        return out

    def department(self, codes: dict[str, int]) -> np.ndarray:
        """Department codes in a shared numbering."""
        return np.array([codes[d] for d in self.department_names], dtype=np.int32)


def breakdowns(
    rows: Side, cols: Side, row_idx: np.ndarray, col_idx: np.ndarray, rules: Rules
) -> list[Breakdown]:
    """``score_pair(cols.people[j], rows.people[i])`` for many allowed pairs at once.

    Built from the sides' arrays with the same float64 operations as ``score_pair``, so every
    criterion is bit-for-bit the same number (the scalar version costs ~30 us a pair, which
    is 0.3 s for 10,000 pairings). Hard rules are not checked: the pairs must be allowed.
    """
    if row_idx.size == 0:
        return []
    count_b = rows.goal_count[row_idx].astype(np.float64)
    if rules.is_peer:
        shared = np.einsum("ij,ij->i", rows.goals[row_idx], cols.goals[col_idx]).astype(np.float64)
        union = cols.goal_count[col_idx] + count_b - shared
        goals = np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0)
        gap = np.abs(cols.level[col_idx] - rows.level[row_idx]).astype(np.float64)
        level = np.maximum(0.0, 1 - gap / 2)
    else:
        covered = np.einsum("ij,ij->i", rows.goals[row_idx], cols.expertise[col_idx])
        goals = np.where(count_b > 0, covered.astype(np.float64) / np.maximum(count_b, 1), 0.0)
        sign = -1 if rules.kind == REVERSE_MENTORING else 1
        gap = sign * (cols.level[col_idx] - rows.level[row_idx])
        level = np.maximum(0.0, 1 - np.abs(gap - rules.ideal_gap) / 3)
    style_a, style_b = cols.style[col_idx], rows.style[row_idx]
    style = ((style_a == style_b) | (style_a == 0) | (style_b == 0)).astype(np.float64)
    names = sorted(set(rows.department_names) | set(cols.department_names))
    codes = {name: code for code, name in enumerate(names)}
    same = rows.department(codes)[row_idx] == cols.department(codes)[col_idx]
    department = np.where(same, 0.0, 1.0)
    return [
        _adjusted(cols.people[j], rows.people[i], rules, g, lv, st, d)
        for i, j, g, lv, st, d in zip(
            row_idx.tolist(),
            col_idx.tolist(),
            (rules.weight_goals * goals).tolist(),
            (rules.weight_level * level).tolist(),
            (rules.weight_style * style).tolist(),
            (rules.weight_department * department).tolist(),
            strict=True,
        )
    ]


def vocabulary_of(people: Iterable[Person]) -> dict[str, int]:
    """Number every normalised topic that appears as a goal or expertise."""
    names: set[str] = set()
    for p in people:
        names |= topics(p.goals) | topics(p.expertise)
    return {name: i for i, name in enumerate(sorted(names))}


def choose_scale(
    rows: int, cols: int, rules: Rules, *, tiered: bool = False, places: int | None = None
) -> int:
    """Integer units per point: as fine as possible while the solvers' sums fit in int64.

    The flow model's costs reach about ``rows * min(rows, cols) * score_bound * scale``.

    ``tiered`` (someone waited since last round) adds the waited tier's weight ``P``
    (`assignment.tier_weight`), ``M * K + 1`` like ``B``, with ``M`` the most pairs possible
    (``min(rows, places)``; ``places`` defaults to ``cols``) and ``K`` the best score in
    units. The scale then also shrinks until a matched row's whole weight,
    ``W = 2 P + B + K`` (peers' bound doubles ``P``), stays below 2**53, where float64 pricing
    (scores minus duals) is exact, and ``(rows + 1) * W`` below 2**60, which bounds every int64
    sum (the value, and the dual bound: a guide's dual is positive only when it is full).
    Without the tier the scale is the one it has always been.
    """
    pairs = max(rows, 1) * (max(min(rows, cols), 1) + 2)
    scale = 10**6
    while scale > 1 and pairs * (rules.score_bound + 1) * scale > 2**60:
        scale //= 10
    while tiered and scale > 1 and not _tier_fits(rows, cols if places is None else places,
                                                  rules, scale):  # fmt: skip
        scale //= 10
    return scale


def _tier_fits(rows: int, places: int, rules: Rules, scale: int) -> bool:
    most = max(min(rows, places), 1)
    top = int(np.ceil(rules.score_bound * scale)) + 1  # rounding can add at most one unit
    bonus = most * top + 1
    tier = most * top + 1
    weight = 2 * tier + bonus + top
    return weight < 2**53 and (rows + 1) * weight <= 2**60


def _score_table(
    rules: Rules,
    scale: int,
    goal_sizes: tuple[int, ...],
    gaps: np.ndarray,
    history_a: np.ndarray,
    history_b: np.ndarray,
):
    """Every distinct pair score, as int32 in ``1/scale`` points (FORBIDDEN where barred).

    Axes: the two people's history points (a: column, b: row), the goal counts in
    ``goal_sizes`` (mentoring: covered, wanted; peers: shared, a's goals, b's goals), then
    the level gap, the two styles and "same department". Values use the same float
    operations in the same order as ``score_pair`` (with no preference: pairs with one are
    scored apart), so they are identical.
    """
    grids = np.meshgrid(
        history_a,
        history_b,
        *[np.arange(size, dtype=np.float64) for size in goal_sizes],
        gaps.astype(np.float64),
        np.arange(3),
        np.arange(3),
        np.arange(2),
        indexing="ij",
    )
    hist_a, hist_b, *counts, gap, style_a, style_b, same = grids
    with np.errstate(invalid="ignore", divide="ignore"):
        if rules.is_peer:
            shared, mine, theirs = counts
            union = mine + theirs - shared
            goals = np.where(union > 0, shared / np.where(union > 0, union, 1), 0.0)
            level = np.maximum(0.0, 1 - np.abs(gap) / 2)
            allowed = np.abs(gap) <= rules.peer_max_gap
        else:
            covered, wanted = counts
            goals = np.where(wanted > 0, covered / np.where(wanted > 0, wanted, 1), 0.0)
            level = np.maximum(0.0, 1 - np.abs(gap - rules.ideal_gap) / 3)
            allowed = (gap >= rules.min_gap) & (gap <= rules.max_gap)
    style = ((style_a == style_b) | (style_a == 0) | (style_b == 0)).astype(np.float64)
    department = 1.0 - same
    fit = (
        rules.weight_goals * goals
        + rules.weight_level * level
        + rules.weight_style * style
        + rules.weight_department * department
    )
    preference = rules.weight_preference * 0.0  # as _adjusted: nobody ranked or marked
    history = np.maximum(hist_a + hist_b, -(fit + preference))
    total = (fit + preference) + history
    table = np.rint(total * scale).astype(np.int32)
    table[~allowed] = FORBIDDEN
    return table.reshape(-1)


def score_matrix(rows: Side, cols: Side, rules: Rules, scale: int) -> np.ndarray:
    """Scores of every (row, col) pair as int32 in ``1/scale`` points; FORBIDDEN if barred.

    Mentoring: rows are learners, cols guides. Peers: rows and cols are the same people.
    Level gaps and the manager rule are applied here; the caller adds excluded pairs.

    Each pair's score only depends on a few small integers (goal counts, level gap, styles,
    same department), so we compute every distinct score once in a table and find each
    pair's table index with a single matrix product: the index is a mixed-radix number
    whose digits are either per-row, per-column, or counts of shared topics/departments.
    """
    n, m = len(rows.people), len(cols.people)
    out = np.empty((n, m), dtype=np.int32)
    if n == 0 or m == 0:
        return out
    names = sorted(set(rows.department_names) | set(cols.department_names))
    codes = {name: code for code, name in enumerate(names)}
    row_dept = np.eye(len(names), dtype=np.float64)[rows.department(codes)]
    col_dept = np.eye(len(names), dtype=np.float64)[cols.department(codes)]
    row_goals = rows.goal_count
    # The level gap axis, as a row part plus a column part (both >= 0).
    sign = -1 if rules.kind == REVERSE_MENTORING else 1
    row_level, col_level = -sign * rows.level, sign * cols.level
    row_gap, col_gap = row_level - row_level.min(), col_level - col_level.min()
    gaps = row_level.min() + col_level.min() + np.arange(row_gap.max() + col_gap.max() + 1)
    # Mixed-radix strides, innermost last: ..., gap, style a (col), style b (row), same dept.
    stride_style_b = 2
    stride_style_a = 3 * stride_style_b
    stride_gap = 3 * stride_style_a
    stride_first = gaps.size * stride_gap
    if rules.is_peer:
        size = int(max(row_goals.max(), cols.goal_count.max())) + 1
        goal_sizes = (size, size, size)
        # digits: shared, a's goals (column person), b's goals (row person)
        stride_theirs = stride_first
        stride_mine = size * stride_theirs
        stride_shared = size * stride_mine
        row_part = row_goals * stride_theirs
        col_part = cols.goal_count * stride_mine
        row_topics, col_topics = rows.goals, cols.goals
        stride_topic = stride_shared
    else:
        size = int(max(row_goals.max(), 0)) + 1
        goal_sizes = (size, size)  # covered, wanted
        stride_wanted = stride_first
        stride_topic = size * stride_wanted
        row_part = row_goals * stride_wanted
        col_part = np.zeros(m, np.int64)
        row_topics, col_topics = rows.goals, cols.expertise
    # The two history axes sit outermost: one code per person, few distinct values.
    stride_history_b = stride_first * int(np.prod(goal_sizes))
    stride_history_a = stride_history_b * rows.history_values.size
    row_part = row_part + row_gap * stride_gap + rows.style * stride_style_b
    col_part = col_part + col_gap * stride_gap + cols.style * stride_style_a
    row_part = row_part + rows.history_code * stride_history_b
    col_part = col_part + cols.history_code * stride_history_a
    table = _score_table(rules, scale, goal_sizes, gaps, cols.history_values, rows.history_values)
    # Table index = x_row . y_col: shared topics, same department, row part, column part.
    dtype = np.float32 if table.size < 2**24 else np.float64  # exact integer sums
    left = np.hstack(
        [row_topics * stride_topic, row_dept, row_part[:, None], np.ones((n, 1))]
    ).astype(dtype)
    right = np.hstack([col_topics, col_dept, np.ones((m, 1)), col_part[:, None]]).astype(dtype)
    right_t = np.ascontiguousarray(right.T)
    for start in range(0, n, _BLOCK):
        index = (left[start : start + _BLOCK] @ right_t).astype(np.int32)
        np.take(table, index, out=out[start : start + _BLOCK])
    _forbid_managers(out, rows, cols)
    _score_preferences(out, rows, cols, rules, scale)
    return out


def _score_preferences(out: np.ndarray, rows: Side, cols: Side, rules: Rules, scale: int) -> None:
    """Rescore the few allowed pairs where someone ranked or marked the other (at most
    three choices a learner, and the marks), exactly as ``score_pair`` does."""
    col_index = {p.key: j for j, p in enumerate(cols.people)}
    row_index = {p.key: i for i, p in enumerate(rows.people)}
    pairs: set[tuple[int, int]] = set()
    for i, p in enumerate(rows.people):
        for key in (*p.ranking, *p.rather_not):
            if (j := col_index.get(key)) is not None:
                pairs.add((i, j))
    for j, p in enumerate(cols.people):
        for key in (*p.ranking, *p.rather_not):
            if (i := row_index.get(key)) is not None:
                pairs.add((i, j))
    pairs = {(i, j) for i, j in pairs if out[i, j] != FORBIDDEN}
    if not pairs:
        return
    ordered = sorted(pairs)
    row_idx = np.array([i for i, _ in ordered], dtype=np.int64)
    col_idx = np.array([j for _, j in ordered], dtype=np.int64)
    totals = np.array([b.total for b in breakdowns(rows, cols, row_idx, col_idx, rules)])
    out[row_idx, col_idx] = np.rint(totals * scale).astype(np.int32)


def _forbid_managers(out: np.ndarray, rows: Side, cols: Side) -> None:
    row_index = {p.key: i for i, p in enumerate(rows.people)}
    col_index = {p.key: j for j, p in enumerate(cols.people)}
    for i, p in enumerate(rows.people):
        j = col_index.get(p.manager) if p.manager is not None else None
        if j is not None:
            out[i, j] = FORBIDDEN
        if p.key in col_index:  # peers: nobody pairs with themself
            out[i, col_index[p.key]] = FORBIDDEN
    for j, p in enumerate(cols.people):
        i = row_index.get(p.manager) if p.manager is not None else None
        if i is not None:
            out[i, j] = FORBIDDEN


def forbid_pairs(
    out: np.ndarray, rows: Side, cols: Side, excluded: Iterable[tuple[str, str]]
) -> None:
    """Mark excluded (unordered) pairs as forbidden in a score matrix."""
    row_index = {p.key: i for i, p in enumerate(rows.people)}
    col_index = {p.key: j for j, p in enumerate(cols.people)}
    for a, b in excluded:
        for x, y in ((a, b), (b, a)):
            if x in row_index and y in col_index:
                out[row_index[x], col_index[y]] = FORBIDDEN


def candidate_keys(
    scores: np.ndarray, row_hash: np.ndarray, col_hash: np.ndarray, start: int, stop: int
) -> np.ndarray:
    """Scores of rows ``start:stop`` with ties broken by a key-derived jitter, for ranking.

    Coarse scores tie a lot; without the jitter every learner's top-k would name the same
    low-index guides. The low 10 bits (about 0.001 points) carry the jitter; forbidden pairs
    stay far below everything else.
    """
    mixed = row_hash[start:stop, None] ^ col_hash[None, :]
    jitter = ((mixed * np.uint32(2654435761)) >> np.uint32(22)).astype(np.int32)
    return (scores[start:stop] & np.int32(~1023)) | jitter


def top_k(
    scores: np.ndarray, row_hash: np.ndarray, col_hash: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` best allowed columns (tie-jittered), as sorted (row, col) index arrays.

    ``row_hash``/``col_hash`` are the people's ``stable_hash`` values, for the jitter.
    """
    n, m = scores.shape
    k = min(k, m)
    all_rows, all_cols = [], []
    if k == 0 or n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        keys = candidate_keys(scores, row_hash, col_hash, start, stop)
        if k < m:
            best = np.argpartition(keys, m - k, axis=1)[:, m - k :]
        else:
            best = np.broadcast_to(np.arange(m), (stop - start, m))
        row_idx = np.repeat(np.arange(start, stop), k)
        col_idx = best.reshape(-1)
        keep = scores[row_idx, col_idx] != FORBIDDEN
        all_rows.append(row_idx[keep])
        all_cols.append(col_idx[keep])
    row_idx, col_idx = np.concatenate(all_rows), np.concatenate(all_cols)
    order = np.lexsort((col_idx, row_idx))
    return row_idx[order].astype(np.int64), col_idx[order].astype(np.int64)
