"""The contract's score formula and hard rules, case by case (DESIGN.md, Matching contract)."""

import pytest

from pairing.matching import (
    Breakdown,
    Person,
    Rules,
    barred_reason,
    explain,
    normalise_topic,
    score_pair,
    top_candidates,
)

MENTORING = Rules(kind="mentoring")
REVERSE = Rules(kind="reverse_mentoring")
PEERS = Rules(kind="peer_coaching")


def guide(key="g", level=5, **kw):
    return Person(key=key, role="guide", level=level, **kw)


def learner(key="l", level=3, **kw):
    return Person(key=key, role="learner", level=level, **kw)


def peer(key, level=3, **kw):
    return Person(key=key, role="peer", level=level, **kw)


def test_normalise_topic_trims_collapses_and_casefolds():
    assert normalise_topic("  Public   SPEAKING ") == "public speaking"
    assert normalise_topic("Straße") == "strasse"


def test_mentoring_ideal_gap_full_goal_cover_same_department():
    a = guide(level=5, department="Sales", expertise=frozenset({"negotiation", "budgeting"}))
    b = learner(level=3, department="sales ", goals=frozenset({"negotiation", "budgeting"}))

    assert score_pair(a, b, MENTORING) == Breakdown(
        goals=50.0, level=25.0, style=20.0, department=0.0
    )


def test_mentoring_partial_cover_off_ideal_gap_other_department_style_clash():
    a = guide(level=4, department="Legal", style="directive", expertise=frozenset({"python"}))
    b = learner(
        level=3,
        department="Sales",
        style="reflective",
        goals=frozenset({"python", "hiring", "writing"}),
    )

    breakdown = score_pair(a, b, MENTORING)

    assert breakdown == Breakdown(
        goals=50 * (1 / 3), level=25 * (1 - 1 / 3), style=0.0, department=5.0
    )
    assert breakdown.total == 50 * (1 / 3) + 25 * (1 - 1 / 3) + 0.0 + 5.0
    assert breakdown.as_dict() == {"goals": 16.67, "level": 16.67, "style": 0.0, "department": 5.0}


def test_mentoring_goals_compare_after_normalising():
    a = guide(expertise=frozenset({" Public  Speaking"}))
    b = learner(goals=frozenset({"PUBLIC speaking"}))

    assert score_pair(a, b, MENTORING).goals == 50.0


def test_mentoring_no_goals_scores_zero_goals():
    assert score_pair(guide(expertise=frozenset({"x"})), learner(), MENTORING).goals == 0.0


@pytest.mark.parametrize(("guide_level", "allowed", "level"), [
    (3, False, None), (4, True, 25 * (1 - 1 / 3)), (5, True, 25.0), (6, True, 25 * (1 - 1 / 3)),
])  # fmt: skip
def test_mentoring_gap_window(guide_level, allowed, level):
    breakdown = score_pair(guide(level=guide_level), learner(level=3), MENTORING)

    assert (breakdown is not None) is allowed
    if allowed:
        assert breakdown.level == level


def test_mentoring_gap_above_max_is_forbidden():
    assert score_pair(guide(level=6), learner(level=2), MENTORING) is None


def test_reverse_mentoring_the_junior_guides():
    a = guide(level=2)
    b = learner(level=4)

    assert score_pair(a, b, REVERSE).level == 25.0
    assert score_pair(a, b, MENTORING) is None
    assert score_pair(guide(level=5), learner(level=3), REVERSE) is None


def test_custom_rules_change_every_number():
    rules = Rules(kind="mentoring", min_gap=0, ideal_gap=0, max_gap=1, weight_goals=10,
                  weight_level=10, weight_style=0, weight_department=80)  # fmt: skip

    breakdown = score_pair(guide(level=3, department="A"), learner(level=3, department="B"), rules)

    assert breakdown == Breakdown(goals=0.0, level=10.0, style=0.0, department=80.0)


def test_peer_jaccard_level_and_symmetry():
    a = peer("a", level=3, goals=frozenset({"x", "y", "z"}), department="Ops")
    b = peer("b", level=4, goals=frozenset({"y", "z", "w"}), department="Ops")

    breakdown = score_pair(a, b, PEERS)

    assert breakdown == Breakdown(goals=50 * (2 / 4), level=25 * 0.5, style=20.0, department=0.0)
    assert score_pair(b, a, PEERS) == breakdown


def test_peer_same_level_no_goals():
    assert score_pair(peer("a"), peer("b"), PEERS) == Breakdown(0.0, 25.0, 20.0, 0.0)


def test_peer_level_window():
    assert score_pair(peer("a", level=2), peer("b", level=4), PEERS) is None


@pytest.mark.parametrize(("style_a", "style_b", "points"), [
    ("directive", "directive", 20.0), ("either", "reflective", 20.0), ("directive", "either", 20.0),
    ("directive", "reflective", 0.0), ("Reflective", "reflective", 20.0),
])  # fmt: skip
def test_style_rule(style_a, style_b, points):
    assert score_pair(peer("a", style=style_a), peer("b", style=style_b), PEERS).style == points


def test_never_self_or_manager_either_way():
    assert score_pair(peer("a"), peer("a"), PEERS) is None
    boss, report = guide("boss"), learner("rep", manager="boss")
    assert score_pair(boss, report, MENTORING) is None
    assert score_pair(guide("g", manager="l"), learner("l"), MENTORING) is None
    assert score_pair(peer("a", manager="b"), peer("b"), PEERS) is None
    assert score_pair(peer("a"), peer("b", manager="a"), PEERS) is None


def test_explain_in_plain_words():
    a = guide(level=5, department="Sales", style="reflective",
              expertise=frozenset({"negotiation", "hiring", "python"}))  # fmt: skip
    b = learner(level=3, department="Legal", style="reflective",
                goals=frozenset({"negotiation", "hiring", "python", "writing"}))  # fmt: skip

    words = explain(score_pair(a, b, MENTORING), a, b, MENTORING)

    assert words == [
        "covers 3 of your 4 goals (hiring, negotiation, python)",
        "2 levels above you",
        "also prefers reflective feedback",
        "from Sales",
    ]


def test_explain_leaves_out_the_criteria_that_scored_nothing():
    # The style clash and the shared department each earn 0 points: neither is a reason.
    a = peer("a", level=2, style="directive", department="Ops", goals=frozenset({"x"}))
    b = peer("b", level=3, style="reflective", department="ops", goals=frozenset({"x", "y"}))
    breakdown = score_pair(a, b, PEERS)

    words = explain(breakdown, a, b, PEERS)

    assert (breakdown.style, breakdown.department) == (0.0, 0.0)
    assert words == ["shares 1 of your 2 goals (x)", "1 level below you"]


def test_explain_never_gives_a_shared_department_as_a_reason():
    # The department criterion rewards a different department: "also in Engineering"
    # would name a criterion that scored 0.
    a = guide(department="Engineering", expertise=frozenset({"x"}))
    b = learner(department="Engineering", goals=frozenset({"x"}))
    breakdown = score_pair(a, b, MENTORING)

    assert breakdown.department == 0.0
    assert explain(breakdown, a, b, MENTORING) == [
        "covers your goal (x)",
        "2 levels above you",
        "open to either feedback style, as you are",
    ]


def test_top_candidates_orders_by_score_then_key_and_skips_full_or_excluded():
    me = learner(level=3, goals=frozenset({"x"}))
    others = [
        guide("g2", level=5, expertise=frozenset({"x"})),
        guide("g1", level=5, expertise=frozenset({"x"})),
        guide("g3", level=4),
        guide("full", level=5, capacity=0, expertise=frozenset({"x"})),
        guide("no", level=5, expertise=frozenset({"x"})),
        guide("far", level=1),
        learner("other"),
    ]

    best = top_candidates(me, others, MENTORING, k=3, excluded=[("no", "l")])

    assert [(p.key, round(b.total, 2)) for p, b in best] == [
        ("g1", 95.0), ("g2", 95.0), ("g3", 36.67),
    ]  # fmt: skip


def test_rules_reject_unknown_kind():
    with pytest.raises(ValueError, match="unknown programme kind"):
        Rules(kind="speed_dating")


@pytest.mark.parametrize(
    ("a", "b", "rules", "excluded", "expected"),
    [
        (
            guide(key="x"),
            learner(key="x"),
            MENTORING,
            (),
            "a person cannot be paired with themself",
        ),
        (guide(), learner(manager="g"), MENTORING, (), "one manages the other"),
        (guide(manager="l"), learner(), MENTORING, (), "one manages the other"),
        (guide(), learner(), MENTORING, [("l", "g")], "the pair was declined"),
        (guide(level=6), learner(level=2), MENTORING, (), "their levels are too far apart"),
        (guide(level=3), learner(level=3), MENTORING, (), "their levels are too far apart"),
        (guide(level=2), learner(level=4), REVERSE, (), None),
        (peer("a", level=2), peer("b", level=4), PEERS, (), "their levels are too far apart"),
        (peer("a", level=3), peer("b", level=4), PEERS, (), None),
        (guide(), learner(), MENTORING, [("g", "other")], None),
    ],
)
def test_barred_reason_names_the_hard_rule(a, b, rules, excluded, expected):
    assert barred_reason(a, b, rules, excluded) == expected
    # Declines aside, the rule agrees with the scorer.
    assert (score_pair(a, b, rules) is None) == (barred_reason(a, b, rules) is not None)
