from django.contrib import admin

from pairing.models import CheckIn, MatchRun, Pairing, PairingMember, Reminder, SurveyResponse
from pairing.rules import program_kind_locked
from programs.admin import AuditedAdmin, ProgramAdmin, ProgramRowAdmin
from programs.models import Program

admin.site.unregister(Program)


@admin.register(Program)
class ProgramWithPairingsAdmin(ProgramAdmin):
    def get_readonly_fields(self, request, obj=None):
        # As on HR's settings page: a programme's kind is fixed once it has pairings.
        if obj is not None and program_kind_locked(program=obj):
            return [*super().get_readonly_fields(request, obj), "kind"]
        return super().get_readonly_fields(request, obj)


class PairingRowAdmin(AuditedAdmin):
    """A row of one pairing: its events go on the pairing's programme."""

    def audit_program(self, obj):
        return obj.pairing.program if obj.pairing_id else None


class PairingMemberInline(admin.TabularInline):
    model = PairingMember
    fields = ["participant", "role", "response", "responded_at", "decline_reason", "live"]
    raw_id_fields = ["participant"]

    def audit_program(self, obj):
        return obj.participant.program

    extra = 0


class CheckInInline(admin.TabularInline):
    """No private_note anywhere in the admin: "Only you will see this" holds for support
    staff and superusers too."""

    model = CheckIn
    fields = ["held_on", "logged_by", "rating", "summary"]
    raw_id_fields = ["logged_by"]
    extra = 0


@admin.register(Pairing)
class PairingAdmin(ProgramRowAdmin):
    list_display = [
        "pk",
        "program",
        "members_list",
        "status",
        "source",
        "proposed_at",
        "next_checkin_due",
    ]
    list_filter = ["status", "source", "program"]
    search_fields = [
        "members__participant__employee__name",
        "members__participant__employee__email",
    ]
    raw_id_fields = ["program", "match_run", "ended_by"]
    inlines = [PairingMemberInline, CheckInInline]
    list_select_related = ["program"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members__participant__employee")

    @admin.display(description="Members")
    def members_list(self, pairing):
        return ", ".join(
            f"{m.participant.employee.name} ({m.get_role_display()})" for m in pairing.members.all()
        )


@admin.register(PairingMember)
class PairingMemberAdmin(PairingRowAdmin):
    list_display = ["participant", "pairing", "role", "response", "live"]
    list_filter = ["role", "response", "live"]
    search_fields = ["participant__employee__name", "participant__employee__email"]
    raw_id_fields = ["pairing", "participant"]
    list_select_related = ["participant__employee", "pairing"]


@admin.register(CheckIn)
class CheckInAdmin(PairingRowAdmin):
    # Every other field is shown and editable; the private note is nowhere, not even
    # read-only, and not searchable (a search would reveal it one guess at a time).
    exclude = ["private_note"]
    list_display = ["pairing", "held_on", "logged_by", "rating"]
    list_filter = ["rating"]
    search_fields = ["summary", "logged_by__employee__name"]
    raw_id_fields = ["pairing", "logged_by"]
    date_hierarchy = "held_on"
    list_select_related = ["logged_by__employee"]


@admin.register(MatchRun)
class MatchRunAdmin(ProgramRowAdmin):
    list_display = ["pk", "program", "status", "progress", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["program__name"]
    raw_id_fields = ["program", "created_by"]
    list_select_related = ["program", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(PairingRowAdmin):
    list_display = ["kind", "recipient", "pairing", "due_on", "send_after", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__email"]
    raw_id_fields = ["pairing", "recipient"]
    list_select_related = ["recipient"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AuditedAdmin):
    list_display = ["participant", "rating", "submitted_at"]
    list_filter = ["rating"]
    search_fields = ["participant__employee__name", "what_helped"]
    raw_id_fields = ["participant"]

    def audit_program(self, obj):
        return obj.participant.program
