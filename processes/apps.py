from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Routines and processes")

    def ready(self) -> None:
        from ledningssystem.views import home
        from processes import (
            access_rules,  # noqa: F401 - registers the access policies and history
            reading,
        )

        if reading.my_page_section not in home.MY_PAGE_SECTIONS:
            home.MY_PAGE_SECTIONS.append(reading.my_page_section)
