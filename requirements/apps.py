from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("Requirement catalogue")

    def ready(self) -> None:
        from requirements import access_rules, coverage_export  # noqa: F401 - access policy, history, PDF job
