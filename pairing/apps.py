from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "Pairing"

    def ready(self):
        from pairing.personal_data import employee_erase_pairing_data, employee_pairing_data
        from programs.personal_data import register_section
        from programs.signals import employee_erased, employees_left, participants_withdrawn

        employees_left.connect(_leavers_release, dispatch_uid="pairing_leavers_release")
        participants_withdrawn.connect(_withdrawn_release, dispatch_uid="pairing_withdrawn_release")
        # Their one-off sessions too: nobody is booked with, or reminded of, someone gone.
        employees_left.connect(_leavers_sessions, dispatch_uid="pairing_leavers_sessions")
        participants_withdrawn.connect(
            _withdrawn_sessions, dispatch_uid="pairing_withdrawn_sessions"
        )
        # A person's data, to download and to erase: programs/ asks, this app answers.
        register_section("pairing", employee_pairing_data)
        employee_erased.connect(employee_erase_pairing_data, dispatch_uid="pairing_erase")


def _leavers_release(sender, **kwargs):
    # Imported when someone leaves, not at start-up: pairing.services pulls in the selectors
    # and the matching engine (numpy, scipy), which every manage.py command would pay for.
    from pairing.services import leavers_release

    return leavers_release(sender, **kwargs)


def _withdrawn_release(sender, **kwargs):
    # Imported late for the same reason as _leavers_release.
    from pairing.services import withdrawn_release

    return withdrawn_release(sender, **kwargs)


def _leavers_sessions(sender, employee_ids, **kwargs):
    # Imported late for the same reason as _leavers_release.
    from pairing.situational.booking import sessions_close_for
    from programs.models import Participant

    leaving = Participant.objects.filter(employee_id__in=employee_ids)
    return sessions_close_for(participant_ids=leaving.values_list("pk", flat=True))


def _withdrawn_sessions(sender, participant_ids, **kwargs):
    # Imported late for the same reason as _leavers_release.
    from pairing.situational.booking import sessions_close_for

    return sessions_close_for(participant_ids=participant_ids)
