"""Full preference orders, the rank table, blocking pairs and a deferred-acceptance baseline.

The one definition of who prefers whom (mentoring kinds; peers are out of scope here, as
are groups), on the pairs a run allows (``Problem.scores`` not FORBIDDEN):

- a learner prefers their ranked choices first (first choice first), then the other
  allowed guides by pair score, higher first, ties by guide key; being unmatched comes last;
- a guide prefers learners by pair score, higher first, ties by learner key, with the
  learners they would rather not take after all the others (same order among them).

A blocking pair is a guide g and a learner l, allowed and not paired together, where l
prefers g to their outcome (or is unmatched) and g has a free place or prefers l to one of
their learners. Deferred acceptance (Gale-Shapley, learners proposing, guides with
capacity) on the same orders returns the learner-optimal stable matching: 0 blocking pairs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .scores import FORBIDDEN


def learner_order(problem, i: int) -> list[int]:
    """Guide indices learner ``i`` may be paired with, most preferred first."""
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


def deferred_acceptance(problem) -> dict[int, int]:
    """Learner-proposing deferred acceptance: learner index -> guide index."""
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


def blocking_pairs(problem, match: Mapping[int, int]) -> int:
    """How many (guide, learner) pairs block ``match`` (learner index -> guide index)."""
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


def rank_table(problem, match: Mapping[int, int]) -> dict[str, object]:
    """How many learners who ranked got their 1st, 2nd, 3rd choice or none of them, the
    mean rank among those matched to a ranked choice (None if nobody was), and the number
    of blocking pairs."""
    keys = [p.key for p in problem.cols.people]
    counts = {"first": 0, "second": 0, "third": 0, "none": 0}
    got: list[int] = []
    for i, person in enumerate(problem.rows.people):
        if not person.ranking:
            continue
        j = match.get(i)
        rank = (
            person.ranking.index(keys[j]) + 1 if j is not None and keys[j] in person.ranking else 0
        )
        counts[("none", "first", "second", "third")[rank]] += 1
        if rank:
            got.append(rank)
    ranked = sum(counts.values())
    return {
        **counts,
        "ranked": ranked,
        "top_three": round(100 * len(got) / ranked, 1) if ranked else None,
        "mean_rank": round(sum(got) / len(got), 2) if got else None,
        "blocking_pairs": blocking_pairs(problem, match),
    }


def result_match(problem, result) -> dict[int, int]:
    """A MatchResult's pairings as learner index -> guide index."""
    rows = {p.key: i for i, p in enumerate(problem.rows.people)}
    cols = {p.key: j for j, p in enumerate(problem.cols.people)}
    return {rows[p.members[0]]: cols[p.guide] for p in result.pairings}


def compare(problem, result) -> dict[str, dict]:
    """The rank table for our matching and for deferred acceptance on the same problem."""
    return {
        "ours": rank_table(problem, result_match(problem, result)),
        "deferred_acceptance": rank_table(problem, deferred_acceptance(problem)),
    }
