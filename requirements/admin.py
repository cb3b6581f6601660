"""Only the areas of application are edited here; frameworks come from files."""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ledningssystem import access
from requirements.models import ApplicationArea


@admin.register(ApplicationArea)
class ScopeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "sort_order"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_system_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return access.is_system_admin(request.user)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # requirements keep their areas
