from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "requirements"
    verbose_name = _("Requirement catalogue")

    def ready(self) -> None:
        from requirements import access_rules  # noqa: F401 - registers the access policy and history
