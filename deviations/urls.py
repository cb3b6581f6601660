from django.urls import path

from deviations import exports, views

app_name = "deviations"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.report, name="report"),
    path("mine/", views.my_reports, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/investigation/", views.investigation, name="investigation"),
    path("<int:pk>/causes/", views.cause_add, name="cause_add"),
    path("<int:pk>/causes/<int:cause_pk>/remove/", views.cause_remove, name="cause_remove"),
    path("export/csv/", exports.export_csv, name="export_csv"),
    path("export/excel/", exports.export_excel, name="export_excel"),
    path("<int:pk>/<slug:name>/", views.transition, name="transition"),
]
