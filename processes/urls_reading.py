"""Read confirmations (see processes/urls.py): what I owe, confirm, ask, progress."""

from django.urls import path

from processes.views import reading

urlpatterns = [
    path("routines/to-read/", reading.reading_mine, name="reading_mine"),
    path(
        "routines/<int:document_pk>/reading/<int:version_pk>/confirm/",
        reading.reading_confirm,
        name="reading_confirm",
    ),
    path(
        "routines/<int:document_pk>/reading/<int:version_pk>/ask/",
        reading.reading_request,
        name="reading_request",
    ),
    path(
        "routines/<int:document_pk>/reading/<int:version_pk>/",
        reading.reading_progress,
        name="reading_progress",
    ),
]
