import json
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pairing.models import Pairing, PairingMember
from programs.importing import participants_import
from programs.models import Participant, Program
from tests.factories import make_program

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
# The optimum under the default rules, computed independently (tests/data/README.md of the
# shared data): people matched and total score.
SAMPLES = [
    ("mentoring", Program.Kind.MENTORING, 32, 32, 2221.67),
    ("reverse-mentoring", Program.Kind.REVERSE_MENTORING, 17, 17, 1075.00),
    ("peer-coaching", Program.Kind.PEER_COACHING, 25, 50, 1465.48),
]


def _imported(name: str, kind: str) -> Program:
    program = make_program(slug=name, kind=kind)
    participants_import(program=program, text=(DATA / f"{name}-sample.csv").read_bytes())
    return program


def _match(*args: str) -> dict:
    out = StringIO()
    call_command("match", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def _emails(program: Program) -> set[str]:
    return set(
        Participant.objects.filter(program=program).values_list("employee__email", flat=True)
    )


@pytest.mark.parametrize(("name", "kind", "pairs", "matched", "total"), SAMPLES)
def test_match_json_reproduces_the_optimum_and_places_everyone(name, kind, pairs, matched, total):
    program = _imported(name, kind)

    result = _match(name)

    assert (result["program"], result["kind"]) == (name, kind)
    assert (result["objective"]["matched"], result["objective"]["total_score"]) == (matched, total)
    assert result["objective"]["certified"] is True
    assert len(result["pairings"]) == pairs
    # Each score is rounded to 2 decimals, so their sum may drift by half a cent per pair.
    assert sum(p["score"] for p in result["pairings"]) == pytest.approx(total, abs=0.005 * pairs)
    placed = [e for p in result["pairings"] for e in [p["guide"], *p["members"]] if e]
    placed += [u["email"] for u in result["unmatched"]] + [
        s["email"] for s in result["spare_capacity"]
    ]
    assert set(placed) == _emails(program)
    learners = [e for p in result["pairings"] for e in p["members"]] + [
        u["email"] for u in result["unmatched"]
    ]
    assert len(learners) == len(set(learners))
    for pairing in result["pairings"]:
        assert len(pairing["members"]) == (2 if program.is_peer else 1)
        assert (pairing["guide"] is None) == program.is_peer
        assert set(pairing["breakdown"]) == {"goals", "level", "style", "department"}
        assert sum(pairing["breakdown"].values()) == pytest.approx(pairing["score"], abs=0.02)
    for unmatched in result["unmatched"]:
        assert unmatched["reasons"] != []
    assert Pairing.objects.count() == 0


def test_match_without_json_prints_a_table():
    _imported("reverse-mentoring", Program.Kind.REVERSE_MENTORING)
    out = StringIO()

    call_command("match", "reverse-mentoring", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "reverse-mentoring (reverse_mentoring): 17 pairings, 17 people matched, total score 1075.00"
    )
    assert len([line for line in lines if line.startswith("  ")]) == 17
    assert len([line for line in lines if line.startswith("Unmatched ")]) == 3
    # Equally good optima may leave the free places with different mentors (ties break by
    # key, and keys are primary keys), but the number of free places is fixed.
    spare = [line for line in lines if line.startswith("Spare capacity ")]
    assert sum(int(line.rsplit(": ", 1)[1]) for line in spare) == 9


def _accept(pairing: Pairing) -> None:
    pairing.status = Pairing.Status.ACCEPTED
    pairing.save(update_fields=["status"])
    pairing.members.update(response=PairingMember.Response.ACCEPTED)


def _decline(pairing: Pairing) -> None:
    pairing.status = Pairing.Status.DECLINED
    pairing.save(update_fields=["status"])
    pairing.members.update(live=False)
    pairing.members.filter(role=PairingMember.Role.GUIDE).update(
        response=PairingMember.Response.DECLINED, decline_reason=PairingMember.DeclineReason.NO_TIME
    )


def _pairs(program: Program, **filters) -> set[frozenset[int]]:
    return {
        frozenset(p.members.values_list("participant_id", flat=True))
        for p in Pairing.objects.filter(program=program, **filters)
    }


def test_commit_replaces_unanswered_proposals_and_keeps_accepted_ones(
    mailoutbox, django_capture_on_commit_callbacks
):
    program = _imported("mentoring", Program.Kind.MENTORING)

    with django_capture_on_commit_callbacks(execute=True):
        first = _match("mentoring", "--commit")

    guides = PairingMember.objects.filter(role=PairingMember.Role.GUIDE)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        guides.values_list("participant__employee__email", flat=True)
    )
    assert mailoutbox[0].subject == "New mentoring proposal in " + program.name

    assert Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED).count() == 32
    assert len(first["pairings"]) == 32
    kept = Pairing.objects.filter(program=program).order_by("pk").first()
    _accept(kept)
    kept_pair = frozenset(kept.members.values_list("participant_id", flat=True))
    learner = kept.members.get(role=PairingMember.Role.LEARNER).participant

    second = _match("mentoring", "--commit")

    assert Pairing.objects.filter(program=program).count() == 32
    assert Pairing.objects.filter(program=program, status=Pairing.Status.PROPOSED).count() == 31
    assert Pairing.objects.get(status=Pairing.Status.ACCEPTED) == kept
    assert len(second["pairings"]) == 31
    assert learner.employee.email not in {e for p in second["pairings"] for e in p["members"]}
    assert learner.employee.email not in {u["email"] for u in second["unmatched"]}
    assert sum(1 for p in _pairs(program) if p == kept_pair) == 1


def test_declined_pairs_are_never_proposed_again():
    program = _imported("mentoring", Program.Kind.MENTORING)
    _match("mentoring", "--commit")
    declined = list(Pairing.objects.filter(program=program).order_by("pk")[:5])
    for pairing in declined:
        _decline(pairing)
    declined_pairs = {
        frozenset(p.members.values_list("participant_id", flat=True)) for p in declined
    }

    _match("mentoring", "--commit")

    proposed = _pairs(program, status=Pairing.Status.PROPOSED)
    assert proposed & declined_pairs == set()
    assert _pairs(program, status=Pairing.Status.DECLINED) == declined_pairs


def test_commit_sets_up_members_to_answer():
    program = _imported("peer-coaching", Program.Kind.PEER_COACHING)
    mentoring = _imported("reverse-mentoring", Program.Kind.REVERSE_MENTORING)

    _match("peer-coaching", "--commit")
    _match("reverse-mentoring", "--commit")

    peers = PairingMember.objects.filter(pairing__program=program)
    assert set(peers.values_list("role", "response")) == {("peer", "pending")}
    assert peers.count() == 50
    guided = PairingMember.objects.filter(pairing__program=mentoring)
    assert sorted(set(guided.values_list("role", "response"))) == [
        ("guide", "pending"),
        ("learner", "accepted"),
    ]
    pairing = Pairing.objects.filter(program=mentoring).first()
    assert (pairing.source, pairing.expires_at - pairing.proposed_at) == (
        Pairing.Source.MATCHING,
        timedelta(days=mentoring.proposal_expiry_days),
    )


def test_match_refuses_an_unknown_programme_in_one_line():
    with pytest.raises(CommandError) as error:
        call_command("match", "nope")

    assert str(error.value) == "no programme with the slug 'nope'"


@pytest.mark.parametrize(
    "args",
    [
        ["match", "nope"],
        ["import_participants", "nope", "x.csv"],
        ["create_program", "x", "--kind", "coaching"],
    ],
)
def test_commands_exit_non_zero_with_one_line(args, tmp_path):
    # A real process: what an admin sees in a shell (exit status and stderr), on its own
    # empty database so it does not need the test database.
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {"DATABASE_URL": database, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"],
        env=env,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    done = subprocess.run(
        [sys.executable, "manage.py", *args, "--skip-checks"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("CommandError: ")
