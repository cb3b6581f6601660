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
    path("settings/", views.settings_edit, name="settings"),
    path("<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("<int:pk>/lex-sarah/protective-measures/", views.lex_protective, name="lex_protective"),
    path("<int:pk>/lex-sarah/entries/", views.lex_entry, name="lex_entry"),
    path("<int:pk>/lex-sarah/assessment/", views.lex_assess, name="lex_assess"),
    path("<int:pk>/lex-sarah/ivo/", views.lex_ivo, name="lex_ivo"),
    path("<int:pk>/lex-sarah/ivo.pdf", views.ivo_pdf, name="ivo_pdf"),
    path("<int:pk>/learning/", views.learning, name="learning"),
    path("export/csv/", exports.export_csv, name="export_csv"),
    path("export/excel/", exports.export_excel, name="export_excel"),
    path("<int:pk>/<slug:name>/", views.transition, name="transition"),
]
