"""Rules the data can trust (issue 17, part 3): candidates only in self-select
programmes, check-ins dated within the pairing's life, settings refused out of range,
and a programme's kind fixed once it has pairings."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pairing.models import CheckIn, Pairing
from pairing.programmes import program_settings_update
from pairing.services import PairingError, checkin_log
from programs.models import Participant, Program
from tests.factories import make_live_pairing, make_participant, make_program

pytestmark = pytest.mark.django_db


def _mentee(program):
    return make_participant(
        program=program, role=Participant.Role.MENTEE, employee_kwargs={"level": 3}
    )


# --- Candidates pages ------------------------------------------------------------------


def test_candidates_pages_are_404_in_an_hr_run_programme(client, program):
    assert program.matching_mode == Program.MatchingMode.ADMIN
    learner = _mentee(program)
    make_participant(program=program, role=Participant.Role.MENTOR, employee_kwargs={"level": 5})
    client.force_login(learner.employee.user)
    assert client.get(reverse("pairing:candidates", args=[program.slug])).status_code == 404
    url = reverse("pairing:candidate_request", args=[program.slug])
    assert client.post(url, {"partner": 1}).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert reverse("pairing:candidates", args=[program.slug]) not in home


def test_candidates_page_opens_in_a_self_select_programme(client, hr_admin):
    program = make_program(admins=[hr_admin], matching_mode=Program.MatchingMode.SELF_SELECT)
    learner = _mentee(program)
    client.force_login(learner.employee.user)
    assert client.get(reverse("pairing:candidates", args=[program.slug])).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert reverse("pairing:candidates", args=[program.slug]) in home


# --- Check-in dates --------------------------------------------------------------------


@pytest.fixture
def began_ten_days_ago(program):
    began = timezone.now() - timedelta(days=10)
    pairing = make_live_pairing(program=program, proposed_at=began - timedelta(days=2))
    pairing.activated_at = began
    pairing.save(update_fields=["activated_at"])
    learner = pairing.members.get(role="learner").participant
    return pairing, learner, timezone.localdate(began)


def _log(client, pairing, learner, held_on):
    client.force_login(learner.employee.user)
    return client.post(
        reverse("pairing:checkin_create", args=[pairing.pk]),
        {"held_on": held_on, "summary": "Plan", "rating": "4"},
    )


@pytest.mark.parametrize(
    "held_on, error",
    [
        ("0001-01-01", "a check-in cannot be earlier"),
        ("before", "a check-in cannot be earlier"),
        ("future", "A check-in cannot be in the future."),
    ],
)
def test_a_check_in_outside_the_pairing_is_a_field_error(
    client, began_ten_days_ago, held_on, error
):
    pairing, learner, began = began_ten_days_ago
    day = {
        "before": began - timedelta(days=1),
        "future": timezone.localdate() + timedelta(days=1),
    }.get(held_on, held_on)
    response = _log(client, pairing, learner, str(day))
    assert response.status_code == 400
    assert error in " ".join(response.context["checkin_form"].errors["held_on"])
    assert CheckIn.objects.count() == 0


def test_the_first_and_last_day_of_the_pairing_are_accepted(client, began_ten_days_ago):
    pairing, learner, began = began_ten_days_ago
    assert _log(client, pairing, learner, began.isoformat()).status_code == 302
    assert _log(client, pairing, learner, timezone.localdate().isoformat()).status_code == 302
    assert CheckIn.objects.count() == 2


def test_the_service_refuses_a_check_in_before_the_pairing_began(began_ten_days_ago):
    pairing, learner, began = began_ten_days_ago
    with pytest.raises(PairingError, match="while the pairing runs"):
        checkin_log(
            pairing=pairing,
            participant=learner,
            held_on=began - timedelta(days=1),
            summary="x",
            rating=3,
        )
    assert CheckIn.objects.count() == 0


def test_an_ended_pairings_last_day_is_its_end():
    now = timezone.now()
    pairing = Pairing(
        proposed_at=now - timedelta(days=30),
        activated_at=now - timedelta(days=20),
        ended_at=now - timedelta(days=5),
    )
    assert pairing.checkin_dates() == (
        timezone.localdate(now - timedelta(days=20)),
        timezone.localdate(now - timedelta(days=5)),
    )


# --- Programme settings ----------------------------------------------------------------

SETTINGS = [
    "name", "slug", "description", "kind", "matching_mode", "status", "enrol_opens",
    "enrol_closes", "starts_on", "ends_on", "checkin_cadence_days", "proposal_expiry_days",
    "max_requests_per_mentee", "max_requests_per_mentor", "default_capacity", "min_gap",
    "ideal_gap", "max_gap", "peer_max_gap", "weight_goals",
    "weight_level", "weight_style", "weight_department",
]  # fmt: skip


def _post(program, **overrides):
    data = {name: getattr(program, name) for name in SETTINGS}
    return {k: "" if v is None else v for k, v in {**data, **overrides}.items()}


@pytest.mark.parametrize(
    "field, value",
    [
        ("checkin_cadence_days", 0),
        ("checkin_cadence_days", -3),
        ("checkin_cadence_days", 366),
        ("checkin_cadence_days", ""),
        ("proposal_expiry_days", 0),
        ("proposal_expiry_days", 400),
        ("default_capacity", 0),
        ("default_capacity", 51),
        ("max_gap", 6),
        ("weight_style", 101),
    ],
)
def test_an_out_of_range_setting_is_a_field_error_and_nothing_changes(
    client, hr_admin, program, field, value
):
    before = Program.objects.values().get(pk=program.pk)
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:program_edit", args=[program.slug]), _post(program, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Program.objects.values().get(pk=program.pk) == before


@pytest.mark.parametrize("value, error", [("0", True), ("", False)])
def test_a_new_programmes_cadence_may_be_blank_for_the_default_but_not_zero(
    client, hr_admin, value, error
):
    client.force_login(hr_admin)
    data = {
        "name": "Peers", "slug": "peers", "kind": Program.Kind.PEER_COACHING,
        "matching_mode": "admin", "status": "draft", "checkin_cadence_days": value,
        "proposal_expiry_days": 7, "max_requests_per_mentee": 3, "max_requests_per_mentor": 3,
        "default_capacity": 2, "min_gap": 1, "ideal_gap": 2,
        "max_gap": 3, "peer_max_gap": 1, "weight_goals": 50, "weight_level": 25,
        "weight_style": 20, "weight_department": 5,
    }  # fmt: skip
    response = client.post(reverse("hr:program_create"), data)
    if error:
        assert response.status_code == 200
        assert "checkin_cadence_days" in response.context["form"].errors
        assert not Program.objects.filter(slug="peers").exists()
    else:
        assert response.status_code == 302
        assert Program.objects.get(slug="peers").checkin_cadence_days == 14


# --- A programme's kind ----------------------------------------------------------------


def test_the_kind_is_fixed_once_the_programme_has_pairings(client, hr_admin, program):
    make_live_pairing(program=program)
    client.force_login(hr_admin)
    url = reverse("hr:program_edit", args=[program.slug])
    page = client.get(url)
    assert page.context["form"].fields["kind"].disabled
    assert "Fixed: the programme has pairings" in page.content.decode()
    response = client.post(url, _post(program, kind=Program.Kind.PEER_COACHING, name="Renamed"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.kind, program.name) == (Program.Kind.MENTORING, "Renamed")


def test_the_service_refuses_a_new_kind_once_there_are_pairings(hr_admin, program):
    make_live_pairing(program=program)
    with pytest.raises(ValidationError) as refused:
        program_settings_update(
            program=program, actor=hr_admin, data={"kind": Program.Kind.PEER_COACHING}
        )
    assert "The kind cannot change once the programme has pairings" in str(refused.value)
    program.refresh_from_db()
    assert program.kind == Program.Kind.MENTORING
    assert not program.audit_events.exists()


def test_the_kind_may_change_while_there_are_no_pairings(client, hr_admin, program):
    client.force_login(hr_admin)
    url = reverse("hr:program_edit", args=[program.slug])
    assert not client.get(url).context["form"].fields["kind"].disabled
    response = client.post(url, _post(program, kind=Program.Kind.PEER_COACHING))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.kind == Program.Kind.PEER_COACHING
