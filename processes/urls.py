"""Routines (controlled documents), read confirmations, processes and moving a handbook in.

Each part keeps its own URL list so they can grow apart; all share the
``processes`` namespace and are mounted at the site root.
"""

from processes import urls_documents, urls_processes, urls_reading, urls_transfer

app_name = "processes"

urlpatterns = [
    *urls_documents.urlpatterns,
    *urls_reading.urlpatterns,
    *urls_processes.urlpatterns,
    *urls_transfer.urlpatterns,
]
