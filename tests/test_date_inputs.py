"""Date fields render their value as yyyy-mm-dd, the only format <input type="date">
accepts: in the en-GB locale Django would write dd/mm/yyyy, which the browser shows as an
empty field (found by the browser tests: the check-in date came up blank)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from pairing.forms.journeys import CheckInForm
from pairing.hr.forms.programmes import ProgramForm
from pairing.models import Pairing
from programs.forms.enrol import ParticipantForm
from programs.models import Participant, Program

pytestmark = pytest.mark.django_db


def test_checkin_date_defaults_to_today_in_iso_format():
    began = timezone.now() - timedelta(days=40)
    html = str(CheckInForm(pairing=Pairing(proposed_at=began, activated_at=began))["held_on"])

    today, first = timezone.localdate().isoformat(), timezone.localdate(began).isoformat()
    assert html == (
        f'<input type="date" name="held_on" value="{today}" min="{first}" max="{today}" '
        'required id="id_held_on">'
    )


def test_programme_dates_render_in_iso_format():
    program = Program(slug="p", name="P", kind=Program.Kind.MENTORING, starts_on=date(2026, 1, 5))

    html = str(ProgramForm(instance=program)["starts_on"])

    assert html == '<input type="date" name="starts_on" value="2026-01-05" ' + (
        'aria-describedby="id_starts_on_helptext" id="id_starts_on">'
    )


def test_pause_date_renders_in_iso_format():
    program = Program(slug="p", name="P", kind=Program.Kind.MENTORING)

    form = ParticipantForm(
        program=program,
        role=Participant.Role.MENTOR,
        initial={"paused_until": date(2026, 12, 31)},
    )

    assert str(form["paused_until"]) == (
        '<input type="date" name="paused_until" value="2026-12-31" '
        'aria-describedby="id_paused_until_helptext" id="id_paused_until">'
    )
