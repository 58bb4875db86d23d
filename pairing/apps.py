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
