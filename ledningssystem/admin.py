"""The technical admin: for system administrators to inspect data.

Units, roles and assignments are read-only here: every change goes through
the application, whose services keep the guardian groups, the tree rules
and the history reasons right. People stay editable for what only the admin
offers (setting a new password), but their groups follow their roles.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ledningssystem import access
from ledningssystem.models import BackgroundJob, Role, RoleAssignment, Unit, User


class ReadOnlyAdmin(SimpleHistoryAdmin):
    # The admin site itself only opens for system administrators (urls.py).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_system_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_system_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "code", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["path"]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "is_builtin", "sort_order"]
    search_fields = ["name", "slug"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "role", "unit", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["person__username", "person__last_name", "unit__name"]
    list_select_related = ["person", "role", "unit"]


@admin.register(User)
class PersonAdmin(UserAdmin, SimpleHistoryAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Ledningssystem", {"fields": ("title", "phone", "language", "deactivated_at", "successor")}),
    )
    readonly_fields = ["groups", "user_permissions", "deactivated_at", "successor", "last_login", "date_joined"]


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
