"""Plain data the matching engine takes and returns (no Django, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .wording import for_person

GUIDE = "guide"
LEARNER = "learner"
PEER = "peer"

MENTORING = "mentoring"
REVERSE_MENTORING = "reverse_mentoring"
PEER_COACHING = "peer_coaching"
PEER_CIRCLES = "peer_circles"
CO_DEVELOPMENT = "co_development"
GROUP_MENTORING = "group_mentoring"
# One-off help: the asker is the learner and the helper the guide, scored as mentoring (the
# helper's expertise against the challenge's topics), never solved as a whole programme.
SITUATIONAL = "situational"
KINDS = (
    MENTORING,
    REVERSE_MENTORING,
    PEER_COACHING,
    PEER_CIRCLES,
    CO_DEVELOPMENT,
    GROUP_MENTORING,
    SITUATIONAL,
)
GROUP_KINDS = (PEER_CIRCLES, CO_DEVELOPMENT, GROUP_MENTORING)
# Group sizes and level spread per group kind when a programme sets none: (min, max, spread).
# Group mentoring counts the learners, not the guide. Pair kinds keep a pair's size.
GROUP_DEFAULTS = {
    PEER_CIRCLES: (4, 6, 2),
    CO_DEVELOPMENT: (5, 8, 2),
    GROUP_MENTORING: (3, 5, 2),
}

STYLES = ("either", "directive", "reflective")
# The most a person's track record adds to a pair (history.adjustment caps it).
HISTORY_BONUS_CAP = 5.0


@dataclass(frozen=True, slots=True)
class Signals:
    """A person's track record in the programme, as the pool reads it: proposals they let
    lapse since they last answered one, proposals they declined, their pairings that ended
    early (pairing.rules.ended_early: a member or HR ended it after one check-in or fewer),
    and the ratings their partners in pairings that went live gave (closing survey and
    check-ins, 1-5)."""

    lapses: int = 0
    declines: int = 0
    early_endings: int = 0
    ratings: tuple[int, ...] = ()


NO_SIGNALS = Signals()


@dataclass(frozen=True, slots=True)
class Person:
    """One participant as the engine sees them.

    ``key`` is the caller's stable id; ``manager`` is the key of this person's manager, who
    may be outside the pool. ``capacity`` only matters for guides: the places they still have.
    ``waited`` marks a learner or peer left unmatched last round: the solver serves them first
    (a guide's flag is ignored, a guide is never "served").
    """

    key: str
    role: str
    level: int
    department: str = ""
    manager: str | None = None
    goals: frozenset[str] = frozenset()
    expertise: frozenset[str] = frozenset()
    style: str = "either"
    capacity: int = 1
    label: str = ""
    waited: bool = False
    # Preferences (HR-run pair kinds): the partners this learner or peer ranked, first
    # choice first (at most three), and the learners this guide would rather not take.
    ranking: tuple[str, ...] = ()
    rather_not: frozenset[str] = frozenset()
    # What earlier proposals and pairings taught us (see history.adjustment).
    signals: Signals = field(default_factory=lambda: NO_SIGNALS)

    @property
    def name(self) -> str:
        """The display name used in reasons (the key when no label was given)."""
        return self.label or self.key


@dataclass(frozen=True, slots=True)
class Rules:
    """A programme's matching rules; the defaults are DESIGN.md's contract."""

    kind: str
    min_gap: int = 1
    ideal_gap: int = 2
    max_gap: int = 3
    peer_max_gap: int = 1
    weight_goals: float = 50
    weight_level: float = 25
    weight_style: float = 20
    weight_department: float = 5
    # Points for a learner's first choice (2/3 and 1/3 of it for the second and third);
    # a guide's "rather not" takes as many away. See scores.preference_points.
    weight_preference: float = 20
    # None takes the kind's default from GROUP_DEFAULTS (pair kinds: 2, 2 and peer_max_gap).
    group_min: int | None = None
    group_max: int | None = None
    level_spread: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown programme kind {self.kind!r}; expected one of {KINDS}")
        low, high, spread = GROUP_DEFAULTS.get(self.kind, (2, 2, self.peer_max_gap))
        # Frozen: fill the defaults once, so every reader sees plain ints.
        for name, default in (("group_min", low), ("group_max", high), ("level_spread", spread)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, default)
        if not 2 <= self.group_min <= self.group_max:
            raise ValueError(
                f"group sizes must satisfy 2 <= group_min <= group_max, not "
                f"{self.group_min}..{self.group_max}"
            )
        if self.level_spread < 0:
            raise ValueError(f"level_spread must be 0 or more, not {self.level_spread}")
        if self.min_gap > self.max_gap:
            raise ValueError(f"min_gap {self.min_gap} is above max_gap {self.max_gap}")
        if self.peer_max_gap < 0:
            raise ValueError(f"peer_max_gap must be 0 or more, not {self.peer_max_gap}")
        weights = (
            self.weight_goals,
            self.weight_level,
            self.weight_style,
            self.weight_department,
            self.weight_preference,
        )
        if any(w < 0 for w in weights):
            raise ValueError(f"weights must be 0 or more, not {weights}")

    @property
    def is_peer(self) -> bool:
        """True for peer coaching (symmetric pairs, no guide)."""
        return self.kind == PEER_COACHING

    @property
    def is_group(self) -> bool:
        """True for the group kinds (circles, co-development, group mentoring): solved by
        ``groups.form_groups``, not by the pair solver."""
        return self.kind in GROUP_KINDS

    @property
    def max_score(self) -> float:
        """The best score a pair can reach on fit alone (the four criteria): the "out of"
        HR reads, and the ceiling a stored score is clamped to."""
        return self.weight_goals + self.weight_level + self.weight_style + self.weight_department

    @property
    def score_bound(self) -> float:
        """The most any pair can score, preference and both people's history included (for
        sizing integer sums)."""
        return self.max_score + self.weight_preference + 2 * HISTORY_BONUS_CAP


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A pair's score per criterion, in points (weight x criterion value). ``preference``
    and ``history`` are adjustments that may be negative, but never take the total below 0
    (see scores.score_pair)."""

    goals: float
    level: float
    style: float
    department: float
    preference: float = 0.0
    history: float = 0.0

    @property
    def total(self) -> float:
        """The pair's score: the sum of the criteria, in field order."""
        return (
            self.goals + self.level + self.style + self.department + self.preference
        ) + self.history

    def as_dict(self) -> dict[str, float]:
        """The criteria rounded to 2 decimals, ready for JSON. The two adjustments appear
        when they apply (non-zero): most programmes collect no preferences, and groups use
        neither."""
        found = {
            "goals": round(self.goals, 2),
            "level": round(self.level, 2),
            "style": round(self.style, 2),
            "department": round(self.department, 2),
        }
        for name in ("preference", "history"):
            if getattr(self, name):
                found[name] = round(getattr(self, name), 2)
        return found


@dataclass(frozen=True, slots=True)
class Pairing:
    """One proposed pairing: a guide and one learner, or two peers (``guide`` is None)."""

    guide: str | None
    members: tuple[str, ...]
    score: float
    breakdown: Breakdown
    pinned: bool = False

    def to_dict(self) -> dict[str, object]:
        """The ``match --json`` shape of one pairing."""
        return {
            "guide": self.guide,
            "members": list(self.members),
            "score": round(self.score, 2),
            "breakdown": self.breakdown.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason as data: ``code`` names the finding, ``params`` holds its JSON-ready details.

    The engine decides why; `wording` phrases it for each reader (the person concerned, or
    HR), so the two never tell different stories.
    """

    code: str
    params: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, as a matching run stores it."""
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict) -> Reason:
        return cls(data["code"], dict(data["params"]))


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion of a pair's score: its points out of its weight, and the facts behind
    them. ``name`` is a Breakdown field: goals, level, style or department."""

    name: str
    points: float
    weight: float
    reason: Reason

    @property
    def scored(self) -> bool:
        """True when the criterion added points; only those count as reasons for the pair."""
        return self.points > 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (points rounded to 2 decimals, as in the breakdown)."""
        return {
            "name": self.name,
            "points": round(self.points, 2),
            "weight": self.weight,
            "reason": self.reason.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Criterion:
        return cls(data["name"], data["points"], data["weight"], Reason.from_dict(data["reason"]))


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A learner or peer left without a pairing, and why (most telling reason first)."""

    key: str
    why: tuple[Reason, ...]

    @property
    def reasons(self) -> list[str]:
        """The reasons in the words of the person left out, as ``match --json`` gives them."""
        return [for_person(reason) for reason in self.why]


@dataclass(frozen=True, slots=True)
class Objective:
    """How good the result is and how sure we are of it.

    ``gap`` is a proven upper bound on the total score still missing for the same number of
    people matched (0.0 when ``certified``). ``waited`` counts the learners (or peers) left
    unmatched last round and ``waited_matched`` those of them matched now: the first tier of
    the objective, above ``matched``. Both default to 0 so objectives stored before the tier
    existed still load.
    """

    matched: int
    total_score: float
    certified: bool
    gap: float
    method: str
    rounds: int
    solve_seconds: float
    waited: int = 0
    waited_matched: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (scores rounded to 2 decimals)."""
        return {
            "matched": self.matched,
            "total_score": round(self.total_score, 2),
            "certified": self.certified,
            "gap": round(self.gap, 2),
            "method": self.method,
            "rounds": self.rounds,
            "solve_seconds": round(self.solve_seconds, 3),
            "waited": self.waited,
            "waited_matched": self.waited_matched,
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The engine's answer: pairings, who is left and why, guides with room, the objective."""

    pairings: list[Pairing]
    unmatched: list[Unmatched]
    spare_capacity: list[tuple[str, int]]
    objective: Objective

    def to_dict(self) -> dict[str, object]:
        """The ``match --json`` shape for pairings, unmatched, spare_capacity and objective.

        Keys are the engine's person keys; the service swaps them for emails.
        """
        return {
            "objective": self.objective.to_dict(),
            "pairings": [p.to_dict() for p in self.pairings],
            "unmatched": [{"email": u.key, "reasons": list(u.reasons)} for u in self.unmatched],
            "spare_capacity": [{"email": key, "free": free} for key, free in self.spare_capacity],
        }
