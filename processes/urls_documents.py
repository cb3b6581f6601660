"""URLs of controlled documents (see processes/urls.py): everything under routines/."""

from django.urls import path

from processes.views import documents as views

urlpatterns = [
    path("routines/", views.document_list, name="document_list"),
    path("routines/new/", views.document_create, name="document_create"),
    path("routines/<int:pk>/", views.document_detail, name="document_detail"),
    path("routines/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("routines/<int:pk>/draft/", views.draft_edit, name="draft_edit"),
    path("routines/<int:pk>/compare/", views.version_compare, name="version_compare"),
    path("routines/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("routines/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path(
        "routines/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("routines/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("routines/<int:pk>/versions/<int:number>/<slug:name>/", views.version_step, name="version_step"),
    path("routines/<int:pk>/<slug:name>/", views.document_step, name="document_step"),
]
