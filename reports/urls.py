from django.urls import path

from reports import handbook_views, views

app_name = "reports"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("handbook/", handbook_views.handbook, name="handbook"),
    path("handbook/start/", handbook_views.handbook_start, name="handbook_start"),
    path("handbook/jobs/<uuid:pk>/", handbook_views.handbook_job, name="handbook_job"),
    path("handbook/files/<int:pk>/", handbook_views.handbook_download, name="handbook_download"),
    path("handbook/units/<int:unit_pk>/texts/", handbook_views.handbook_text_list, name="handbook_texts"),
    path(
        "handbook/units/<int:unit_pk>/texts/<slug:key>/",
        handbook_views.handbook_text_edit,
        name="handbook_text_edit",
    ),
]
