from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "Pairing"

    def ready(self):
        from programs.signals import employees_left

        employees_left.connect(_leavers_release, dispatch_uid="pairing_leavers_release")


def _leavers_release(sender, **kwargs):
    # Imported when someone leaves, not at start-up: pairing.services pulls in the selectors
    # and the matching engine (numpy, scipy), which every manage.py command would pay for.
    from pairing.services import leavers_release

    return leavers_release(sender, **kwargs)
