"""Fixtures shared by the HR pages' tests."""

import pytest

from programs.models import Participant
from tests.factories import make_employee, make_participant

MENTOR = Participant.Role.MENTOR


@pytest.fixture
def people(program):
    """Two mentors and three mentees whose best pairing is plain to see."""
    ada = make_participant(
        program=program,
        role=MENTOR,
        employee=make_employee(name="Ada Mentor", email="ada@example.org", level=5),
        expertise=["Python", "Leadership"],
        capacity=1,
    )
    bo = make_participant(
        program=program,
        role=MENTOR,
        employee=make_employee(name="Bo Mentor", email="bo@example.org", level=5),
        expertise=["Negotiation"],
        capacity=1,
    )
    cy = make_participant(
        program=program,
        employee=make_employee(name="Cy Mentee", email="cy@example.org", level=3),
        goals=["Python", "Leadership"],
    )
    di = make_participant(
        program=program,
        employee=make_employee(name="Di Mentee", email="di@example.org", level=3),
        goals=["Negotiation"],
    )
    ed = make_participant(
        program=program,
        employee=make_employee(name="Ed Mentee", email="ed@example.org", level=3),
        goals=["Budgeting"],
    )
    return {"ada": ada, "bo": bo, "cy": cy, "di": di, "ed": ed}
