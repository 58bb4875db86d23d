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
    Criterion,
    MatchResult,
    Objective,
    Pairing,
    Person,
    Reason,
    Rules,
    Unmatched,
)
from .engine import Problem, solve, solve_problem
from .greedy import greedy
from .scores import (
    barred_reason,
    criteria,
    explain,
    normalise_topic,
    score_pair,
    top_candidates,
)
from .wording import CRITERION_LABELS, criterion_for_hr, for_hr

__all__ = [
    "CRITERION_LABELS",
    "GUIDE",
    "KINDS",
    "LEARNER",
    "PEER",
    "Breakdown",
    "Criterion",
    "MatchResult",
    "Objective",
    "Pairing",
    "Person",
    "Problem",
    "Reason",
    "Rules",
    "Unmatched",
    "barred_reason",
    "criteria",
    "criterion_for_hr",
    "explain",
    "for_hr",
    "greedy",
    "normalise_topic",
    "score_pair",
    "solve",
    "solve_problem",
    "top_candidates",
]
