from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        from deviations import access_rules  # noqa: F401 - registers the access policy and history
