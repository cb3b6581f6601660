from ledningssystem.models.jobs import BackgroundJob
from ledningssystem.models.organisation import (
    Role,
    RoleAssignment,
    RoleScope,
    Unit,
    UnitGroupObjectPermission,
    UnitKind,
    UnitUserObjectPermission,
)
from ledningssystem.models.people import Language, User

__all__ = [
    "BackgroundJob",
    "Language",
    "Role",
    "RoleAssignment",
    "RoleScope",
    "Unit",
    "UnitGroupObjectPermission",
    "UnitKind",
    "UnitUserObjectPermission",
    "User",
]
