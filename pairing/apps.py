from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "Pairing"

    def ready(self):
        from pairing.services import leavers_release
        from programs.signals import employees_left

        employees_left.connect(leavers_release, dispatch_uid="pairing_leavers_release")
