from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeviationsConfig(AppConfig):
    name = "deviations"
    verbose_name = _("Deviations")

    def ready(self) -> None:
        # access_rules registers the access policy, history and read log; exports the Excel job.
        from deviations import access_rules, exports  # noqa: F401
