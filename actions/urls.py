from django.urls import path

from actions import exports, views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("export.csv", exports.export_csv, name="export"),
    path("export/excel/", exports.export_excel, name="export_excel"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/effect/", views.action_effect, name="effect"),
    path("<int:pk>/<slug:name>/", views.action_step, name="step"),
]
