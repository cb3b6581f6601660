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

        # A login is not a change to the person: record it without a
        # history row (Django's own handler saves the whole user).
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(_record_login, dispatch_uid="ledningssystem_record_login")


def _record_login(sender: object, user: object, **kwargs: object) -> None:
    from django.utils import timezone

    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())  # type: ignore[attr-defined]
