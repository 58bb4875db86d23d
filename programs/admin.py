from django.contrib import admin

from programs.models import AuditEvent, Employee, Participant, Program, Topic


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "department", "level", "title", "manager"]
    list_filter = ["department", "level"]
    search_fields = ["name", "email", "title"]
    raw_id_fields = ["user", "manager"]
    list_select_related = ["manager"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    fields = ["employee", "role", "style", "focus", "capacity", "paused_until"]
    raw_id_fields = ["employee"]
    extra = 0
    show_change_link = True


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    fields = ["created_at", "actor", "action", "summary"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "status", "matching_mode", "starts_on", "ends_on"]
    list_filter = ["kind", "status", "matching_mode"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["admins"]
    inlines = [AuditEventInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description", "kind", "status", "matching_mode"]}),
        ("Dates", {"fields": ["enrol_opens", "enrol_closes", "starts_on", "ends_on"]}),
        (
            "Matching rules",
            {
                "fields": [
                    "default_capacity",
                    ("min_gap", "ideal_gap", "max_gap", "peer_max_gap"),
                    ("weight_goals", "weight_level", "weight_style", "weight_department"),
                    "checkin_cadence_days",
                    "proposal_expiry_days",
                ]
            },
        ),
        ("Administrators", {"fields": ["admins"]}),
    ]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["employee", "program", "role", "style", "focus", "capacity", "paused_until"]
    list_filter = ["role", "style", "focus", "program"]
    search_fields = ["employee__name", "employee__email", "program__name"]
    raw_id_fields = ["employee", "program"]
    filter_horizontal = ["goals", "expertise"]
    list_select_related = ["employee", "program"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "program", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "program__name", "actor__username"]
    list_select_related = ["program", "actor"]
    date_hierarchy = "created_at"
