from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedningssystemConfig(AppConfig):
    name = "ledningssystem"
    verbose_name = _("Organisation and access")

    def ready(self) -> None:
        from django.contrib.auth.models import Permission

        from ledningssystem import exports, history  # noqa: F401 - exports registers its job
        from ledningssystem.access import CAPABILITY_LABELS
        from ledningssystem.models import Role, RoleAssignment, Unit, User

        history.RELATED_LABELS[Permission] = lambda p: str(CAPABILITY_LABELS.get(p.codename, p.name))
        history.register_history("unit", Unit)
        history.register_history("person", User)
        history.register_history("role", Role)
        history.register_history("assignment", RoleAssignment)
