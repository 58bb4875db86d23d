"""The pairing app's part of a person's data ("download my data") and of their erasure.

Registered with programs.personal_data and connected to programs.signals.employee_erased
in PairingConfig.ready: programs/ asks for these without importing this app.
"""

from typing import Any

from django.db.models import Prefetch

from pairing import selectors
from pairing.models import (
    CaseSession,
    CheckIn,
    Pairing,
    PairingMember,
    Reminder,
    SurveyResponse,
)
from programs.models import Employee


def _moment(value):
    return value.isoformat() if value is not None else None


def employee_pairing_data(employee: Employee) -> dict[str, Any]:
    """Pairings (partners by name only), their check-ins with the person's OWN private
    notes (a partner's never), the decline notes they wrote, survey answers and the
    emails sent to them. Five queries, whatever the history."""
    memberships = list(
        PairingMember.objects.filter(participant__employee=employee)
        .select_related("pairing__program")
        .prefetch_related(
            Prefetch(
                "pairing__members",
                queryset=PairingMember.objects.select_related("participant__employee"),
            )
        )
        .order_by("pairing__proposed_at", "pairing_id")
    )
    pairing_ids = [m.pairing_id for m in memberships]
    checkins = (
        CheckIn.objects.filter(pairing_id__in=pairing_ids)
        .select_related("logged_by__employee", "case_session__presenter__employee")
        .order_by("held_on", "pk")
    )
    by_pairing: dict[int, list[dict[str, Any]]] = {}
    for checkin in checkins:
        mine = checkin.logged_by.employee_id == employee.pk
        entry = {
            "held_on": _moment(checkin.held_on),
            "logged_by": checkin.logged_by.employee.name,
            "summary": checkin.summary,
            "rating": checkin.rating,
        }
        if mine:
            entry["my_private_note"] = checkin.private_note
        case = getattr(checkin, "case_session", None)
        if case is not None:  # a co-development session's case
            entry["case"] = {
                "presenter": case.presenter.employee.name,
                **{step: getattr(case, step) for step in CaseSession.STEPS},
            }
        by_pairing.setdefault(checkin.pairing_id, []).append(entry)

    pairings = []
    for member in memberships:
        pairing = member.pairing
        pairings.append(
            {
                "programme": pairing.program.name,
                "my_role": member.get_role_display(),
                "partners": [
                    other.participant.employee.name
                    for other in pairing.members.all()
                    if other.pk != member.pk
                ],
                "status": pairing.get_status_display(),
                "proposed_at": _moment(pairing.proposed_at),
                "activated_at": _moment(pairing.activated_at),
                "ended_at": _moment(pairing.ended_at),
                "end_reason": pairing.end_reason,
                "score": pairing.score,
                "reasons": selectors.group_reasons(pairing=pairing, viewer_id=member.participant_id)
                if pairing.program.is_group
                else list(pairing.reasons),
                "my_answer": member.get_response_display(),
                "my_decline_reason": member.get_decline_reason_display(),
                "my_decline_note": member.decline_note,
                "check_ins": by_pairing.get(pairing.pk, []),
            }
        )

    surveys = SurveyResponse.objects.filter(participant__employee=employee).select_related(
        "participant__program"
    )
    reminders = (
        Reminder.objects.filter(recipient_id=employee.user_id, sent_at__isnull=False)
        .select_related("pairing__program")
        .order_by("sent_at", "pk")
    )
    return {
        "pairings": pairings,
        "survey_answers": [
            {
                "programme": survey.participant.program.name,
                "rating": survey.rating,
                "what_helped": survey.what_helped,
                "submitted_at": _moment(survey.submitted_at),
            }
            for survey in surveys.order_by("submitted_at", "pk")
        ],
        "reminder_emails": [
            {
                "programme": reminder.pairing.program.name,
                "kind": reminder.get_kind_display(),
                "due_on": _moment(reminder.due_on),
                "sent_at": _moment(reminder.sent_at),
            }
            for reminder in reminders
        ],
        "proposal_emails": [
            {"programme": m.pairing.program.name, "sent_at": _moment(m.notified_at)}
            for m in memberships
            if m.notified_at is not None
        ],
        "partner_left_emails": [
            {"programme": m.pairing.program.name, "sent_at": _moment(m.partner_left_notified_at)}
            for m in memberships
            if m.partner_left_notified_at is not None
        ],
        # HR's nudges keep only the latest day; ending by HR, when the email went.
        "nudge_emails": [
            {"programme": m.pairing.program.name, "latest_on": _moment(m.nudged_on)}
            for m in memberships
            if m.nudged_on is not None
        ],
        "pairing_ended_emails": [
            {"programme": m.pairing.program.name, "sent_at": _moment(m.ended_notified_at)}
            for m in memberships
            if m.ended_notified_at is not None
        ],
    }


def employee_erase_pairing_data(sender, employee_id: int, **kwargs) -> None:
    """The receiver of programs.signals.employee_erased: delete the free text the person
    wrote here. Check-in summaries they logged stay (they are the pairing's shared record,
    now shown under "Erased person"), as do every rating, date and status, so the
    dashboards' figures do not move."""
    CheckIn.objects.filter(logged_by__employee_id=employee_id).exclude(private_note="").update(
        private_note=""
    )
    PairingMember.objects.filter(participant__employee_id=employee_id).exclude(
        decline_note=""
    ).update(decline_note="")
    SurveyResponse.objects.filter(participant__employee_id=employee_id).exclude(
        what_helped=""
    ).update(what_helped="")
    # The reason they typed when they ended a pairing themselves (a leaver's pairings end
    # with no ended_by and the app's own "left the organisation").
    Pairing.objects.filter(ended_by__employee__id=employee_id).exclude(end_reason="").update(
        end_reason=""
    )
