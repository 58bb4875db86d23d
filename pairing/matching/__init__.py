"""The matching engine: plain Python (numpy/scipy), no Django.

The service layer turns participants into ``Person`` values, calls ``solve`` (or builds the
``Problem`` once and calls ``solve_problem`` and ``greedy`` on it) and writes the
``MatchResult`` back as proposals. Group kinds (circles, co-development, group mentoring)
go through ``form_groups`` instead, which returns a ``GroupResult``; ``solve`` refuses them.
See DESIGN.md, "Matching contract".
"""

from .domain import (
    CO_DEVELOPMENT,
    GROUP_DEFAULTS,
    GROUP_KINDS,
    GROUP_MENTORING,
    GUIDE,
    KINDS,
    LEARNER,
    PEER,
    PEER_CIRCLES,
    SITUATIONAL,
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
from .groups import (
    Group,
    GroupObjective,
    GroupResult,
    best_additions,
    exact_groups,
    form_groups,
    group_violations,
    score_group,
)
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
    "CO_DEVELOPMENT",
    "CRITERION_LABELS",
    "GROUP_DEFAULTS",
    "GROUP_KINDS",
    "GROUP_MENTORING",
    "GUIDE",
    "KINDS",
    "LEARNER",
    "PEER",
    "PEER_CIRCLES",
    "SITUATIONAL",
    "Breakdown",
    "Criterion",
    "Group",
    "GroupObjective",
    "GroupResult",
    "MatchResult",
    "Objective",
    "Pairing",
    "Person",
    "Problem",
    "Reason",
    "Rules",
    "Unmatched",
    "barred_reason",
    "best_additions",
    "criteria",
    "criterion_for_hr",
    "exact_groups",
    "explain",
    "for_hr",
    "form_groups",
    "greedy",
    "group_violations",
    "normalise_topic",
    "score_group",
    "score_pair",
    "solve",
    "solve_problem",
    "top_candidates",
]
