from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Routines and processes")

    def ready(self) -> None:
        from processes import (  # noqa: F401 - history reasons, Min sida section
            access_rules,
            documents,
            selectors_documents,
        )
