from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Routines and processes")

    def ready(self) -> None:
        from ledningssystem.views import home
        from processes import (  # noqa: F401 - access policies, history reasons, Min sida sections
            access_rules,
            documents,
            reading,
            selectors_documents,
        )

        if reading.my_page_section not in home.MY_PAGE_SECTIONS:
            home.MY_PAGE_SECTIONS.append(reading.my_page_section)
