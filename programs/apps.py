from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programmes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_finished

        from programs.middleware import clear_request_id, touch_session
        from programs.services import signed_in_mark_active
        from programs.two_factor import remember_two_factor_state

        user_logged_in.connect(remember_two_factor_state, dispatch_uid="two_factor_state")
        user_logged_in.connect(touch_session, dispatch_uid="touch_session")
        user_logged_in.connect(signed_in_mark_active, dispatch_uid="signed_in_mark_active")
        request_finished.connect(clear_request_id, dispatch_uid="clear_request_id")
