"""URLs of this part of the processes app (see processes/urls.py): moving a handbook in and out."""

from django.urls import path

from processes.views import transfer

urlpatterns: list = [
    path("handbook-import/", transfer.upload, name="transfer_upload"),
    path("handbook-import/template.xlsx", transfer.template, name="transfer_template"),
    path("handbook-import/export/", transfer.export, name="transfer_export"),
    path("handbook-import/<uuid:pk>/", transfer.preview, name="transfer_preview"),
]
