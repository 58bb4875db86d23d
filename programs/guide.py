"""The "mentor or peer coach?" guide: four questions scored into a recommendation, and a
fifth that chooses between one to one and a group.

Pure Python, no database. The questions and the wording come from the comparison table in
the domain reference (seed/mentor-vs-peer-coach.txt): focus, feedback style, relationship
and frequency; and its formats: peer coaching circles, and mentoring in groups.
"""

from __future__ import annotations

from dataclasses import dataclass

MENTORING = "mentoring"
PEER_COACHING = "peer_coaching"
PEER_CIRCLES = "peer_circles"
CO_DEVELOPMENT = "co_development"
GROUP_MENTORING = "group_mentoring"
# Who to learn with decides the format of the kind the other answers choose.
IN_A_GROUP = {MENTORING: GROUP_MENTORING, PEER_COACHING: PEER_CIRCLES}
# A kind shown beside the recommended one, as its variation, with what it is.
ALSO_OPEN = {
    MENTORING: (
        "reverse_mentoring",
        "Reverse mentoring turns mentoring round: a younger colleague shares their expertise "
        "(often digital) with a senior one, bridging generations and bringing new ideas.",
    ),
    PEER_CIRCLES: (
        CO_DEVELOPMENT,
        "A co-development group is a circle that works on one member's real case at a time: "
        "the others ask, advise and help them plan, and everyone learns from every case.",
    ),
}

# Each question: (field, label, [(answer, text, kind it points to, or None: it chooses the
# format, one to one or a group, rather than the kind)]).
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
    (
        "company",
        "Who do you want to learn with?",
        [
            ("one", "One person, one to one", None),
            ("several", "Several colleagues together, in a small group", None),
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
    PEER_CIRCLES: (
        "In a peer coaching circle several colleagues at a similar level exchange feedback, "
        "share experiences and develop skills together, holding each other to account; a "
        "circle brings diverse perspectives and mutual accountability."
    ),
    GROUP_MENTORING: (
        "In group mentoring one experienced mentor guides a small group of mentees who share "
        "goals: knowledge transfer and career guidance, and what the others in the group ask "
        "and learn."
    ),
}
_NAME = {
    MENTORING: "a mentor",
    PEER_COACHING: "a peer coach",
    PEER_CIRCLES: "a peer coaching circle",
    GROUP_MENTORING: "group mentoring",
}


@dataclass(frozen=True)
class Recommendation:
    kind: str
    points: dict[str, int]
    reason: str

    @property
    def other_kind(self) -> str:
        """The other kind, in the same format (one to one, or a group)."""
        return {
            MENTORING: PEER_COACHING,
            PEER_COACHING: MENTORING,
            PEER_CIRCLES: GROUP_MENTORING,
            GROUP_MENTORING: PEER_CIRCLES,
        }[self.kind]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def recommend(answers: dict[str, str]) -> Recommendation:
    """Score the four answers: each points to mentoring or peer coaching. A 2-2 tie goes to
    the "expert direction or reciprocal learning" answer, which the seed names as the
    deciding question. Someone who wants to learn with several colleagues gets that kind in
    a group: a peer coaching circle, or group mentoring. ``answers`` maps every question's
    field to one of its answers."""
    points = {MENTORING: 0, PEER_COACHING: 0}
    kind_of: dict[str, str] = {}
    for field, _label, options in QUESTIONS:
        choice = answers[field]
        kind = next(k for value, _text, k in options if value == choice)
        if kind is None:
            continue
        kind_of[field] = kind
        points[kind] += 1
    if points[MENTORING] != points[PEER_COACHING]:
        winner = max(points, key=points.get)
    else:
        winner = kind_of["direction"]
    agree = [_WANTS[answers[f]] for f in kind_of if kind_of[f] == winner]
    differ = [_WANTS[answers[f]] for f in kind_of if kind_of[f] != winner]
    shown = IN_A_GROUP[winner] if answers["company"] == "several" else winner
    together = " with several colleagues together" if shown != winner else ""
    reason = (
        f"{_NAME[shown][0].upper()}{_NAME[shown][1:]} suits you: you are looking for "
        f"{_join(agree)}{together}. {_SUMMARY[shown]}"
    )
    if differ:
        other = PEER_COACHING if winner == MENTORING else MENTORING
        reason += (
            f" You also asked for {_join(differ)}, which is closer to what {_NAME[other]} "
            "offers: say so in your note, or choose the other kind below."
        )
    return Recommendation(kind=shown, points=points, reason=reason)
