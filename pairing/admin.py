from django.contrib import admin

from pairing.models import CheckIn, MatchRun, Pairing, PairingMember, Reminder, SurveyResponse


class PairingMemberInline(admin.TabularInline):
    model = PairingMember
    fields = ["participant", "role", "response", "responded_at", "decline_reason", "live"]
    raw_id_fields = ["participant"]
    extra = 0


class CheckInInline(admin.TabularInline):
    model = CheckIn
    fields = ["held_on", "logged_by", "rating", "summary"]
    raw_id_fields = ["logged_by"]
    extra = 0


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "status", "source", "score", "proposed_at", "next_checkin_due"]
    list_filter = ["status", "source", "program"]
    search_fields = [
        "members__participant__employee__name",
        "members__participant__employee__email",
    ]
    raw_id_fields = ["program", "match_run", "ended_by"]
    inlines = [PairingMemberInline, CheckInInline]
    list_select_related = ["program"]


@admin.register(PairingMember)
class PairingMemberAdmin(admin.ModelAdmin):
    list_display = ["participant", "pairing", "role", "response", "live"]
    list_filter = ["role", "response", "live"]
    search_fields = ["participant__employee__name", "participant__employee__email"]
    raw_id_fields = ["pairing", "participant"]
    list_select_related = ["participant__employee", "pairing"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["pairing", "held_on", "logged_by", "rating"]
    list_filter = ["rating"]
    search_fields = ["summary", "logged_by__employee__name"]
    raw_id_fields = ["pairing", "logged_by"]
    date_hierarchy = "held_on"
    list_select_related = ["logged_by__employee"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "program", "status", "progress", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["program__name"]
    raw_id_fields = ["program", "created_by"]
    list_select_related = ["program", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "pairing", "due_on", "send_after", "sent_at", "attempts"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__email"]
    raw_id_fields = ["pairing", "recipient"]
    list_select_related = ["recipient"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["participant", "rating", "submitted_at"]
    list_filter = ["rating"]
    search_fields = ["participant__employee__name", "what_helped"]
    raw_id_fields = ["participant"]
