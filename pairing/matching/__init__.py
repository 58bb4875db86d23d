"""The matching engine: plain Python (numpy/scipy), no Django.

The service layer turns participants into ``Person`` values, calls ``solve`` (or builds the
``Problem`` once and calls ``solve_problem`` and ``greedy`` on it) and writes the
``MatchResult`` back as proposals. See DESIGN.md, "Matching contract".
"""

from .domain import (
    GUIDE,
    KINDS,
    LEARNER,
    PEER,
    Breakdown,
    MatchResult,
    Objective,
    Pairing,
    Person,
    Rules,
    Unmatched,
)
from .engine import Problem, solve, solve_problem
from .greedy import greedy
from .scores import barred_reason, explain, normalise_topic, score_pair, top_candidates

__all__ = [
    "GUIDE",
    "KINDS",
    "LEARNER",
    "PEER",
    "Breakdown",
    "MatchResult",
    "Objective",
    "Pairing",
    "Person",
    "Problem",
    "Rules",
    "Unmatched",
    "barred_reason",
    "explain",
    "greedy",
    "normalise_topic",
    "score_pair",
    "solve",
    "solve_problem",
    "top_candidates",
]
