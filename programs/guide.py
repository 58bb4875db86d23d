"""The "mentor or peer coach?" guide: four questions scored into a recommendation.

Pure Python, no database. The questions and the wording come from the comparison table in
the domain reference (seed/mentor-vs-peer-coach.txt): focus, feedback style, relationship
and frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

MENTORING = "mentoring"
PEER_COACHING = "peer_coaching"

# Each question: (field, label, [(answer, text, kind it points to)]).
QUESTIONS = [
    (
        "horizon",
        "What do you want to grow?",
        [
            ("career", "My career over the coming years", MENTORING),
            ("skill", "A specific skill, or a problem I face right now", PEER_COACHING),
        ],
    ),
    (
        "feedback",
        "Which feedback helps you most?",
        [
            ("directive", "Direct advice from someone who has done it before", MENTORING),
            ("reflective", "Questions that help me think it through myself", PEER_COACHING),
        ],
    ),
    (
        "direction",
        "How do you want to learn?",
        [
            ("expert", "With direction from someone more senior or expert", MENTORING),
            ("reciprocal", "Side by side with a colleague, both giving and taking", PEER_COACHING),
        ],
    ),
    (
        "rhythm",
        "How often can you meet?",
        [
            ("scheduled", "Less often, in planned sessions (about monthly)", MENTORING),
            ("regular", "Regularly and informally (every week or two)", PEER_COACHING),
        ],
    ),
]

# What each answer says about the person, for the reason paragraph (the seed's table rows).
_WANTS = {
    "career": "long-term career development",
    "skill": "short-term problem-solving and skill practice",
    "directive": "directive, experience-based advice",
    "reflective": "reflective, question-based support",
    "expert": "direction from someone senior in the field",
    "reciprocal": "collaborative learning between equals",
    "scheduled": "less frequent, scheduled meetings",
    "regular": "regular, often informal check-ins",
}
_SUMMARY = {
    MENTORING: (
        "A mentor is an experienced advisor, senior or expert in the field, in a hierarchical "
        "or formal relationship; mentoring brings knowledge transfer, career guidance and "
        "networking."
    ),
    PEER_COACHING: (
        "A peer coach is a colleague at a similar level offering mutual support and feedback "
        "in an equal relationship; peer coaching brings self-awareness, skill practice and "
        "accountability."
    ),
}
_NAME = {MENTORING: "a mentor", PEER_COACHING: "a peer coach"}


@dataclass(frozen=True)
class Recommendation:
    kind: str
    points: dict[str, int]
    reason: str

    @property
    def other_kind(self) -> str:
        return PEER_COACHING if self.kind == MENTORING else MENTORING


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def recommend(answers: dict[str, str]) -> Recommendation:
    """Score the four answers: each points to mentoring or peer coaching. A 2-2 tie goes to
    the "expert direction or reciprocal learning" answer, which the seed names as the
    deciding question. ``answers`` maps every question's field to one of its answers."""
    points = {MENTORING: 0, PEER_COACHING: 0}
    kind_of: dict[str, str] = {}
    for field, _label, options in QUESTIONS:
        choice = answers[field]
        kind = next(k for value, _text, k in options if value == choice)
        kind_of[field] = kind
        points[kind] += 1
    if points[MENTORING] != points[PEER_COACHING]:
        winner = max(points, key=points.get)
    else:
        winner = kind_of["direction"]
    agree = [_WANTS[answers[f]] for f, _l, _o in QUESTIONS if kind_of[f] == winner]
    differ = [_WANTS[answers[f]] for f, _l, _o in QUESTIONS if kind_of[f] != winner]
    reason = f"{_NAME[winner].capitalize()} suits you: you are looking for {_join(agree)}. "
    reason += _SUMMARY[winner]
    if differ:
        other = PEER_COACHING if winner == MENTORING else MENTORING
        reason += (
            f" You also asked for {_join(differ)}, which is closer to what {_NAME[other]} "
            "offers: say so in your note, or choose the other kind below."
        )
    return Recommendation(kind=winner, points=points, reason=reason)
