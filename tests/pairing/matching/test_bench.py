"""The benchmark module: a believable organisation and an honest report."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pairing.matching.bench import run_benchmark, synthetic_org


def test_synthetic_org_is_reproducible_and_skewed():
    people = synthetic_org("mentoring", 400, 100, 3, seed=5)

    assert people == synthetic_org("mentoring", 400, 100, 3, seed=5)
    learners = [p for p in people if p.role == "learner"]
    guides = [p for p in people if p.role == "guide"]
    assert (len(learners), len(guides)) == (400, 100)
    assert sum(p.level for p in learners) / 400 < sum(p.level for p in guides) / 100
    assert {p.capacity for p in guides} == {3}
    assert 6 <= len({p.department for p in people}) <= 8
    keys = {p.key for p in people}
    assert sum(1 for p in people if p.manager in keys) > 100


def test_mentoring_report_has_zero_gap_to_the_dense_reference():
    report = run_benchmark("mentoring", n_learners=300, n_guides=70, capacity=3, seed=2)

    assert report["objective"]["certified"] is True
    assert report["objective"]["gap"] == 0.0
    assert report["reference"]["matched_gap"] == 0
    assert report["reference"]["score_gap"] == 0.0
    assert report["reference"]["matched"] == report["objective"]["matched"]
    assert report["greedy"]["matched_short"] >= 0
    assert report["greedy"]["score_short"] >= 0 or report["greedy"]["matched_short"] > 0
    assert report["sizes"]["learners"] == 300
    assert report["peak_mib"] > 0
    # The whole process's high-water mark includes the interpreter, so it exceeds the
    # traced allocations of one solve.
    assert report["peak_rss_mib"] > report["peak_mib"]


def test_peer_report_skips_the_dense_reference():
    report = run_benchmark("peer_coaching", n_learners=120, seed=3)

    assert report["reference"] == {"skipped": "no dense exact general-graph matcher fits"}
    assert report["objective"]["certified"] is True
    assert report["sizes"]["peers"] == 120


def test_command_prints_json():
    out = StringIO()

    call_command("bench_matching", "--kind", "reverse_mentoring", "--learners", "50",
                 "--guides", "20", "--capacity", "2", "--no-reference", stdout=out)  # fmt: skip

    [report] = json.loads(out.getvalue())
    assert report["kind"] == "reverse_mentoring"
    assert report["sizes"]["learners"] == 50
    assert "reference" not in report


def test_command_rejects_bad_sizes():
    with pytest.raises(CommandError, match="--learners must be 0 or more, not -1"):
        call_command("bench_matching", "--learners", "-1", stdout=StringIO())


def test_waited_cost_times_the_same_pool_without_and_with_the_tier():
    from pairing.matching.bench import waited_cost

    report = waited_cost(
        "mentoring", n_learners=200, n_guides=40, capacity=2, seed=3, fraction=0.1, repeat=1
    )

    assert (report["without"]["waited"], report["with"]["waited"]) == (0, 20)
    assert report["with"]["matched"] == report["without"]["matched"]
    assert report["with"]["certified"] is report["without"]["certified"] is True
    assert report["ratio_with_over_without"] > 0


def test_reports_carry_the_rank_table_beside_the_stable_baseline():
    mentoring = run_benchmark(
        "mentoring", n_learners=300, n_guides=70, capacity=3, seed=2, reference=False
    )["preferences"]
    solvable = run_benchmark("peer_coaching", n_learners=20, seed=1)["preferences"]
    unsolvable = run_benchmark("peer_coaching", n_learners=20, seed=3)["preferences"]

    # 296 of the 300 learners have an allowed guide to rank.
    assert [mentoring["ours"]["ranked"], mentoring["deferred_acceptance"]["ranked"]] == [296, 296]
    assert mentoring["deferred_acceptance"]["blocking_pairs"] == 0
    assert "stable_roommates" not in mentoring
    assert (
        solvable["stable_roommates"]["ranked"],
        solvable["stable_roommates"]["blocking_pairs"],
    ) == (20, 0)
    assert unsolvable["stable_roommates"] is None
    assert unsolvable["ours"]["ranked"] == 20


def test_the_command_times_the_tier_for_groups_too():
    out = StringIO()

    call_command("bench_matching", "--kind", "peer_circles", "--peers", "60",
                 "--waited", "0.2", stdout=out)  # fmt: skip

    [report] = json.loads(out.getvalue())
    cost = report["waited_cost"]
    assert (cost["kind"], cost["fraction"]) == ("peer_circles", 0.2)
    assert (cost["without"]["waited"], cost["with"]["waited"]) == (0, 12)
    assert cost["with"]["waited_matched"] == 12
    assert cost["with"]["matched"] == cost["without"]["matched"] == report["objective"]["matched"]
    assert list(cost["with"]) == [
        "seconds", "matched", "waited", "waited_matched", "total_score", "certified", "gap",
        "rounds",
    ]  # fmt: skip
