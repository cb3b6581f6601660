"""Processes (see processes/urls.py): list, detail, editing, activities."""

from django.urls import path

from processes.views import processes

urlpatterns = [
    path("processes/", processes.process_list, name="process_list"),
    path("processes/new/", processes.process_create, name="process_create"),
    path("processes/<int:pk>/", processes.process_detail, name="process_detail"),
    path("processes/<int:pk>/edit/", processes.process_edit, name="process_edit"),
    path("processes/<int:pk>/status/<slug:status>/", processes.process_status, name="process_status"),
    path("processes/<int:pk>/activities/new/", processes.activity_add, name="activity_add"),
    path("processes/<int:pk>/activities/<int:activity_pk>/edit/", processes.activity_edit, name="activity_edit"),
    path("processes/<int:pk>/activities/<int:activity_pk>/delete/", processes.activity_delete, name="activity_delete"),
    path(
        "processes/<int:pk>/activities/<int:activity_pk>/move/<slug:direction>/",
        processes.activity_move,
        name="activity_move",
    ),
]
