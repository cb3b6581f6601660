from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from ledningssystem.models import BackgroundJob, Role, RoleAssignment, Unit, User


@admin.register(Unit)
class UnitAdmin(GuardedModelAdminMixin, TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Unit, exclude=["version"])
    list_display = ["name", "kind", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "is_builtin", "sort_order"]
    filter_horizontal = ["permissions"]
    search_fields = ["name", "slug"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "role", "unit", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["person__username", "person__last_name", "unit__name"]
    raw_id_fields = ["person", "unit"]


@admin.register(User)
class PersonAdmin(UserAdmin, SimpleHistoryAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Ledningssystem", {"fields": ("title", "phone", "language", "deactivated_at", "successor")}),
    )
    raw_id_fields = ["successor"]


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["result_sha256", "error"]
