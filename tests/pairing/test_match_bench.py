"""The whole-process benchmark (`bench_matching --whole-process`): its shape and its honesty.

Timings are never asserted; the bench reports them as ratios against a baseline run in the
same process. What is asserted: the report's keys, and that the command's answer on the
written programme is the engine's (and the dense reference's) on the same people.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pairing.match_bench import program_write
from pairing.matching import Rules, bench, solve
from pairing.matchmaking.contract import outcome_to_contract_json
from pairing.matchmaking.pool import program_people
from pairing.matchmaking.runs import program_match


@pytest.mark.django_db
def test_written_programme_is_the_same_pool_as_the_synthetic_people():
    people = bench.synthetic_org("mentoring", 40, 10, 2, seed=3)
    program = program_write(slug="bench", people=people)

    pool = program_people(program)
    expected = solve(people, Rules(kind="mentoring")).objective
    found = outcome_to_contract_json(program_match(program, baseline=False))["objective"]

    assert (len(pool.people), pool.already_paired, pool.full_guides) == (50, 0, 0)
    assert sorted(pool.emails.values()) == sorted(p.key for p in people)
    assert (found["matched"], round(found["total_score"], 2)) == (
        expected.matched,
        round(expected.total_score, 2),
    )


@pytest.mark.django_db
def test_writing_a_programme_twice_is_refused():
    people = bench.synthetic_org("mentoring", 2, 1, 1, seed=1)
    program_write(slug="bench", people=people)
    with pytest.raises(ValueError) as error:
        program_write(slug="bench", people=people)
    assert str(error.value) == "a programme with the slug 'bench' already exists"


def test_whole_process_report_matches_the_engine_and_the_reference():
    out = StringIO()
    call_command(
        "bench_matching",
        "--whole-process",
        "--learners=30",
        "--guides=8",
        "--capacity=2",
        "--repeat=1",
        stdout=out,
    )
    report = json.loads(out.getvalue())

    assert sorted(report) == [
        "engine",
        "kind",
        "match_command",
        "reference",
        "seed",
        "sizes",
        "speedup_over_reference",
        "where_the_time_goes",
        "write_seconds",
    ]
    assert sorted(report["where_the_time_goes"]) == [
        "engine_seconds",
        "method",
        "rest_seconds",
        "startup_seconds",
    ]
    command, engine, reference = report["match_command"], report["engine"], report["reference"]
    assert len(command["runs"]) == 1
    assert command["certified"] is True
    assert (command["matched"], command["total_score"]) == (
        engine["matched"],
        engine["total_score"],
    )
    assert (reference["matched"], reference["total_score"]) == (
        engine["matched"],
        engine["total_score"],
    )
    assert command["pairings"] == command["matched"]


def test_whole_process_refuses_a_capacity_below_one():
    with pytest.raises(CommandError) as error:
        call_command("bench_matching", "--whole-process", "--capacity=0")
    assert str(error.value) == "--capacity must be 1 or more, not 0"


@pytest.mark.parametrize(
    ("kind", "people", "guides"),
    [("peer_circles", 60, 0), ("co_development", 60, 0), ("group_mentoring", 30, 10)],
)
def test_the_benchmark_runs_for_the_group_kinds(kind, people, guides):
    out = StringIO()

    call_command("bench_matching", "--kind", kind, "--peers", "60", "--learners", "30",
                 "--guides", "10", "--capacity", "2", "--no-reference", stdout=out)  # fmt: skip

    [report] = json.loads(out.getvalue())
    objective = report["objective"]
    assert (report["kind"], report["sizes"]["people"], report["sizes"]["guides"]) == (
        kind,
        people,
        guides,
    )
    assert objective["upper_bound"] >= objective["total_score"] >= objective["greedy"]
    assert objective["total_score"] > objective["random_mean"] > 0
