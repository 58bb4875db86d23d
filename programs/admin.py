from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from programs.models import AuditEvent, Employee, Participant, Program, Topic
from programs.services import audit_record

AUDIT_VERBS = {
    AuditEvent.Action.ADMIN_SITE_ADDED: "Added",
    AuditEvent.Action.ADMIN_SITE_CHANGED: "Changed",
    AuditEvent.Action.ADMIN_SITE_DELETED: "Deleted",
}


class AuditedAdmin(admin.ModelAdmin):
    """Support staff's changes in the Django admin land in the same audit log as HR's:
    on the row's programme, or on the directory's when the row has none.

    The Django admin wraps each add, change and delete in a transaction, so the row and
    its audit event are saved together or not at all."""

    def audit_program(self, obj) -> Program | None:
        """The programme the row belongs to; None makes it a directory event."""
        return None

    def audit_program_on_delete(self, obj) -> Program | None:
        return self.audit_program(obj)

    def _audit(self, request, obj, action: str, fields: list[str], program) -> None:
        verb = AUDIT_VERBS[action]
        model = obj._meta.verbose_name
        audit_record(
            program=program,
            actor=request.user,
            action=action,
            summary=f"{verb} {model} {obj}",
            # Names only: a value may be personal, and the log is shown on HR's pages.
            detail={"model": obj._meta.label_lower, "pk": obj.pk, "fields": fields},
        )

    def save_related(self, request, form, formsets, change):
        # Recorded here, after save_model and the inlines, so one event names both the
        # row's changed fields and the inlines that changed with it.
        super().save_related(request, form, formsets, change)
        fields = sorted(form.changed_data) + [
            str(formset.model._meta.verbose_name_plural)
            for formset in formsets
            if formset.has_changed()
        ]
        action = (
            AuditEvent.Action.ADMIN_SITE_CHANGED if change else AuditEvent.Action.ADMIN_SITE_ADDED
        )
        self._audit(request, form.instance, action, fields, self.audit_program(form.instance))

    def delete_model(self, request, obj):
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The changelist's "Delete selected" action skips delete_model.
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_delete(self, request, obj) -> None:
        program = self.audit_program_on_delete(obj)
        self._audit(request, obj, AuditEvent.Action.ADMIN_SITE_DELETED, [], program)


class ProgramRowAdmin(AuditedAdmin):
    """A row with a `program` foreign key."""

    def audit_program(self, obj) -> Program | None:
        return obj.program


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts are the directory's: who is staff or superuser is worth a trace."""


class EnrolmentInline(admin.TabularInline):
    """A person's enrolments, the first thing support is asked about."""

    model = Participant
    fields = ["program", "role", "style", "focus", "capacity", "paused_until"]
    raw_id_fields = ["program"]
    extra = 0
    show_change_link = True


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    list_display = [
        "name",
        "email",
        "department",
        "level",
        "title",
        "manager",
        "active",
        "last_sign_in",
    ]
    list_filter = ["department", "level", "user__is_active"]
    search_fields = ["name", "email", "title"]
    raw_id_fields = ["user", "manager"]
    readonly_fields = ["invited_at"]
    list_select_related = ["manager", "user"]
    inlines = [EnrolmentInline]

    @admin.display(boolean=True, description="Active", ordering="user__is_active")
    def active(self, employee):
        return employee.user.is_active

    @admin.display(description="Last sign-in", ordering="user__last_login")
    def last_sign_in(self, employee):
        return employee.user.last_login


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    fields = ["created_at", "actor", "action", "summary"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(AuditedAdmin):
    """pairing/admin.py registers a subclass in its place that fixes the kind once the
    programme has pairings: pairings are pairing/'s business."""

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

    def audit_program(self, obj) -> Program | None:
        return obj

    def audit_program_on_delete(self, obj) -> Program | None:
        # The programme's own events go with it: the deletion is kept on the directory's.
        return None


@admin.register(Participant)
class ParticipantAdmin(ProgramRowAdmin):
    list_display = ["employee", "program", "role", "style", "focus", "capacity", "paused_until"]
    list_filter = ["role", "style", "focus", "program"]
    search_fields = ["employee__name", "employee__email", "program__name"]
    raw_id_fields = ["employee", "program"]
    filter_horizontal = ["goals", "expertise"]
    list_select_related = ["employee", "program"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: a log anyone with admin access could edit would prove nothing."""

    list_display = ["created_at", "program", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "program__name", "actor__username"]
    list_select_related = ["program", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
