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
from ledningssystem.models.readlog import ReadLogEntry, ReadPurpose

__all__ = [
    "BackgroundJob",
    "Language",
    "ReadLogEntry",
    "ReadPurpose",
    "Role",
    "RoleAssignment",
    "RoleScope",
    "Unit",
    "UnitGroupObjectPermission",
    "UnitKind",
    "UnitUserObjectPermission",
    "User",
]
