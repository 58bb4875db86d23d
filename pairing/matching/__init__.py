"""The matching engine: plain Python (numpy/scipy), no Django.

The service layer turns participants into ``Person`` values, calls ``solve`` and writes the
``MatchResult`` back as proposals. See DESIGN.md, "Matching contract".
"""

from .domain import Breakdown, MatchResult, Objective, Pairing, Person, Rules, Unmatched
from .engine import solve
from .scores import barred_reason, explain, normalise_topic, score_pair, top_candidates

__all__ = [
    "Breakdown",
    "MatchResult",
    "Objective",
    "Pairing",
    "Person",
    "Rules",
    "Unmatched",
    "barred_reason",
    "explain",
    "normalise_topic",
    "score_pair",
    "solve",
    "top_candidates",
]
