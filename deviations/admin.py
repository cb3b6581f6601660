"""Deviations are not in the technical admin: case details stay behind the
access module. Only the taxonomies (deviation and cause categories) are offered here."""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from deviations.models import Category, CauseCategory
from ledningssystem import access


@admin.register(Category, CauseCategory)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_system_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return access.is_system_admin(request.user)

    has_add_permission = has_change_permission = has_view_permission

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: reports keep their category
