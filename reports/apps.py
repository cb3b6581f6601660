from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and statistics")

    def ready(self) -> None:
        from reports import access_rules, handbook  # noqa: F401 - registers the access policies and the handbook job
